"""Grades to the LMS (Assignment and Grade Services) through the outbox: learners launched from
a real platform (lti1p3platform on loopback) finish a scenario or an assessment, and the
platform's gradebook holds what eduapp sent it, once (eduapp/lti/scores.py)."""

import re
import threading
from datetime import timedelta

import httpx
import jwt
import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.assessments import services as assessments
from eduapp.assessments.models import AssessmentAttempt
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import Cohort
from eduapp.content.models import Document, DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db, utcnow
from eduapp.lti import keys, scores, service_client
from eduapp.lti.models import Context, Identity, Platform, ResourceLink, ScoreOutbox, ToolKey
from eduapp.player.models import Attempt
from eduapp.transaction import unit_of_work
from tests.support.accounts import csrf_from
from tests.support.assessments import FULL_FORM
from tests.support.lti import lms_platform, register
from tests.support.lti_platform import INSTRUCTOR, LEARNER
from tests.support.player import choose, start

COURSE = "ipp-1"
SCENARIO_ITEM = {"eduapp_item": "scenario:ward-round"}
ASSESSMENT_ITEM = {"eduapp_item": "assessment:test-module"}
AGS_SCOPES = " ".join([service_client.LINEITEM_SCOPE, service_client.SCORE_SCOPE])


class Browser:
    """A person's browser against the live eduapp (and the platform: cookies are per host)."""

    def __init__(self, live_server):
        self.base = live_server.url
        self.http = httpx.Client()

    def get(self, path: str) -> httpx.Response:
        return self.http.get(self.base + path)

    def post(self, path: str, data: dict, page: str | None = None) -> httpx.Response:
        token = csrf_from(self.get(page or path).text)
        return self.http.post(self.base + path, data={"csrf_token": token, **data})

    def launch(self, platform, user: str, link_id: str) -> str:
        """Open the link from the platform; where eduapp sends the person (a path)."""
        form = platform.launch_with(self.http, user, COURSE, link_id)
        response = self.http.post(form.action, data=form.fields)
        assert response.status_code == 302, response.text
        location = response.headers["Location"]
        if location.endswith("/lti/welcome"):
            response = self.post("/lti/welcome", {"profession": "nursing"})
            assert response.status_code == 302, response.text
            location = response.headers["Location"]
        return location.removeprefix(self.base)

    def play_to_an_ending(self, page: str | None = None) -> httpx.Response:
        """Take the shortest path to an ending on the attempt ``page`` (the launch opened it),
        or on a fresh start of the fixture scenario."""
        if page is None:
            data = {"fresh": "y"}
            response = self.post("/scenarios/ward-round/start", data, page="/modules/test-module")
            assert response.status_code == 302, response.text
            page = re.search(r"/attempts/\d+", response.headers["Location"]).group(0)
        self.choose(page, 0, 1)
        return self.choose(page, 1, 2)

    def choose(self, page: str, step: int, number: int) -> httpx.Response:
        response = self.post(page, {"step": step, "choice": number, "visibility": "private"})
        assert response.status_code == 302, response.text
        return response

    def close(self):
        self.http.close()


@pytest.fixture
def lms(app, course, live_server, lti_platform):
    """The platform registered in eduapp (with eduapp's signing key), with a course, a learner
    and a link to the fixture scenario graded into a column of the gradebook."""
    register(lti_platform)
    with unit_of_work():
        keys.ensure_signing_key()
    service_client.forget_tokens()
    lti_platform.add_course(COURSE, "Interprofessional practice", "IPP")
    lti_platform.add_user("ada", "Ada Learner", "ada@students.example.edu", [LEARNER], [COURSE])
    lti_platform.add_user("tom", "Tom Tutor", "tom@staff.example.edu", [INSTRUCTOR], [COURSE])
    return lti_platform


@pytest.fixture
def browsers(live_server):
    opened = []

    def open_one() -> Browser:
        browser = Browser(live_server)
        opened.append(browser)
        return browser

    yield open_one
    for browser in opened:
        browser.close()


