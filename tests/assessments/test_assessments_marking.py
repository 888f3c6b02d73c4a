"""Tutors mark free-text answers of the learners they teach; the learner hears when it is done."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.assessments import services
from eduapp.assessments.models import AssessmentAnswer, AssessmentAttempt
from eduapp.assessments.queries import MARKING_PAGE_SIZE, cohort_assessment_results
from eduapp.cohorts import services as cohorts
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db, utcnow
from eduapp.notifications.models import Notification
from tests.support.accounts import Auth
from tests.support.assessments import FULL_FORM, attempt, send, start

HOSTILE = 'He said <b onmouseover="alert(1)">{{7*7}}</b>\n    and then   left.'
MARKS = {"points-0": "2", "points-1": "1", "points-2": "0", "feedback": "Good <em>start</em>."}


def signed_in(app, user) -> Auth:
    auth = Auth(app.test_client())
    assert auth.login(user).status_code == 302
    return auth


@pytest.fixture
def world(app, course, make_user):
    """A cohort taught by one tutor, a learner in it who submitted, and a tutor of another."""
    tutor, stranger = make_user(Role.TUTOR), make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER, profession="physiotherapy")
    cohort = cohorts.create_cohort(tutor, "Ward team A")
    cohorts.create_cohort(stranger, "Ward team B")
    cohorts.join(learner, cohort)
    learner_auth = signed_in(app, learner)
    attempt_id = start(learner_auth)
    assert send(learner_auth, attempt_id, {**FULL_FORM, "answer-handover": HOSTILE}).status_code
    answer = db.session.scalar(
        sa.select(AssessmentAnswer).where(
            AssessmentAnswer.attempt_id == attempt_id, AssessmentAnswer.question_id == "handover"
        )
    )
    return {
        "tutor": signed_in(app, tutor),
        "stranger": signed_in(app, stranger),
        "learner": learner,
        "learner_auth": learner_auth,
        "cohort": cohort,
        "attempt_id": attempt_id,
        "mark": f"/assessments/marking/{answer.id}",
    }


def test_the_queue_shows_only_the_tutors_learners(world):
    queue = world["tutor"].client.get("/assessments/marking").get_data(as_text=True)
    assert world["learner"].display_name in queue and "Physiotherapy" in queue
    assert "Writing the handover" in queue and "1 answer waiting" in queue
    assert world["mark"] in queue
    other = world["stranger"].client.get("/assessments/marking").get_data(as_text=True)
    assert "Nothing is waiting for your mark" in other
    assert world["learner"].display_name not in other


def test_the_queue_filters_by_cohort_and_module(world):
    client = world["tutor"].client
    cohort_id = world["cohort"].id
    shown = client.get(f"/assessments/marking?cohort={cohort_id}&module=test-module")
    assert world["mark"] in shown.get_data(as_text=True)
    # A cohort id the tutor does not teach is ignored rather than trusted.
    assert world["mark"] in client.get("/assessments/marking?cohort=999").get_data(as_text=True)


def test_a_tutor_of_another_cohort_gets_404_and_the_refusal_is_logged(world, caplog):
    with caplog.at_level("WARNING", logger="eduapp.access"):
        assert world["stranger"].client.get(world["mark"]).status_code == 404
        response = world["stranger"].post(world["mark"], MARKS, page="/assessments/marking")
    assert response.status_code == 404
    assert "refused: answer" in caplog.text
    assert attempt(world["attempt_id"]).is_passed is None


def test_the_marking_page_shows_everything_and_escapes_the_learners_text(world):
    page = world["tutor"].client.get(world["mark"]).get_data(as_text=True)
    assert "Writing the handover" in page and "(Physiotherapy)" in page
    assert "States the patient&#39;s wish in his own words" in page and "(0 to 2)" in page
    assert "I want to be home for my granddaughter" in page  # the model answer
    assert "&lt;b onmouseover=&#34;alert(1)&#34;&gt;{{7*7}}&lt;/b&gt;" in page
    assert "<b onmouseover" not in page and ">49<" not in page
    assert "\n    and then   left." in page  # white space kept; the CSS shows it


def test_marking_the_last_answer_scores_the_attempt_and_notifies_the_learner(world):
    response = world["tutor"].post(world["mark"], MARKS, page=world["mark"])
    assert response.status_code == 302
    marked = attempt(world["attempt_id"])
    # 3.47 before marking, plus 3 of 4 for the handover: 6.47 of 10 passes at 60%.
    assert marked.points == pytest.approx(1 + 2 / 3 + 1 + 0.8 + 3)
    assert marked.is_passed is True
    answer = next(a for a in marked.answers if a.question_id == "handover")
    assert answer.rubric_points == {"0": 2, "1": 1, "2": 0} and not answer.needs_marking
    notes = db.session.scalars(sa.select(Notification)).all()
    assert [(n.user_id, n.link) for n in notes] == [
        (world["learner"].id, f"/assessments/attempts/{world['attempt_id']}")
    ]
    assert "you passed" in notes[0].text
    # Correcting the mark rescores the attempt (now below the pass mark) and notifies no one.
    world["tutor"].post(world["mark"], {**MARKS, "points-1": "0"}, page=world["mark"])
    assert attempt(world["attempt_id"]).points == pytest.approx(1 + 2 / 3 + 1 + 0.8 + 2)
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1

    result = world["learner_auth"].client.get(f"/assessments/attempts/{world['attempt_id']}")
    page = result.get_data(as_text=True)
    assert "Your tutor&#39;s marking" in page or "Your tutor's marking" in page
    assert "Good &lt;em&gt;start&lt;/em&gt;." in page
    assert "&lt;b onmouseover=&#34;alert(1)&#34;&gt;{{7*7}}&lt;/b&gt;" in page
    assert "Not passed" in page and "54.7%" in page


def test_points_above_a_criterion_are_refused_and_nothing_changes(world):
    response = world["tutor"].post(world["mark"], {**MARKS, "points-0": "5"}, page=world["mark"])
    assert response.status_code == 400
    assert "At most 2 for this criterion." in response.get_data(as_text=True)
    assert attempt(world["attempt_id"]).is_passed is None
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0


def test_cohort_results_are_aggregated_per_learner_and_module(world, make_user, app):
    second = make_user(Role.LEARNER, profession="medicine")
    cohorts.join(second, world["cohort"])
    auth = signed_in(app, second)
    wrong = {**FULL_FORM, "answer-meaning": "0", "answer-handover": "Short."}
    assert send(auth, start(auth), wrong).status_code == 302
    world["tutor"].post(world["mark"], MARKS, page=world["mark"])
    page = [world["learner"].id, second.id]
    rows = {r.user_id: r for r in cohort_assessment_results(world["cohort"], page)}
    assert cohort_assessment_results(world["cohort"], [second.id])[0].user_id == second.id
    first = rows[world["learner"].id]
    assert (first.module, first.assessment, first.passed) == ("test-module", "test-module", True)
    assert (first.best_percent, first.attempts_used, first.pending_marking) == (64.7, 1, 0)
    waiting = rows[second.id]
    assert (waiting.best_percent, waiting.passed, waiting.pending_marking) == (None, False, 1)
    assert waiting.profession == "medicine"


# The queue's pages --------------------------------------------------------------------------
#: The fixture assessment answered in full, as the services store it.
STORED_ANSWERS = {
    "meaning": 1,
    "contributions": [0, 1, 2],
    "handover": "He wants to be home for the weekend.",
    "confidence": 2,
    "speaking-up": 1,
    "home-visit": -2,
}


class Queue:
    """A tutor of two cohorts, whose learners submit the fixture assessment one by one."""

    def __init__(self, app, make_user):
        self.make_user = make_user
        tutor = make_user(Role.TUTOR)
        self.cohort = cohorts.create_cohort(tutor, "Ward team A")
        self.other_cohort = cohorts.create_cohort(tutor, "Ward team B")
        self.tutor = signed_in(app, tutor)
        self.version = newest_version(DocumentKind.ASSESSMENT, "test-module")
        #: The written answers waiting, oldest first.
        self.waiting: list[int] = []

    def submit(self, count: int, cohort=None) -> list[int]:
        """``count`` new learners submit, each a minute *before* all earlier ones, so that
        oldest first is the opposite of the order of ids. Their answers' ids, oldest first."""
        added = []
        for _ in range(count):
            learner = self.make_user(Role.LEARNER)
            cohorts.join(learner, cohort or self.cohort)
            submitted = services.start_attempt(learner, self.version)
            assert services.submit(submitted, STORED_ANSWERS)
            db.session.execute(
                sa.update(AssessmentAttempt)
                .where(AssessmentAttempt.id == submitted.id)
                .values(submitted_at=utcnow() - timedelta(minutes=len(self.waiting) + 1))
            )
            db.session.commit()
            answer_id = db.session.scalar(
                sa.select(AssessmentAnswer.id).where(
                    AssessmentAnswer.attempt_id == submitted.id,
                    AssessmentAnswer.question_id == "handover",
                )
            )
            self.waiting.insert(0, answer_id)
            added.insert(0, answer_id)
        return added

    def get(self, url: str = "/assessments/marking") -> str:
        response = self.tutor.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def queue(app, course, make_user) -> Queue:
    return Queue(app, make_user)


