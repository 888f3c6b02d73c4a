"""The tutor's cohorts: creating, inviting, setting modules, progress and how the cohort chose."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import Cohort, CohortInvite
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db, utcnow
from eduapp.player import services as player


def make_cohort(tutor, *learners, due_at=None):
    cohort = cohorts.create_cohort(tutor, "Spring interprofessional week")
    for learner in learners:
        cohorts.join(learner, cohort)
    module = newest_version(DocumentKind.MODULE, "test-module")
    cohorts.assign_module(cohort, module.document, due_at)
    return cohort


def play(learner, *numbers):
    attempt = player.start_attempt(learner, newest_version(DocumentKind.SCENARIO, "ward-round"))
    for step, number in enumerate(numbers):
        player.choose(attempt, step, number)
    return attempt


def test_a_tutor_creates_a_cohort_with_a_join_code(client, auth, login_as):
    login_as(Role.TUTOR)
    response = auth.post("/cohorts/new", {"name": "Ward week"}, page="/cohorts/")
    assert response.status_code == 302
    cohort = db.session.scalar(sa.select(Cohort))
    assert len(cohort.join_code) == 8 and not set(cohort.join_code) & set("01IO")
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert cohort.join_code in page and "Set a module for the cohort" in page


def test_joining_by_code_and_invitations(make_user, course):
    tutor = make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    cohort = make_cohort(tutor)
    assert cohorts.join_with_code(learner, cohort.join_code.lower()).id == cohort.id
    cohorts.join_with_code(learner, cohort.join_code)  # twice is harmless
    added, refused = cohorts.invite_emails(cohort, "A@Example.org, b@example.org\nnot-an-email")
    assert added == ["a@example.org", "b@example.org"] and refused == ["not-an-email"]
    cohorts.invite_emails(cohort, "a@example.org")
    assert db.session.scalar(sa.select(sa.func.count(CohortInvite.id))) == 2


def test_dashboard_shows_each_learners_status_and_the_counts(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    done = make_user(Role.LEARNER, profession="medicine")
    started = make_user(Role.LEARNER, profession="pharmacy")
    idle = make_user(Role.LEARNER, profession="nursing")
    cohort = make_cohort(tutor, done, started, idle)
    play(done, 1, 2)
    play(started, 1)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    for status in ("Completed", "In progress", "Not started"):
        assert f">{status}</span>" in page
    assert "Test module" in page and "Medicine" in page


def test_past_due_modules_are_overdue_unless_completed(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    done = make_user(Role.LEARNER)
    late = make_user(Role.LEARNER)
    cohort = make_cohort(tutor, done, late, due_at=utcnow() - timedelta(days=1))
    play(done, 1, 2)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert ">Overdue</span>" in page and ">Completed</span>" in page


def test_choices_are_split_by_profession(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    # Five of each: a smaller profession would not have a column of its own (docs/privacy.md).
    doctors = [make_user(Role.LEARNER, profession="medicine") for _ in range(5)]
    nurses = [make_user(Role.LEARNER, profession="nursing") for _ in range(5)]
    outsider = make_user(Role.LEARNER, profession="pharmacy")
    cohort = make_cohort(tutor, *doctors, *nurses)
    for doctor in doctors:
        play(doctor, 1)
    for nurse in nurses:
        play(nurse, 2)
    play(outsider, 2)  # not in the cohort: never counted
    page = client.get(f"/cohorts/{cohort.id}/scenarios/ward-round").get_data(as_text=True)
    assert "At the bedside" in page and "Ask her what matters most" in page
    assert "Medicine" in page and "Nursing" in page and "Pharmacy" not in page
    response = client.get(f"/cohorts/{cohort.id}/scenarios/ward-round/choices.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert rows[0] == ["node", "node title", "choice", "profession", "attempts"]
    assert ["bedside", "At the bedside", "Ask her what matters most", "medicine", "5"] in rows
    assert ["bedside", "At the bedside", "Follow the consultant", "nursing", "5"] in rows
    assert sum(1 for row in rows[1:] if row[3] == "pharmacy") == 0


def test_endings_and_time_are_reported(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    learners = [make_user(Role.LEARNER, profession="medicine") for _ in range(5)]
    cohort = make_cohort(tutor, *learners)
    for learner in learners:
        play(learner, 1, 2)
    endings = client.get(f"/cohorts/{cohort.id}/scenarios/ward-round/endings.csv")
    assert "quiet_end,A missed wedding,medicine,5" in endings.get_data(as_text=True)
    times = client.get(f"/cohorts/{cohort.id}/scenarios/ward-round/time.csv")
    assert "bedside,At the bedside,5," in times.get_data(as_text=True)


def test_progress_csv_neutralises_formulas(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    learner.display_name = '=HYPERLINK("http://x")'
    db.session.commit()
    cohort = make_cohort(tutor, learner)
    text = client.get(f"/cohorts/{cohort.id}/progress.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text


def test_a_tutor_of_another_cohort_sees_nothing_of_it(client, login_as, make_user, course, caplog):
    owner = make_user(Role.TUTOR)
    cohort = make_cohort(owner, make_user(Role.LEARNER))
    login_as(Role.TUTOR)
    for url in (
        f"/cohorts/{cohort.id}",
        f"/cohorts/{cohort.id}/scenarios/ward-round",
        f"/cohorts/{cohort.id}/progress.csv",
    ):
        assert client.get(url).status_code == 404
    assert "Spring interprofessional week" not in client.get("/cohorts/").get_data(as_text=True)
    assert "refused: cohort" in caplog.text


def test_co_tutors_and_module_setting(client, auth, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    colleague = make_user(Role.TUTOR)
    cohort = cohorts.create_cohort(tutor, "C")
    url = f"/cohorts/{cohort.id}"
    auth.post(f"{url}/tutors", {"email": colleague.email}, page=url)
    module = newest_version(DocumentKind.MODULE, "test-module")
    auth.post(f"{url}/modules", {"module": str(module.document_id), "due": "2031-05-01"}, page=url)
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort.id)
    assert {t.user_id for t in cohort.tutors} == {tutor.id, colleague.id}
    assert cohort.modules[0].due_at.year == 2031
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'Due <time datetime="2031-05-01T[^"]+">1 May 2031</time>', page)


def _errors(html: str) -> list[str]:
    return [" ".join(e.split()) for e in re.findall(r'<p class="error"[^>]*>(.*?)</p>', html, re.S)]


def test_a_module_is_due_at_the_end_of_the_day_picked(client, auth, login_as, course):
    tutor = login_as(Role.TUTOR)
    cohort = cohorts.create_cohort(tutor, "C")
    url = f"/cohorts/{cohort.id}"
    module = newest_version(DocumentKind.MODULE, "test-module")
    form = {"module": str(module.document_id), "due": "2031-05-01"}
    response = auth.post(f"{url}/modules", form, page=url)
    assert response.status_code == 302 and response.headers["Location"].endswith("#modules")
    db.session.expire_all()
    due_at = db.session.get(Cohort, cohort.id).modules[0].due_at
    assert due_at == datetime(2031, 5, 1, 23, 59, tzinfo=UTC)
    auth.post(f"{url}/modules", {"module": str(module.document_id)}, page=url)
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).modules[0].due_at is None  # no date: none due


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Choose a published module."),
        ({"module": "abc"}, "Choose a published module."),
        ({"module": "٣"}, "Choose a published module."),
        ({"module": "999999"}, "Choose a published module."),
        ({"module": "{scenario}"}, "Choose a published module."),
        ({"module": "{module}", "due": "2031-13-45"}, "Not a valid date value."),
    ],
)
def test_a_module_that_cannot_be_set_comes_back_on_the_dashboard(
    client, auth, login_as, course, form, message
):
    tutor = login_as(Role.TUTOR)
    cohort = cohorts.create_cohort(tutor, "Ward week")
    url = f"/cohorts/{cohort.id}"
    ids = {
        "module": newest_version(DocumentKind.MODULE, "test-module").document_id,
        "scenario": newest_version(DocumentKind.SCENARIO, "ward-round").document_id,
    }
    sent = {name: value.format(**ids) for name, value in form.items()}
    response = auth.post(f"{url}/modules", sent, page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<h1>Ward week</h1>" in html and _errors(html) == [message]
    if "due" in sent:
        assert 'value="2031-13-45"' in html  # what was typed, to correct
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).modules == []


def test_removing_a_module_and_one_no_longer_set(client, auth, login_as, course):
    tutor = login_as(Role.TUTOR)
    cohort = make_cohort(tutor)
    url = f"/cohorts/{cohort.id}"
    document_id = newest_version(DocumentKind.MODULE, "test-module").document_id
    response = auth.post(f"{url}/modules/{document_id}/remove", page=url)
    assert response.status_code == 302
    assert "Module removed from the cohort." in client.get(url).get_data(as_text=True)
    response = auth.post(f"{url}/modules/{document_id}/remove", page=url)
    assert response.status_code == 302
    assert "That module is not set for this cohort" in client.get(url).get_data(as_text=True)


def test_a_new_join_code_replaces_the_old_one(client, auth, login_as):
    tutor = login_as(Role.TUTOR)
    cohort = cohorts.create_cohort(tutor, "C")
    old = cohort.join_code
    url = f"/cohorts/{cohort.id}"
    assert auth.post(f"{url}/code", page=url).status_code == 302
    db.session.expire_all()
    new = db.session.get(Cohort, cohort.id).join_code
    assert new != old and f"New join code: {new}." in client.get(url).get_data(as_text=True)


def test_invitations_and_co_tutors_to_correct_come_back_with_what_was_typed(client, auth, login_as):
    tutor = login_as(Role.TUTOR)
    cohort = cohorts.create_cohort(tutor, "C")
    url = f"/cohorts/{cohort.id}"
    response = auth.post(f"{url}/invite", {"emails": "  "}, page=url)
    assert response.status_code == 400
    assert _errors(response.get_data(as_text=True)) == [
        "Type the addresses of the learners to invite."
    ]
    response = auth.post(f"{url}/tutors", {"email": "colleague@example.org"}, page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="colleague@example.org"' in html
    assert _errors(html)[0].startswith("No tutor account with a confirmed address")
    db.session.expire_all()
    assert [t.user_id for t in db.session.get(Cohort, cohort.id).tutors] == [tutor.id]
    assert db.session.scalar(sa.select(sa.func.count(CohortInvite.id))) == 0


def test_a_scenario_not_set_for_the_cohort_has_no_insight(client, login_as, course):
    tutor = login_as(Role.TUTOR)
    cohort = cohorts.create_cohort(tutor, "C")
    assert client.get(f"/cohorts/{cohort.id}/scenarios/ward-round").status_code == 404
    assert client.get(f"/cohorts/{cohort.id}/scenarios/nowhere").status_code == 404
