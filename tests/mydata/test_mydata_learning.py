"""My learning: progress, status on cohort work, what is due, and joining and leaving cohorts."""

import re
from datetime import timedelta

import pytest

from eduapp.accounts.models import Role
from eduapp.assessments.models import AssessmentAttempt
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import CohortInvite, CohortMember
from eduapp.cohorts.progress import status_of
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db, utcnow
from eduapp.mydata.queries import module_status_for
from tests.support.accounts import Auth
from tests.support.player import choose, start


def _cohort(make_user, name, due_in_days=None, *members):
    cohort = cohorts.create_cohort(make_user(Role.TUTOR), name)
    module = newest_version(DocumentKind.MODULE, "test-module")
    due = utcnow() + timedelta(days=due_in_days) if due_in_days is not None else None
    cohorts.assign_module(cohort, module.document, due)
    for member in members:
        cohorts.join(member, cohort)
    return cohort


def _finish(auth):
    attempt_id = start(auth)
    for _ in range(3):
        choose(auth, attempt_id, 1)
    return attempt_id


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("completed", "started", "days", "expected"),
    [
        (True, True, -3, "completed"),
        (False, True, -3, "overdue"),
        (False, False, -3, "overdue"),
        (False, True, 3, "in progress"),
        (False, False, 3, "not started"),
        (False, False, None, "not started"),
    ],
)
def test_the_one_status_rule(completed, started, days, expected):
    now = utcnow()
    due = now + timedelta(days=days) if days is not None else None
    assert status_of(completed, started, due, now) == expected


def test_a_new_learner_sees_every_module_not_started_and_nothing_due(client, login_as, course):
    login_as(Role.LEARNER)
    page = _text(client.get("/my/learning").get_data(as_text=True))
    assert "Nothing with a due date is waiting for you" in page
    assert "Scenarios finished: 0 of 1" in page
    assert "You are not in a cohort yet" in page
    assert 'href="/my/reflections"' in client.get("/my/learning").get_data(as_text=True)


def test_due_work_is_listed_soonest_first_with_its_status(
    client, auth, login_as, make_user, course
):
    learner = login_as(Role.LEARNER)
    _cohort(make_user, "Later cohort", 10, learner)
    _cohort(make_user, "Overdue cohort", -2, learner)
    _cohort(make_user, "Undated cohort", None, learner)
    start(auth)  # begun, not finished

    html = client.get("/my/learning").get_data(as_text=True)
    due = _text(html.split('id="due-heading"')[1].split("</section>")[0])
    assert due.index("Overdue cohort") < due.index("Later cohort")
    assert "Undated cohort" not in due
    assert re.search(r"Overdue cohort , due \S+ \S+ \S+ Overdue", due)
    assert re.search(r"Later cohort , due \S+ \S+ \S+ In progress", due)
    cohorts_section = _text(html.split('id="cohorts-heading"')[1])
    assert "Modules set for Undated cohort" in cohorts_section
    assert "No due date" in cohorts_section


def test_finishing_every_scenario_completes_the_module_even_past_its_due_date(
    client, auth, login_as, make_user, course
):
    learner = login_as(Role.LEARNER)
    _cohort(make_user, "Past cohort", -1, learner)
    _finish(auth)

    learning = module_status_for(learner)
    assert [(a.cohort.name, a.status) for a in learning.assignments] == [
        ("Past cohort", "completed")
    ]
    assert learning.due == []
    page = _text(client.get("/my/learning").get_data(as_text=True))
    assert "Scenarios finished: 1 of 1" in page
    assert "Nothing with a due date is waiting for you" in page


def test_progress_counts_only_the_learners_own_attempts(app, login_as, make_user, course):
    other = make_user(Role.LEARNER)
    other_auth = Auth(app.test_client())
    other_auth.login(other)
    _finish(other_auth)
    learner = login_as(Role.LEARNER)
    module = module_status_for(learner).modules[0]
    assert (module.finished, module.started, module.total) == (0, 0, 1)
    assert module_status_for(other).modules[0].is_completed


def test_joining_with_a_code_shows_the_cohort_and_its_due_module(
    client, auth, login_as, make_user, course
):
    learner = login_as(Role.LEARNER)
    cohort = _cohort(make_user, "Spring week", 5)
    code = f" {cohort.join_code.lower()} "
    response = auth.post("/my/cohorts/join", {"code": code}, page="/my/learning")
    assert response.status_code == 302
    assert db.session.get(CohortMember, (cohort.id, learner.id)) is not None
    page = _text(client.get("/my/learning").get_data(as_text=True))
    assert "You joined Spring week." in page
    assert "Modules set for Spring week" in page and "Not started" in page