def _rows() -> list[ScoreOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ScoreOutbox).order_by(ScoreOutbox.id)))


def _due_now() -> None:
    """Time passes: every waiting score is due."""
    with unit_of_work():
        db.session.execute(sa.update(ScoreOutbox).values(next_try_at=utcnow()))


def _scores_of(platform, user: str = "ada") -> list[dict]:
    return [score for score in platform.scores if score["userId"] == user]


# Scenarios --------------------------------------------------------------------------------------
def test_a_learner_who_finishes_the_scenario_has_it_in_the_gradebook(lms, browsers):
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM, line_item={"scoreMaximum": 1})
    ada = browsers()
    page = ada.launch(lms, "ada", link.id)
    assert re.fullmatch(r"/attempts/\d+", page)  # the link starts the scenario

    ada.play_to_an_ending(page)  # sent once the request committed (LTI_SEND_AFTER_REQUEST)

    [score] = lms.scores
    assert score["line_item_id"] == link.line_item_id
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("ada", 1.0, 1.0)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    [row] = _rows()
    assert row.sent_at is not None and row.tries == 1 and row.last_error is None
    assert score["timestamp"] == row.scored_at.isoformat()
    assert scores.send_due().sent == 0  # nothing is sent twice
    assert len(lms.scores) == 1


def test_a_score_waits_while_the_platform_is_down_and_is_sent_once_it_is_back(lms, browsers):
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM, line_item={"scoreMaximum": 1})
    ada = browsers()
    ada.launch(lms, "ada", link.id)
    lms.down = True

    ada.play_to_an_ending()

    assert lms.scores == []
    [row] = _rows()
    assert row.sent_at is None and row.tries == 1 and "503" in row.last_error
    assert row.next_try_at > utcnow() + timedelta(seconds=20)  # it backs off
    assert scores.send_due().sent == 0  # not due yet
    lms.down = False
    _due_now()
    first, second = scores.send_due(), scores.send_due()
    assert (first.sent, second.sent) == (1, 0)
    assert len(_scores_of(lms)) == 1
    [row] = _rows()
    assert row.sent_at is not None and row.last_error is None and row.tries == 2


def test_the_sender_backs_off_growing_and_gives_up_after_its_tries(lms, app, browsers):
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM, line_item={"scoreMaximum": 1})
    app.config["LTI_SCORE_MAX_TRIES"] = 4
    ada = browsers()
    ada.launch(lms, "ada", link.id)
    lms.down = True
    ada.play_to_an_ending()  # the first try, after the request
    waits = []
    for _ in range(3):
        _due_now()
        before = utcnow()
        assert scores.send_due().waiting == 1
        [row] = _rows()
        waits.append(row.next_try_at - before)
    assert waits[0] < waits[1] < waits[2] <= scores.MAX_BACKOFF
    _due_now()
    assert scores.send_due().sent == 0  # four tries: no more
    [row] = _rows()
    assert row.tries == 4 and row.sent_at is None and lms.scores == []


def test_a_score_the_platform_refuses_is_not_tried_again(lms, app, browsers):
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM, line_item={"scoreMaximum": 1})
    ada = browsers()
    ada.launch(lms, "ada", link.id)
    lms.users["ada"].courses = []  # she left the course in the LMS: a 400 for her score

    ada.play_to_an_ending()

    [row] = _rows()
    assert row.sent_at is None and "400" in row.last_error
    assert row.tries == app.config["LTI_SCORE_MAX_TRIES"]
    _due_now()
    assert scores.send_due().sent == 0
    assert lms.scores == []


def test_finishing_again_replaces_a_score_still_waiting(lms, browsers):
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM, line_item={"scoreMaximum": 1})
    ada = browsers()
    ada.launch(lms, "ada", link.id)
    lms.down = True
    ada.play_to_an_ending()
    [older] = _rows()
    older_at = older.scored_at
    ada.play_to_an_ending()  # again, from the start

    [newer] = _rows()
    assert newer.scored_at > older_at
    lms.down = False
    _due_now()
    assert scores.send_due().sent == 1
    assert len(lms.scores) == 1


