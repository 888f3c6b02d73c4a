"""The studio as its users meet it: drafts, co-authors, forms, conflicts, review and publishing."""

import re

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.audit.models import AuditEvent
from eduapp.content.models import Document, DocumentKind, Revision, Version
from eduapp.content.queries import newest_version
from eduapp.extensions import db
from eduapp.player.models import Attempt
from eduapp.studio.models import Comment, Membership, SignOff
from eduapp.tallies.models import CohortTally, LearnerChoice, LearnerScenario, VersionChoiceCount
from tests.support.accounts import Auth

EDITOR = "/studio/scenario/night-handover"


def create(auth, slug="night-handover", kind="scenario", title="The night handover"):
    return auth.post(
        "/studio/new",
        {"kind": kind, "slug": slug, "title": title, "credit": "patient educator"},
        page="/studio/",
    )


def latest(slug="night-handover") -> Revision:
    db.session.expire_all()
    document = db.session.scalar(sa.select(Document).where(Document.slug == slug))
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.document_id == document.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def sign_in(app, user):
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(user).status_code == 302
    return client, auth


def invite(auth, email, role, credit, page=EDITOR):
    return auth.post(f"{page}/members", {"email": email, "role": role, "credit": credit}, page=page)


@pytest.fixture
def team(app, make_user):
    """A patient educator's draft with a medical student and a tutor invited."""
    educator = make_user(Role.PATIENT_EDUCATOR)
    student = make_user(Role.LEARNER, profession="medicine")
    tutor = make_user(Role.TUTOR)
    _, pe_auth = sign_in(app, educator)
    assert create(pe_auth).status_code == 302
    assert invite(pe_auth, student.email, "peer_student", "medical student").status_code == 302
    assert invite(pe_auth, tutor.email, "staff", "nursing tutor").status_code == 302
    return {
        "educator": (educator, pe_auth),
        "student": (student, sign_in(app, student)[1]),
        "tutor": (tutor, sign_in(app, tutor)[1]),
    }


def test_creating_a_draft_makes_a_valid_starter_and_a_membership(app, team):
    revision = latest()
    assert revision.number == 1 and revision.title == "The night handover"
    _, auth = team["educator"]
    page = auth.client.get(EDITOR).get_data(as_text=True)
    assert "No problems" in page and "Co-authors" in page
    assert "medical student" in page and "nursing tutor" in page
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("created") == 1 and actions.count("invited") == 2


def test_bad_ids_and_taken_ids_are_refused(app, team):
    _, auth = team["educator"]
    response = create(auth, slug="Bad Id!")
    assert response.status_code == 400 and "lowercase letters" in response.get_data(as_text=True)
    assert create(auth).status_code == 400


def test_a_draft_is_invisible_to_non_members(app, team, make_user, login_as, client):
    login_as(Role.TUTOR)
    assert client.get(EDITOR).status_code == 404
    assert client.get(f"{EDITOR}/history").status_code == 404
    assert "The night handover" not in client.get("/studio/").get_data(as_text=True)


def test_an_admin_sees_every_draft(app, team, login_as, client):
    login_as(Role.ADMIN)
    assert client.get(EDITOR).status_code == 200
    assert "The night handover" in client.get("/studio/?all=1").get_data(as_text=True)


