"""Erasure (SECURITY.md row 24): asked for once by the learner, carried out by an admin; afterwards
no row identifies them, cohort counts are unchanged and they cannot sign in."""

import json
import re

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import LoginSession, Role, User
from eduapp.assessments.models import AssessmentAnswer
from eduapp.audit.models import AuditEvent
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import CohortMember
from eduapp.extensions import db
from eduapp.models import metadata
from eduapp.mydata import services
from eduapp.mydata.models import ErasureRequest
from eduapp.player.models import Attempt, ChoiceEvent
from eduapp.player.queries import how_others_chose
from eduapp.reflections.models import PeerReview, PeerReviewAllocation, Reflection, ReflectionReply
from tests.mydata.mydata_records import EMAIL, NAME, invite_count, learner_with_everything, play
from tests.support.accounts import PASSWORD, Auth


def _rows_mentioning(*needles: str) -> list[str]:
    """Every row of every table whose text (JSON included) contains one of the needles."""
    found = []
    for table in metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            for column, value in row.items():
                text = json.dumps(value) if isinstance(value, dict | list) else str(value)
                if any(needle.lower() in text.lower() for needle in needles):
                    found.append(f"{table.name}.{column}")
    return found


def _cohort_choice_counts(cohort_id: int) -> list[tuple]:
    """Choices of the cohort's members by node, choice and profession, and their endings."""
    query = (
        sa.select(
            ChoiceEvent.from_node,
            ChoiceEvent.choice_number,
            User.profession,
            sa.func.count(),
            sa.func.count(sa.distinct(Attempt.user_id)),
        )
        .join(Attempt, Attempt.id == ChoiceEvent.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort_id)
        .group_by(ChoiceEvent.from_node, ChoiceEvent.choice_number, User.profession)
        .order_by(ChoiceEvent.from_node, ChoiceEvent.choice_number, User.profession)
    )
    return [tuple(row) for row in db.session.execute(query)]


def test_a_learner_asks_once_and_a_second_request_is_not_duplicated(client, auth, login_as):
    learner = login_as(Role.LEARNER)
    assert auth.post("/my/data", {"confirm": "y"}).status_code == 302
    page = client.get("/my/data").get_data(as_text=True)
    assert "Your request is recorded" in page and "An administrator will carry it out" in page
    assert 'name="confirm"' not in page
    assert auth.post("/my/data", {"confirm": "y"}).status_code == 302
    assert "You asked already" in client.get("/my/data").get_data(as_text=True)
    assert db.session.query(ErasureRequest).filter_by(user_id=learner.id).count() == 1
    assert services.request_erasure(learner) is False


def test_the_database_refuses_a_second_pending_request(login_as):
    learner = login_as(Role.LEARNER)
    db.session.add(ErasureRequest(user_id=learner.id))
    db.session.commit()
    db.session.add(ErasureRequest(user_id=learner.id))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_without_the_confirmation_box_nothing_is_asked(client, auth, login_as):
    login_as(Role.LEARNER)
    response = auth.post("/my/data", {})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    assert db.session.query(ErasureRequest).count() == 0


def test_staff_cannot_ask_for_erasure_here(auth, login_as):
    login_as(Role.TUTOR)
    assert auth.post("/my/data", {"confirm": "y"}).status_code == 403


def test_the_admin_page_lists_pending_requests(client, auth, login_as, make_user):
    learner = make_user(Role.LEARNER)
    services.request_erasure(learner)
    login_as(Role.ADMIN)
    page = client.get("/admin/erasure").get_data(as_text=True)
    assert learner.display_name in page and learner.email in page and "Erase now" in page