def test_two_senders_at_once_send_every_score_exactly_once(lms, app, make_user):
    platform = db.session.scalar(sa.select(Platform))
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM, line_item={"scoreMaximum": 1})
    document = _document(DocumentKind.SCENARIO, "ward-round")
    with unit_of_work():
        cohort = Cohort(name="Interprofessional practice", join_code="LMSCOHRT")
        db.session.add(cohort)
        db.session.flush()
        context = _context(platform, cohort)
        db.session.add(
            ResourceLink(
                context_pk=context.id,
                resource_link_id=link.id,
                document=document,
                lineitem_url=lms.lineitem_url(COURSE, link.line_item_id),
            )
        )
    learners = []
    for number in range(12):
        user = make_user(Role.LEARNER)
        subject = f"learner-{number}"
        lms.add_user(subject, f"Learner {number}", f"{subject}@example.edu", [LEARNER], [COURSE])
        with unit_of_work():
            db.session.add(Identity(platform_id=platform.id, subject=subject, user_id=user.id))
            cohorts.join(user, db.session.get(Cohort, cohort.id))
            assert scores.scenario_finished(user.id, document.id) == 1
        learners.append(subject)
    errors = []

    def sender():
        with app.app_context():
            try:
                while scores.send_due(limit=3).sent:
                    pass
            except Exception as error:  # reported below; a thread's exception is otherwise lost
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(score["userId"] for score in lms.scores) == sorted(learners)
    assert all(row.sent_at is not None for row in _rows())
    # One token for the whole run of each sender, not one per score.
    assert len(lms.used_assertion_ids) <= 2


def _document(kind: DocumentKind, slug: str) -> Document:
    return db.session.scalar(
        sa.select(Document).where(Document.kind == kind, Document.slug == slug)
    )


def _context(platform: Platform, cohort: Cohort) -> Context:
    context = Context(
        platform_id=platform.id,
        context_id=COURSE,
        cohort_id=cohort.id,
        deployment_id="deployment-1",
        title="Interprofessional practice",
        lineitems_url=f"{platform.issuer}/courses/{COURSE}/lineitems",
        ags_scopes=AGS_SCOPES,
    )
    db.session.add(context)
    db.session.flush()
    return context


# Line items ---------------------------------------------------------------------------------------
def test_a_link_without_a_column_gets_one_made_and_kept(lms, browsers):
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM)  # no line item
    ada = browsers()
    ada.launch(lms, "ada", link.id)

    ada.play_to_an_ending()

    [item] = lms.line_items.values()
    assert (item.label, item.score_maximum) == ("Ward round", 1.0)
    assert (item.resource_link_id, item.resource_id) == (link.id, "scenario:ward-round")
    [score] = lms.scores
    assert score["line_item_id"] == item.id
    stored = db.session.scalar(sa.select(ResourceLink.lineitem_url))
    assert stored == lms.lineitem_url(COURSE, item.id)


def test_a_column_the_platform_has_for_the_link_is_found_not_made_again(lms, browsers):
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM)
    lms.add_line_item(COURSE, "Other activity", 10)
    existing = lms.add_line_item(
        COURSE, "Ward round (made in the LMS)", 1, resource_link_id=link.id
    )
    ada = browsers()
    ada.launch(lms, "ada", link.id)

    ada.play_to_an_ending()

    assert len(lms.line_items) == 2
    [score] = lms.scores
    assert score["line_item_id"] == existing.id


def test_a_course_that_lets_eduapp_make_no_column_gives_the_score_up(lms, app, browsers):
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM)
    ada = browsers()
    ada.launch(lms, "ada", link.id)
    with unit_of_work():
        db.session.execute(sa.update(Context).values(ags_scopes=service_client.SCORE_SCOPE))

    ada.play_to_an_ending()

    [row] = _rows()
    assert row.sent_at is None and row.tries == app.config["LTI_SCORE_MAX_TRIES"]
    assert "gradebook column" in row.last_error
    assert lms.line_items == {} and lms.scores == []


