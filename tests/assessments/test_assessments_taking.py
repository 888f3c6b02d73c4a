"""A learner takes the module's assessment: every question type, drafts, submit once, results."""

import pytest

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.content.queries import assessment_of, newest_version
from eduapp.engine import score_attempt
from tests.support.accounts import Auth
from tests.support.assessments import (
    ENGINE_ANSWERS,
    FULL_FORM,
    OVERVIEW,
    attempt,
    attempts_of,
    send,
    start,
)


@pytest.fixture
def learner(course, login_as, client):
    return login_as(Role.LEARNER), Auth(client)


def test_the_module_page_offers_the_assessment(learner, client):
    page = client.get("/modules/test-module").get_data(as_text=True)
    assert "Assessment" in page and "Take the assessment" in page
    assert 'href="/assessments/test-module"' in page
    overview = client.get(OVERVIEW).get_data(as_text=True)
    assert "Test module: check your understanding" in overview and "3 in all" in overview


def test_every_question_type_is_shown_to_answer(learner, client):
    _, auth = learner
    page = client.get(f"/assessments/attempts/{start(auth)}").get_data(as_text=True)
    assert 'type="radio" id="answer-meaning-1" name="answer-meaning" value="1"' in page
    assert 'type="checkbox" id="answer-contributions-3"' in page
    assert '<textarea id="answer-handover" name="answer-handover"' in page
    # The rubric is shown to the learner with its points.
    assert "States the patient&#39;s wish in his own words</th><td>2</td>" in page
    assert "Not at all confident" in page and "Usually" in page
    assert "If you were thinking of" in page and "and then you learn that" in page
    assert "arranging a care-home placement" in page
    assert 'value="-2"' in page and "much less appropriate" in page
    assert "much more appropriate" in page


def test_submitting_scores_as_the_engine_does_and_waits_for_the_tutor(learner, client):
    _, auth = learner
    attempt_id = start(auth)
    response = send(auth, attempt_id, FULL_FORM)
    assert response.status_code == 302
    version = newest_version(DocumentKind.ASSESSMENT, "test-module")
    expected = score_attempt(assessment_of(version), ENGINE_ANSWERS)
    submitted = attempt(attempt_id)
    assert submitted.points == pytest.approx(expected.points)
    # 1 (single) + 2 x (2 right - 1 wrong) / 3 (multiple) + 1 (scale) + 4/5 (concordance).
    assert submitted.points == pytest.approx(1 + 2 / 3 + 1 + 0.8)
    assert (submitted.max_points, submitted.is_passed) == (10, None)
    by_question = {a.question_id: a for a in submitted.answers}
    assert by_question["handover"].needs_marking and by_question["handover"].points is None
    assert by_question["contributions"].answer == [0, 1, 2]
    assert by_question["home-visit"].points == pytest.approx(0.8)

    page = client.get(f"/assessments/attempts/{attempt_id}").get_data(as_text=True)
    assert "3.47 of 10 points so far" in page and "34.7%" in page and "60%" in page
    assert "Waiting for your tutor's marking" in page
    # Feedback for the options chosen, and not for the others.
    assert "Yes: each brings knowledge the others lack." in page
    assert "That stays the prescriber" in page
    assert "Explaining a finished plan" not in page
    # How the panel answered, as a table.
    assert "How the reference panel answered (10 members)" in page
    mine = '<th scope="row">\u22122 much less appropriate <span class="badge">your answer</span>'
    assert mine in page
    assert "Mr Adeyemi says he wants to be home for the weekend.\n  The registrar" in page


def test_a_double_submit_records_once(learner, client):
    user, auth = learner
    attempt_id = start(auth)
    assert send(auth, attempt_id, FULL_FORM).status_code == 302
    first = attempt(attempt_id)
    submitted_at, points = first.submitted_at, first.points
    changed = {**FULL_FORM, "answer-meaning": "0", "answer-handover": "Replaced"}
    again = send(auth, attempt_id, changed)
    assert again.status_code == 302 and again.headers["Location"].endswith(str(attempt_id))
    same = attempt(attempt_id)
    assert (same.submitted_at, same.points) == (submitted_at, points)
    assert {a.question_id: a.answer for a in same.answers}["meaning"] == 1
    assert len(attempts_of(user)) == 1
    page = client.get(f"/assessments/attempts/{attempt_id}").get_data(as_text=True)
    assert "already submitted" in page