def test_the_student_adds_nodes_and_a_choice_through_the_forms(app, team):
    _, auth = team["student"]
    base = latest().number
    response = auth.post(
        f"{EDITOR}/nodes",
        {
            "base": base,
            "node_id": "pharmacist",
            "title": "The pharmacist's view",
            "speaker": "pharmacist",
            "body": "The pharmacist asks about the night doses.",
            "ending": "Checked together",
            "debrief": "The doses were safe because two people looked.",
        },
        page=EDITOR,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    response = auth.post(
        f"{EDITOR}/choices",
        {
            "base": base + 1,
            "from_node": "opening",
            "label": "Ask the pharmacist",
            "target": "pharmacist",
            "condition": "voice >= 0",
            "effects": "voice += 1",
            "feedback": "Slower, safer.",
        },
        page=EDITOR,
    )
    assert response.status_code == 302
    revision = latest()
    assert revision.number == base + 2 and "[[Ask the pharmacist -> pharmacist]]" in revision.source
    assert "if: voice >= 0" in revision.source
    page = auth.client.get(EDITOR).get_data(as_text=True)
    assert "No problems" in page


def test_a_bad_condition_in_the_choice_form_is_explained_and_saves_nothing(app, team):
    _, auth = team["student"]
    response = auth.post(
        f"{EDITOR}/choices",
        {
            "base": 1,
            "from_node": "opening",
            "label": "X",
            "target": "heard",
            "condition": "voice >>= 2",
            "effects": "",
            "feedback": "",
        },
        page=EDITOR,
    )
    assert response.status_code == 400
    assert latest().number == 1


def test_saving_source_makes_revisions_and_history_diff_and_restore_work(app, team):
    educator, auth = team["educator"]
    first = latest()
    edited = first.source.replace("What the learner sees first.", "Night. The ward is quiet.")
    response = auth.post(
        f"{EDITOR}/save", {"base": 1, "source": edited, "message": "Set the scene"}, page=EDITOR
    )
    assert response.status_code == 302
    assert latest().number == 2
    history = auth.client.get(f"{EDITOR}/history").get_data(as_text=True)
    assert "Set the scene" in history and educator.display_name in history
    diff = auth.client.get(f"{EDITOR}/diff?from=1&to=2").get_data(as_text=True)
    assert "<ins>quiet</ins>" in diff and "<del>learner</del>" in diff
    response = auth.post(f"{EDITOR}/restore", {"revision": 1}, page=f"{EDITOR}/history")
    assert response.status_code == 302
    assert latest().number == 3 and latest().source == first.source


def test_a_save_from_an_old_base_gets_the_merge_page_and_loses_nothing(app, team):
    _, pe_auth = team["educator"]
    _, student_auth = team["student"]
    base = latest()
    theirs = base.source.replace("Where it begins", "Where the night begins")
    mine = base.source.replace("What the learner sees first.", "My own careful paragraph.")
    assert (
        pe_auth.post(
            f"{EDITOR}/save", {"base": 1, "source": theirs, "message": "a"}, page=EDITOR
        ).status_code
        == 302
    )
    response = student_auth.post(
        f"{EDITOR}/save", {"base": 1, "source": mine, "message": "b"}, page=EDITOR
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "nothing you typed is lost" in page
    assert "My own careful paragraph." in page and "Where the night begins" in page
    assert re.search(r'name="theirs" value="2"', page) and "Keep mine" in page
    assert latest().number == 2 and "My own careful paragraph." not in latest().source


def test_comments_are_anchored_threaded_and_resolvable(app, team):
    _tutor, tutor_auth = team["tutor"]
    _, pe_auth = team["educator"]
    comments_url = f"{EDITOR}/comments"
    response = tutor_auth.post(
        comments_url,
        {"revision": 1, "anchor": "node:opening", "body": "Whose voice opens this? <b>bold</b>"},
    )
    assert response.status_code == 302
    comment = db.session.scalar(sa.select(Comment))
    pe_auth.post(
        comments_url,
        {
            "revision": 1,
            "anchor": "general",
            "parent_id": comment.id,
            "body": "The patient's, now.",
        },
    )
    page = pe_auth.client.get(comments_url).get_data(as_text=True)
    assert "Open (1)" in page and "Node opening" in page and "Staff" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "The patient&#39;s, now." in page
    pe_auth.post(f"{comments_url}/{comment.id}/resolve", {"resolved": "1"}, page=comments_url)
    page = pe_auth.client.get(comments_url).get_data(as_text=True)
    assert "Open (0)" in page and "Resolved (1)" in page
    db.session.expire_all()
    reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == comment.id))
    assert reply.anchor == "node:opening"