# Assessments ------------------------------------------------------------------------------------
def test_an_assessment_waiting_for_marking_is_pending_then_fully_graded(lms, browsers):
    link = lms.add_link(COURSE, "Check your understanding", ASSESSMENT_ITEM)
    ada, tom = browsers(), browsers()
    assert ada.launch(lms, "ada", link.id) == "/assessments/test-module"
    response = ada.post("/assessments/test-module/start", {}, page="/assessments/test-module")
    assert response.status_code == 302, response.text
    attempt_page = response.headers["Location"].removeprefix(ada.base)
    response = ada.post(attempt_page, {**FULL_FORM, "submit": "y"}, page="/assessments/test-module")
    assert response.status_code == 302, response.text

    [pending] = lms.scores
    assert (pending["activityProgress"], pending["gradingProgress"]) == (
        "Submitted",
        "PendingManual",
    )
    assert "scoreGiven" not in pending  # no grade before a tutor's mark
    [item] = lms.line_items.values()
    assert (item.score_maximum, item.resource_id) == (100.0, "assessment:test-module")

    tom.launch(lms, "tom", link.id)  # the course's instructor: a tutor of its cohort
    marking = tom.get("/assessments/marking").text
    answer_page = re.search(r"/assessments/marking/\d+", marking).group(0)
    marks = {"points-0": "2", "points-1": "1", "points-2": "1", "feedback": "Clear."}
    assert tom.post(answer_page, marks).status_code == 302

    assert len(lms.scores) == 2
    marked = lms.scores[-1]
    assert (marked["activityProgress"], marked["gradingProgress"]) == ("Completed", "FullyGraded")
    attempt = db.session.scalar(sa.select(AssessmentAttempt))
    percent = round(100 * attempt.points / attempt.max_points, 2)
    assert (marked["scoreGiven"], marked["scoreMaximum"]) == (percent, 100.0)
    assert marked["timestamp"] > pending["timestamp"]


def test_the_best_marked_attempt_counts(app, course, make_user):
    learner = make_user(Role.LEARNER)
    version = newest_version(DocumentKind.ASSESSMENT, "test-module")
    with unit_of_work():
        first = assessments.start_attempt(learner, version)
        assessments.submit(first, {"meaning": 1, "contributions": [0, 1, 3]})
    grade = scores.assessment_grade(learner.id, version.document_id)
    assert grade.grading_progress == "FullyGraded" and grade.score_given > 0
    best = grade.score_given
    with unit_of_work():
        second = assessments.start_attempt(learner, version)
        assessments.submit(second, {"meaning": 0})
    assert scores.assessment_grade(learner.id, version.document_id).score_given == best
    with unit_of_work():
        third = assessments.start_attempt(learner, version)
        assessments.submit(third, {"handover": "She wants to go home."})
    waiting = scores.assessment_grade(learner.id, version.document_id)
    assert (waiting.grading_progress, waiting.score_given) == ("PendingManual", best)


# Queueing on the play step's path ---------------------------------------------------------------
LTI_TABLES = re.compile(r"\blti_\w+")


def test_a_choice_that_does_not_end_the_attempt_asks_nothing_of_lti(
    client, auth, login_as, course, count_queries
):
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    with count_queries() as statements:
        choose(auth, attempt_id, 1)
    assert not any(LTI_TABLES.search(s) for s in statements), "\n".join(statements)
    with count_queries() as statements:
        choose(auth, attempt_id, 2)  # the ending: one look for links, none found
    assert db.session.get(Attempt, attempt_id).status == "completed"
    assert sum(1 for s in statements if LTI_TABLES.search(s)) == 1, "\n".join(statements)
    assert _rows() == []