def listed(page: str) -> list[int]:
    """The answers a queue page lists, in its order."""
    return [int(n) for n in re.findall(r'href="/assessments/marking/(\d+)"', page)]


def later_link(page: str) -> str:
    match = re.search(r'<a href="([^"]+)">Later</a>', page)
    assert match, "no link to the next page"
    return html.unescape(match.group(1))


def test_the_queue_is_paged_oldest_first(queue):
    queue.submit(MARKING_PAGE_SIZE + 5)
    first = queue.get()
    assert listed(first) == queue.waiting[:MARKING_PAGE_SIZE]
    assert "30 answers waiting (page 1 of 2)" in first
    second = queue.get(later_link(first))
    assert listed(second) == queue.waiting[MARKING_PAGE_SIZE:]
    assert "30 answers waiting (page 2 of 2)" in second
    assert "Earlier</a>" in second and "Later</a>" not in second


def test_the_filters_survive_paging(queue):
    queue.submit(3, queue.other_cohort)
    mine = queue.submit(MARKING_PAGE_SIZE + 2)
    queue.submit(3, queue.other_cohort)
    url = f"/assessments/marking?cohort={queue.cohort.id}&module=test-module"
    first = queue.get(url)
    assert listed(first) == mine[:MARKING_PAGE_SIZE]
    assert "27 answers waiting" in first
    link = later_link(first)
    assert f"cohort={queue.cohort.id}" in link and "module=test-module" in link
    assert listed(queue.get(link)) == mine[MARKING_PAGE_SIZE:]
    everyone = queue.get()
    assert "33 answers waiting" in everyone
    assert listed(queue.get(later_link(everyone))) == queue.waiting[MARKING_PAGE_SIZE:]


def test_a_page_past_the_end_is_empty_and_leads_back(queue):
    queue.submit(3)
    page = queue.get(f"/assessments/marking?page=7&cohort={queue.cohort.id}")
    assert listed(page) == []
    assert "3 answers waiting, but not this many pages" in page
    assert f'href="/assessments/marking?cohort={queue.cohort.id}"' in page
    for odd in ("0", "-1", "many"):
        assert listed(queue.get(f"/assessments/marking?page={odd}")) == queue.waiting


def test_a_page_costs_the_same_statements_whatever_its_rows(queue, count_queries):
    queue.submit(5)
    queue.get()  # warm up: the course's sources are parsed once per process
    with count_queries() as few:
        assert len(listed(queue.get())) == 5
    queue.submit(MARKING_PAGE_SIZE)
    queue.get()
    with count_queries() as full:
        assert len(listed(queue.get())) == MARKING_PAGE_SIZE
    assert len(full) == len(few), "\n".join(full)