def test_an_incomplete_submit_keeps_and_saves_what_was_written(learner, client):
    _, auth = learner
    attempt_id = start(auth)
    partial = {"answer-handover": "Half a thought <i>kept</i>", "answer-meaning": "2"}
    response = send(auth, attempt_id, partial)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Some answers need your attention" in page
    assert "Your answers so far are saved" in page
    assert '<a href="#question-contributions">Question 2: What patients bring</a>' in page
    assert "Half a thought &lt;i&gt;kept&lt;/i&gt;</textarea>" in page
    assert 'name="answer-meaning" value="2" checked' in page
    saved = attempt(attempt_id)
    assert saved.submitted_at is None
    assert {a.question_id: a.answer for a in saved.answers} == {
        "handover": "Half a thought <i>kept</i>",
        "meaning": 2,
    }
    # Coming back later (from the module page) shows the saved answers.
    resumed = client.get(f"/assessments/attempts/{start(auth)}").get_data(as_text=True)
    assert "Half a thought &lt;i&gt;kept&lt;/i&gt;</textarea>" in resumed


def test_save_and_finish_later_then_a_made_up_answer_is_refused(learner, client):
    _, auth = learner
    attempt_id = start(auth)
    response = send(auth, attempt_id, {"answer-speaking-up": "0"}, button="save")
    assert response.status_code == 302
    assert [a.answer for a in attempt(attempt_id).answers] == [0]
    bad = send(auth, attempt_id, {**FULL_FORM, "answer-meaning": "7"})
    assert bad.status_code == 400
    assert "Choose from the answers offered." in bad.get_data(as_text=True)
    assert "Nothing is saved yet" in bad.get_data(as_text=True)
    assert attempt(attempt_id).submitted_at is None


def test_attempts_are_limited_across_versions(learner, client, app, tmp_path):
    user, auth = learner
    for _ in range(2):
        assert send(auth, start(auth), FULL_FORM).status_code == 302
    # A new version of the assessment is published: attempts on the old one still count.
    source = app.config["CURRICULUM_DIR"] / "assessments" / "test-module.md"
    copy = tmp_path / "course"
    (copy / "curriculum" / "assessments").mkdir(parents=True)
    (copy / "curriculum" / "test-module.md").write_text(
        (app.config["CURRICULUM_DIR"] / "test-module.md").read_text()
    )
    (copy / "curriculum" / "assessments" / "test-module.md").write_text(
        source.read_text().replace("pass_mark: 60", "pass_mark: 50")
    )
    from eduapp.content.services import load_course

    load_course(copy / "curriculum", app.config["SCENARIOS_DIR"])
    third = start(auth)
    assert attempt(third).number == 3 and attempt(third).version.number == 2
    assert send(auth, third, FULL_FORM).status_code == 302
    refused = auth.post(f"{OVERVIEW}/start", page=OVERVIEW)
    assert refused.status_code == 302 and refused.headers["Location"].endswith(OVERVIEW)
    page = client.get(OVERVIEW).get_data(as_text=True)
    assert "You have used all 3 attempts at this assessment." in page
    assert len(attempts_of(user)) == 3


def test_learner_a_cannot_see_or_answer_learner_bs_attempt(learner, app, make_user, caplog):
    _, auth = learner
    attempt_id = start(auth)
    other = Auth(app.test_client())
    assert other.login(make_user(Role.LEARNER)).status_code == 302
    with caplog.at_level("WARNING", logger="eduapp.access"):
        assert other.client.get(f"/assessments/attempts/{attempt_id}").status_code == 404
        response = other.post(
            f"/assessments/attempts/{attempt_id}", {**FULL_FORM, "submit": "y"}, page=OVERVIEW
        )
    assert response.status_code == 404
    assert "refused: AssessmentAttempt" in caplog.text
    assert attempt(attempt_id).submitted_at is None and attempt(attempt_id).answers == []


def test_only_learners_start_an_assessment(course, login_as, client):
    login_as(Role.TUTOR)
    auth = Auth(client)
    assert auth.post(f"{OVERVIEW}/start", page=OVERVIEW).status_code == 403
    assert "Assessments are taken by learners." in client.get(OVERVIEW).get_data(as_text=True)