def test_a_finished_scenario_is_queued_for_each_course_that_knows_the_learner(
    app, course, make_user, lti_rows
):
    learner = make_user(Role.LEARNER)
    stranger = make_user(Role.LEARNER)  # in the cohort, with no identity on the platform
    outsider = make_user(Role.LEARNER)  # linked on the platform, not in the cohort
    with unit_of_work():
        lti_rows.member(learner, "ada")
        lti_rows.member(stranger, None)
        lti_rows.identity(outsider, "olga")
    document = lti_rows.document
    with unit_of_work():
        assert scores.scenario_finished(learner.id, document.id) == 1
        assert scores.scenario_finished(stranger.id, document.id) == 0
        assert scores.scenario_finished(outsider.id, document.id) == 0
        other = _document(DocumentKind.ASSESSMENT, "test-module")
        assert scores.scenario_finished(learner.id, other.id) == 0
    [row] = _rows()
    assert (row.user_id, row.link_pk, row.score_given) == (learner.id, lti_rows.link.id, 1.0)


def test_a_newer_score_replaces_only_what_still_waits(app, course, make_user, lti_rows):
    learner = make_user(Role.LEARNER)
    with unit_of_work():
        lti_rows.member(learner, "ada")
        scores.scenario_finished(learner.id, lti_rows.document.id)
    with unit_of_work():
        db.session.execute(sa.update(ScoreOutbox).values(sent_at=utcnow()))  # sent
        scores.scenario_finished(learner.id, lti_rows.document.id)
    with unit_of_work():
        scores.scenario_finished(learner.id, lti_rows.document.id)
    rows = _rows()
    assert len(rows) == 2
    assert rows[0].sent_at is not None and rows[1].sent_at is None


def test_a_score_rolled_back_with_its_transaction_is_never_queued(app, course, make_user, lti_rows):
    learner = make_user(Role.LEARNER)
    with unit_of_work():
        lti_rows.member(learner, "ada")

    class Failed(Exception):
        pass

    with pytest.raises(Failed), unit_of_work():
        scores.scenario_finished(learner.id, lti_rows.document.id)
        raise Failed
    assert _rows() == []


class LtiRows:
    """An LMS course (context) whose cohort has a link to ward-round, made in the database."""

    def __init__(self):
        with unit_of_work():
            self.platform = lms_platform()
            self.cohort = Cohort(name="LMS cohort", join_code="LMSROWS1")
            db.session.add(self.cohort)
            db.session.flush()
            context = _context(self.platform, self.cohort)
            self.document = _document(DocumentKind.SCENARIO, "ward-round")
            self.link = ResourceLink(
                context_pk=context.id, resource_link_id="link-1", document=self.document
            )
            db.session.add(self.link)

    def identity(self, user, subject: str) -> None:
        db.session.add(Identity(platform_id=self.platform.id, subject=subject, user_id=user.id))
        db.session.flush()

    def member(self, user, subject: str | None) -> None:
        if subject is not None:
            self.identity(user, subject)
        cohorts.join(user, db.session.get(Cohort, self.cohort.id))


@pytest.fixture
def lti_rows(app, course):
    return LtiRows()


# The parts --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lineitem", "endpoint"),
    [
        (
            "https://lms.example.edu/c/1/lineitems/7",
            "https://lms.example.edu/c/1/lineitems/7/scores",
        ),
        (
            "https://lms.example.edu/c/1/lineitems/7/?type_id=2",
            "https://lms.example.edu/c/1/lineitems/7/scores?type_id=2",
        ),
    ],
)
def test_scores_go_to_the_line_items_scores_endpoint(lineitem, endpoint):
    assert scores.scores_url(lineitem) == endpoint


