"""Issue 13: the studio notifies its members (invitations, comments, replies, requests for
review, decisions, publishing), and every refused form comes back on its page, saying why, with
nothing typed lost (uploads, too-large files, decisions, comments); the live check reads a
draft up to the request's size."""

import io

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.audit.models import AuditEvent
from eduapp.extensions import db
from eduapp.notifications.models import Notification
from eduapp.studio.files import MAX_UPLOAD_REQUEST_BYTES
from eduapp.studio.models import Comment
from tests.studio.test_studio_way_to_learners import decide, invite, newest, sign_in, start

EDITOR = "/studio/scenario/night-handover"


def texts_for(user) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Notification.text)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


@pytest.fixture
def team(app, make_user):
    educator = make_user(Role.PATIENT_EDUCATOR)
    tutor = make_user(Role.TUTOR)
    student = make_user(Role.LEARNER, profession="medicine")
    auth = sign_in(app, educator)
    start(auth, "night-handover", "scenario", "The night handover")
    invite(auth, EDITOR, tutor)
    invite(auth, EDITOR, student, "peer_student", "medical student")
    return {
        "educator": (educator, auth),
        "tutor": (tutor, sign_in(app, tutor)),
        "student": (student, sign_in(app, student)),
    }


def test_an_invitation_is_in_the_app_too(team):
    tutor, _ = team["tutor"]
    assert texts_for(tutor) == ["You were added to the co-authors of “The night handover”."]


def test_comments_notify_the_other_members_and_a_reply_the_threads_people(team):
    educator, pe_auth = team["educator"]
    tutor, tutor_auth = team["tutor"]
    student, _ = team["student"]
    page = f"{EDITOR}/comments"
    thread = {"revision": 1, "anchor": "general", "body": "Is the ending too quick?"}
    assert tutor_auth.post(page, thread, page=page).status_code == 302
    assert "A new comment on “The night handover”." in texts_for(educator)
    assert "A new comment on “The night handover”." in texts_for(student)
    assert not any("comment" in t for t in texts_for(tutor))
    parent = db.session.scalar(sa.select(Comment.id))
    reply = {"revision": 1, "anchor": "general", "body": "A little.", "parent_id": parent}
    assert pe_auth.post(page, reply, page=page).status_code == 302
    assert any("A reply in a comment thread" in t for t in texts_for(tutor))
    assert not any("A reply" in t for t in texts_for(student))
    link = db.session.scalar(
        sa.select(Notification.link).where(Notification.user_id == tutor.id).limit(1)
    )
    assert link.startswith("/studio/")


def test_request_review_decisions_and_publishing_notify_members(team):
    educator, pe_auth = team["educator"]
    tutor, tutor_auth = team["tutor"]
    student, _ = team["student"]
    asked = pe_auth.post(f"{EDITOR}/request-review", {"revision": 1}, page=EDITOR)
    assert asked.status_code == 302
    # The tutor holds a role the rule counts; the student does not.
    assert any("Your sign-off is asked for" in t for t in texts_for(tutor))
    assert not any("sign-off is asked" in t for t in texts_for(student))
    assert "requested_review" in db.session.scalars(sa.select(AuditEvent.action)).all()
    decide(tutor_auth, EDITOR, 1)
    assert "Revision 1 of “The night handover” was signed off." in texts_for(educator)
    decide(pe_auth, EDITOR, 1)
    assert pe_auth.post(f"{EDITOR}/publish", {"revision": 1}, page=EDITOR).status_code == 302
    assert "“The night handover” was published as version 1." in texts_for(student)
    assert not any("published" in t for t in texts_for(educator))


def test_an_empty_decision_comes_back_on_the_editor_with_the_note(team):
    _, tutor_auth = team["tutor"]
    response = tutor_auth.post(
        f"{EDITOR}/review", {"revision": 1, "note": "My careful words."}, page=EDITOR
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose: sign off, or ask for changes." in page and "My careful words." in page


def test_a_refused_comment_keeps_what_was_typed(team):
    _, auth = team["student"]
    page = f"{EDITOR}/comments"
    response = auth.post(
        page, {"revision": 1, "anchor": "nowhere", "body": "Kept words"}, page=page
    )
    assert response.status_code == 400 and "Kept words" in response.get_data(as_text=True)


def _upload(auth, name: str, content: bytes):
    return auth.post(
        f"{EDITOR}/upload",
        {"base": 1, "file": (io.BytesIO(content), name)},
        page=EDITOR,
        content_type="multipart/form-data",
    )


def test_upload_refusals_come_back_on_the_editor_saying_why(team):
    _, auth = team["educator"]
    response = _upload(auth, "page.html", b"<script>alert(1)</script>")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Not uploaded: Upload a plain-text .md or .txt" in page
    assert 'id="upload" open' in page and "Redirecting" not in page
    none = auth.post(f"{EDITOR}/upload", {"base": 1}, page=EDITOR)
    assert none.status_code == 400 and "Choose a file to upload first." in none.get_data(
        as_text=True
    )
    assert newest("night-handover").number == 1


def _too_large(auth):
    """A body past MAX_CONTENT_LENGTH: refused before anything reads it (as SECURITY.md row 18's
    test sends it, with no spooled file left open)."""
    return auth.client.post(
        f"{EDITOR}/upload",
        data=b"x" * (MAX_UPLOAD_REQUEST_BYTES + 10),
        content_type="multipart/form-data; boundary=x",
    )


def test_a_too_large_upload_is_a_413_on_the_editor_saying_the_file_was_not_kept(team):
    _, auth = team["educator"]
    response = _too_large(auth)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "larger than 2 MB, so it was not uploaded and nothing was kept" in page
    assert "Review and publishing" in page  # the editor, not a bare error page
    assert newest("night-handover").number == 1


def test_a_too_large_upload_shows_nothing_of_a_draft_to_a_non_member(app, team, make_user):
    response = _too_large(sign_in(app, make_user(Role.TUTOR)))
    assert response.status_code == 413 and "night" not in response.get_data(as_text=True)


def test_the_live_check_and_preview_read_a_draft_past_the_form_field_default(team):
    _, auth = team["student"]
    source = newest("night-handover").source + "\n" + ("A long paragraph. " * 40_000)
    assert len(source.encode()) > 600_000
    response = auth.post(f"{EDITOR}/check", {"source": source}, page=EDITOR)
    assert response.status_code == 200 and "problems" in response.get_json()
    preview = auth.post(f"{EDITOR}/preview", {"source": source, "node": "opening"}, page=EDITOR)
    assert preview.status_code == 200
    too_big = auth.post(f"{EDITOR}/check", {"source": "x" * (6 * 1024 * 1024 + 1)}, page=EDITOR)
    assert too_big.status_code == 413