def test_publishing_needs_both_sign_offs_on_the_exact_revision(app, team, make_user):
    _educator, pe_auth = team["educator"]
    _tutor, tutor_auth = team["tutor"]
    _, student_auth = team["student"]
    review = f"{EDITOR}/review"
    publish = f"{EDITOR}/publish"
    assert (
        student_auth.post(review, {"revision": 1, "decision": "approve"}, page=EDITOR).status_code
        == 302
    )
    pe_auth.post(publish, {"revision": 1}, page=EDITOR)
    assert db.session.scalar(sa.select(sa.func.count(Version.id))) == 0
    pe_auth.post(review, {"revision": 1, "decision": "approve"}, page=EDITOR)
    page = pe_auth.client.get(EDITOR).get_data(as_text=True)
    assert "a tutor or staff member: <strong>still needed</strong>" in page
    tutor_auth.post(review, {"revision": 1, "decision": "approve"}, page=EDITOR)
    # Any later edit clears the sign-offs: they belonged to revision 1.
    edited = latest().source.replace("Where it begins", "Where it starts")
    pe_auth.post(f"{EDITOR}/save", {"base": 1, "source": edited, "message": "x"}, page=EDITOR)
    response = pe_auth.post(publish, {"revision": 2}, page=EDITOR)
    assert db.session.scalar(sa.select(sa.func.count(Version.id))) == 0
    for auth in (pe_auth, tutor_auth):
        auth.post(review, {"revision": 2, "decision": "approve"}, page=EDITOR)
    response = pe_auth.post(publish, {"revision": 2}, page=EDITOR)
    assert response.status_code == 302 and "/versions/1" in response.headers["Location"]
    version = newest_version(DocumentKind.SCENARIO, "night-handover")
    assert version.number == 1 and "Where it starts" in version.source
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "published" in actions and actions.count("signed_off") == 5
    version_page = pe_auth.client.get(f"{EDITOR}/versions/1").get_data(as_text=True)
    assert "The first published version" in version_page


def test_asking_for_changes_needs_a_note_and_shows_it(app, team):
    _, tutor_auth = team["tutor"]
    response = tutor_auth.post(
        f"{EDITOR}/review", {"revision": 1, "decision": "changes", "note": ""}, page=EDITOR
    )
    assert response.status_code == 400  # back on the editor, saying why
    assert "Say what should change" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SignOff.id))) == 0
    tutor_auth.post(
        f"{EDITOR}/review",
        {"revision": 1, "decision": "changes", "note": "Give the carer a node."},
        page=EDITOR,
    )
    page = tutor_auth.client.get(EDITOR).get_data(as_text=True)
    assert "asked for changes" in page and "Give the carer a node." in page
    assert "requested_changes" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_a_reviewer_reads_comments_and_signs_off_but_does_not_edit(app, team, make_user):
    _, pe_auth = team["educator"]
    reviewer = make_user(Role.TUTOR)
    invite(pe_auth, reviewer.email, "reviewer", "medical tutor")
    _, auth = sign_in(app, reviewer)
    assert auth.client.get(EDITOR).status_code == 200
    response = auth.post(f"{EDITOR}/save", {"base": 1, "source": "x", "message": ""}, page=EDITOR)
    assert response.status_code == 403
    assert (
        auth.post(
            f"{EDITOR}/review", {"revision": 1, "decision": "approve"}, page=EDITOR
        ).status_code
        == 302
    )


def test_playtests_play_the_draft_and_count_nowhere(app, team):
    _educator, auth = team["educator"]
    response = auth.post(f"{EDITOR}/playtest", page=EDITOR)
    assert response.status_code == 302
    attempt_url = response.headers["Location"]
    page = auth.client.get(attempt_url).get_data(as_text=True)
    assert "Playtest of a draft" in page and "Where it begins" in page
    attempt = db.session.scalar(sa.select(Attempt))
    assert attempt.is_playtest and attempt.version_id is None
    step = auth.post(attempt_url, {"step": 0, "choice": 1, "visibility": "private"})
    assert step.status_code == 302
    assert "Ending: Heard" in auth.client.get(attempt_url).get_data(as_text=True)
    for counted in (LearnerScenario, LearnerChoice, VersionChoiceCount, CohortTally):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(counted)) == 0, counted