def test_row_24_after_erasure_no_row_identifies_them_and_counts_are_unchanged(
    app, client, auth, make_user, course
):
    records = learner_with_everything(make_user)
    others = [play(make_user(Role.LEARNER, profession="medicine"), path=(2, 1)) for _ in range(3)]
    learner_id, cohort_id = records.learner.id, records.cohort.id
    counts_before = _cohort_choice_counts(cohort_id)
    others_before = how_others_chose(others[0], 1)
    assert _rows_mentioning(EMAIL, NAME)  # the scan finds them before erasure

    learner_client = Auth(app.test_client())
    assert learner_client.login(records.learner).status_code == 302
    assert learner_client.post("/my/data", {"confirm": "y"}).status_code == 302
    request = db.session.query(ErasureRequest).one()

    admin = make_user(Role.ADMIN)
    auth.login(admin)
    response = auth.post(
        f"/admin/erasure/{request.id}", {f"r{request.id}-confirm": "y"}, page="/admin/erasure"
    )
    assert response.status_code == 302
    assert f"Account {learner_id} is erased." in client.get("/admin/erasure").get_data(as_text=True)
    db.session.expire_all()

    assert _rows_mentioning(EMAIL, NAME) == []
    user = db.session.get(User, learner_id)
    assert (user.email, user.display_name, user.roles) == (
        f"erased-{learner_id}@invalid.example",
        "Erased learner",
        [],
    )
    assert user.profession == "nursing" and user.erased_at is not None
    assert _cohort_choice_counts(cohort_id) == counts_before
    assert how_others_chose(others[0], 1) == others_before
    assert db.session.query(Attempt).filter_by(user_id=learner_id).count() == 1
    assert db.session.query(Reflection).filter_by(user_id=learner_id).count() == 0
    assert db.session.query(ReflectionReply).count() == 0
    assert db.session.query(PeerReview).count() == 1  # the peer's own, which they reviewed
    mine = db.session.query(PeerReviewAllocation).filter_by(reviewer_id=learner_id).one()
    assert (mine.comment, mine.scores) == ("[erased]", {"honesty": 3})
    handover = db.session.query(AssessmentAnswer).filter_by(question_id="handover").one()
    assert (handover.answer, handover.tutor_feedback) == ("[erased]", "[erased]")
    assert db.session.query(AssessmentAnswer).filter_by(question_id="meaning").one().answer == 1
    assert invite_count(EMAIL) == 0
    assert db.session.query(LoginSession).filter_by(user_id=learner_id).count() == 0
    [event] = db.session.query(AuditEvent).filter_by(action="erased").all()
    assert (event.actor_id, event.subject_id, event.detail) == (admin.id, learner_id, "")
    assert db.session.get(ErasureRequest, request.id).carried_out_by_id == admin.id

    # Signed out everywhere, and never again signed in.
    assert learner_client.client.get("/my/learning").status_code == 302
    assert Auth(app.test_client()).login(EMAIL, PASSWORD).status_code == 401
    assert Auth(app.test_client()).login(user.email, PASSWORD).status_code == 401


def test_an_admin_cannot_erase_themselves_or_erase_twice(client, auth, login_as, make_user):
    admin = login_as(Role.ADMIN)
    services.request_erasure(admin)
    mine = db.session.query(ErasureRequest).one()
    auth.post(f"/admin/erasure/{mine.id}", {f"r{mine.id}-confirm": "y"}, page="/admin/erasure")
    page = client.get("/admin/erasure").get_data(as_text=True)
    assert "Nobody erases their own account" in page
    assert db.session.get(User, admin.id).erased_at is None

    learner = make_user(Role.LEARNER)
    services.erase_learner(learner, admin)
    with pytest.raises(services.ErasureError):
        services.erase_learner(learner, admin)


def test_carrying_out_needs_the_confirmation_box(client, auth, login_as, make_user):
    learner = make_user(Role.LEARNER)
    services.request_erasure(learner)
    request = db.session.query(ErasureRequest).one()
    login_as(Role.ADMIN)
    auth.post(f"/admin/erasure/{request.id}", {}, page="/admin/erasure")
    assert "Tick" in re.sub(r"\s+", " ", client.get("/admin/erasure").get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(User, learner.id).erased_at is None


def test_an_invitation_to_an_address_never_proved_theirs_is_left_for_its_owner(make_user):
    tutor = make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER, email="unproved@example.org", verified=False)
    cohort = cohorts.create_cohort(tutor, "Spring week")
    cohorts.invite_emails(cohort, "unproved@example.org")
    services.erase_learner(learner, make_user(Role.ADMIN))
    assert invite_count("unproved@example.org") == 1