def test_the_client_assertion_names_eduapp_and_the_token_endpoint(app):
    platform = Platform(
        name="LMS",
        issuer="https://lms.example.edu",
        client_id="eduapp-client",
        auth_url="https://lms.example.edu/auth",
        token_url="https://lms.example.edu/token",
        jwks_url="https://lms.example.edu/jwks",
    )
    with unit_of_work():
        keys.ensure_signing_key()
    first = service_client.client_assertion(platform)
    second = service_client.client_assertion(platform)
    key = db.session.scalar(sa.select(ToolKey))
    assert jwt.get_unverified_header(first)["kid"] == key.kid
    claims = jwt.decode(
        first,
        keys._private(key).public_key(),
        algorithms=["RS256"],
        audience="https://lms.example.edu/token",
    )
    assert claims["iss"] == claims["sub"] == "eduapp-client"
    assert claims["exp"] - claims["iat"] == 300
    assert claims["jti"] != jwt.decode(second, options={"verify_signature": False})["jti"]


def test_a_token_the_platform_no_longer_accepts_is_replaced_once(lms, browsers):
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM, line_item={"scoreMaximum": 1})
    ada = browsers()
    ada.launch(lms, "ada", link.id)
    ada.play_to_an_ending()
    assert len(lms.scores) == 1 and len(lms.used_assertion_ids) == 1
    platform = db.session.scalar(sa.select(Platform))
    key = service_client._cache_key(platform, [service_client.SCORE_SCOPE])
    service_client._tokens[key] = ("revoked-token", float("inf"))
    with unit_of_work():
        db.session.execute(sa.update(ScoreOutbox).values(sent_at=None, next_try_at=utcnow()))

    assert scores.send_due().sent == 1

    assert len(lms.scores) == 2 and len(lms.used_assertion_ids) == 2


def test_flask_lti_send_scores_sends_what_is_due(lms, app, browsers):
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM, line_item={"scoreMaximum": 1})
    ada = browsers()
    ada.launch(lms, "ada", link.id)
    lms.down = True
    ada.play_to_an_ending()
    lms.down = False
    _due_now()

    result = app.test_cli_runner().invoke(args=["lti", "send-scores"])

    assert result.exit_code == 0, result.output
    assert "1 sent, 0 waiting to be tried again, 0 given up." in result.output
    assert len(lms.scores) == 1


def test_flask_lti_rotate_key_signs_with_a_new_key(app):
    with unit_of_work():
        old = keys.ensure_signing_key().kid

    result = app.test_cli_runner().invoke(args=["lti", "rotate-key"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    new = keys.signing_key()
    assert new.kid != old and new.kid in result.output
    assert {key.kid for key in keys.published_keys()} == {old, new.kid}


def test_without_sending_after_requests_a_score_waits_for_the_sender(
    lms, browsers, live_server, monkeypatch
):
    """Production: a request never waits for the LMS; `flask lti send-scores --loop` sends."""
    monkeypatch.setitem(live_server.app.config, "LTI_SEND_AFTER_REQUEST", False)
    link = lms.add_link(COURSE, "Ward round", SCENARIO_ITEM, line_item={"scoreMaximum": 1})
    ada = browsers()
    ada.play_to_an_ending(ada.launch(lms, "ada", link.id))

    [row] = _rows()
    assert (row.tries, row.sent_at, lms.scores) == (0, None, [])
    assert scores.send_due().sent == 1
    assert len(lms.scores) == 1


class _StopLoop(Exception):
    """Ends `flask lti send-scores --loop` in a test, where a service would be stopped."""


def test_the_sender_loop_outlives_a_database_outage(app, monkeypatch):
    turns = []

    def database_down_first(*args, **kwargs):
        turns.append("send")
        if len(turns) == 1:
            raise sa.exc.OperationalError("SELECT", {}, ConnectionRefusedError("server down"))
        return scores.send_due(*args, **kwargs)

    def sleep(_seconds):
        if len(turns) >= 2:
            raise _StopLoop

    monkeypatch.setattr("eduapp.lti.cli.send_due", database_down_first)
    monkeypatch.setattr("eduapp.lti.cli.time.sleep", sleep)

    result = app.test_cli_runner().invoke(args=["lti", "send-scores", "--loop", "--interval", "1"])

    assert isinstance(result.exception, _StopLoop)  # stopped by us, not by the outage
    assert turns == ["send", "send"]