def test_a_published_module_credits_its_co_authors_by_role(app, make_user, course):
    educator = make_user(Role.PATIENT_EDUCATOR)
    tutor = make_user(Role.TUTOR)
    _, pe_auth = sign_in(app, educator)
    create(pe_auth, slug="team-module", kind="module", title="Working as a team")
    page = "/studio/module/team-module"
    invite(pe_auth, tutor.email, "staff", "medical tutor", page=page)
    source = (
        latest("team-module")
        .source.replace("order: 99", "order: 2")
        .replace("outcome: Describe ...", "outcome: Describe the team.\nscenario: ward-round")
    )
    pe_auth.post(f"{page}/save", {"base": 1, "source": source, "message": "m"}, page=page)
    _, tutor_auth = sign_in(app, tutor)
    for auth in (pe_auth, tutor_auth):
        auth.post(f"{page}/review", {"revision": 2, "decision": "approve"}, page=page)
    assert pe_auth.post(f"{page}/publish", {"revision": 2}, page=page).status_code == 302
    learner_client, _ = sign_in(app, make_user(Role.LEARNER))
    module_page = learner_client.get("/modules/team-module").get_data(as_text=True)
    assert "Co-created with a patient educator and a medical tutor" in module_page


def test_the_variable_form_reads_numbers_and_truth_values_and_explains_anything_else(app, team):
    _, auth = team["student"]
    form = {"base": 1, "name": "escalated", "initial": " maybe ", "description": "x"}
    response = auth.post(f"{EDITOR}/variables", form, page=EDITOR)
    assert response.status_code == 400
    assert "The starting value is a whole number, true or false." in response.get_data(as_text=True)
    assert latest().number == 1
    form |= {"initial": " True ", "description": "  Whether the team was called  "}
    assert auth.post(f"{EDITOR}/variables", form, page=EDITOR).status_code == 302
    assert "var escalated = true | Whether the team was called\n" in latest().source


def test_a_bad_effect_in_the_choice_form_is_shown_in_the_engines_words(app, team):
    _, auth = team["student"]
    form = {"base": 1, "from_node": "opening", "label": "X", "target": "heard", "effects": "+= 1"}
    response = auth.post(f"{EDITOR}/choices", form, page=EDITOR)
    assert response.status_code == 400
    assert 'id="effects-error"' in response.get_data(as_text=True)
    assert latest().number == 1


def test_the_module_form_rewrites_the_header_and_keeps_its_authors(app, make_user):
    educator = make_user(Role.PATIENT_EDUCATOR)
    _, auth = sign_in(app, educator)
    create(auth, slug="team-module", kind="module", title="Working as a team")
    page = "/studio/module/team-module"
    form = {
        "base": 1,
        "title": " Working as one team ",
        "order": 3,
        "summary": "A summary.",
        "outcomes": "Describe the team.\n\n  Name who decides.  \n",
        "scenarios": "ward-round\n",
        "reading": "Read this.",
        "references": "",
    }
    assert auth.post(f"{page}/module", form, page=page).status_code == 302
    source = latest("team-module").source
    assert "title: Working as one team\norder: 3\n" in source
    outcomes = "outcome: Describe the team.\noutcome: Name who decides.\n"
    assert outcomes + "scenario: ward-round\n" in source
    assert "author: patient educator | patient educator" in source
    assert ":: references" not in source


def test_comments_are_about_what_the_draft_offers_and_records_stay_with_their_draft(
    app, team, make_user
):
    _, auth = team["educator"]
    comments_url = f"{EDITOR}/comments"
    refused = {"revision": 1, "anchor": "node:nowhere", "body": "Lost?"}
    auth.post(comments_url, refused)
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0
    auth.post(comments_url, {"revision": 1, "anchor": "general", "body": "Fine."})
    comment = db.session.scalar(sa.select(Comment))
    # A second draft of the same educator: its URLs do not reach the first draft's records.
    assert create(auth, slug="day-handover").status_code == 302
    other = "/studio/scenario/day-handover"
    resolve = auth.post(
        f"{other}/comments/{comment.id}/resolve", {"resolved": "1"}, page=f"{other}/comments"
    )
    assert resolve.status_code == 404
    student = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == team["student"][0].id)
    )
    assert auth.post(f"{other}/members/{student.id}/remove", page=other).status_code == 404
    db.session.expire_all()
    assert db.session.get(Membership, student.id) is not None
    assert not db.session.get(Comment, comment.id).is_resolved