def test_a_wrong_code_is_explained_next_to_the_field_and_joins_nothing(
    client, auth, login_as, course
):
    learner = login_as(Role.LEARNER)
    response = auth.post("/my/cohorts/join", {"code": "NOPE2345"}, page="/my/learning")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "<h1>My learning</h1>" in page
    assert "No cohort has that code" in page and 'value="NOPE2345"' in page
    empty = auth.post("/my/cohorts/join", {"code": ""}, page="/my/learning")
    assert empty.status_code == 400 and "Type the code" in empty.get_data(as_text=True)
    assert db.session.query(CohortMember).filter_by(user_id=learner.id).count() == 0


def test_an_invited_learner_joins_with_one_button(client, auth, login_as, make_user, course):
    learner = login_as(Role.LEARNER)
    cohort = _cohort(make_user, "Invited cohort", None)
    cohorts.invite_emails(cohort, learner.email.upper())
    invite = db.session.query(CohortInvite).one()
    page = client.get("/my/learning").get_data(as_text=True)
    assert f"/my/invitations/{invite.id}/join" in page

    response = auth.post(f"/my/invitations/{invite.id}/join", page="/my/learning")
    assert response.status_code == 302
    assert db.session.get(CohortMember, (cohort.id, learner.id)) is not None
    page = client.get("/my/learning").get_data(as_text=True)
    assert f"/my/invitations/{invite.id}/join" not in page


def test_someone_elses_invitation_is_a_logged_404(
    client, auth, login_as, make_user, course, caplog
):
    learner = login_as(Role.LEARNER)
    cohort = _cohort(make_user, "Not yours", None)
    cohorts.invite_emails(cohort, "somebody.else@example.org")
    invite = db.session.query(CohortInvite).one()
    response = auth.post(f"/my/invitations/{invite.id}/join", page="/my/learning")
    assert response.status_code == 404
    assert "refused: cohort invitation" in caplog.text
    assert db.session.get(CohortMember, (cohort.id, learner.id)) is None


def test_leaving_a_cohort_and_leaving_one_you_are_not_in(client, auth, login_as, make_user, course):
    learner = login_as(Role.LEARNER)
    mine = _cohort(make_user, "Mine", None, learner)
    other = _cohort(make_user, "Other", None)
    assert auth.post(f"/my/cohorts/{other.id}/leave", page="/my/learning").status_code == 404
    response = auth.post(f"/my/cohorts/{mine.id}/leave", page="/my/learning")
    assert response.status_code == 302
    assert db.session.get(CohortMember, (mine.id, learner.id)) is None
    assert "You left Mine." in client.get("/my/learning").get_data(as_text=True)


def test_tutors_are_refused_my_learning_and_joining(client, auth, login_as, make_user, course):
    login_as(Role.TUTOR)
    cohort = _cohort(make_user, "Any", None)
    assert client.get("/my/learning").status_code == 403
    response = auth.post("/my/cohorts/join", {"code": cohort.join_code}, page="/my/data")
    assert response.status_code == 403


def test_submitted_assessments_are_listed_with_their_result(client, login_as, course):
    learner = login_as(Role.LEARNER)
    page = _text(client.get("/my/learning").get_data(as_text=True))
    assert "You have not submitted an assessment yet" in page
    version = newest_version(DocumentKind.ASSESSMENT, "test-module")
    db.session.add_all(
        [
            AssessmentAttempt(user_id=learner.id, version_id=version.id, number=1,
                              submitted_at=utcnow(), points=2.0, max_points=5.0, is_passed=False),
            AssessmentAttempt(user_id=learner.id, version_id=version.id, number=2,
                              submitted_at=utcnow(), points=4.0, max_points=5.0, is_passed=True),
            AssessmentAttempt(user_id=learner.id, version_id=version.id, number=3),
        ]
    )  # fmt: skip
    db.session.commit()
    html = client.get("/my/learning").get_data(as_text=True)
    results = _text(html.split('id="assessments-heading"')[1])
    assert "attempt 2" in results and "80.0% Passed" in results
    assert "attempt 1" in results and "40.0% Not passed" in results
    assert "attempt 3" not in results  # not submitted
