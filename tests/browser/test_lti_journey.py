"""A school day through the LMS (issue 12's "done when"): from a real LTI 1.3 platform
(tests/support/lti_platform.py), an instructor places a scenario and the assessment in their
course; two learners of different professions launch the scenario and play it; one takes the
assessment and the instructor marks it; the instructor syncs the roster, and a learner who
never launched shows as not started; the platform's gradebook holds both completions and the
assessment's score."""

import time

import pytest
from playwright.sync_api import Page, expect

from tests.support.lti import register
from tests.support.lti_platform import INSTRUCTOR, LEARNER, TestPlatform

pytestmark = pytest.mark.browser

COURSE_ID, COURSE = "ipp-1", "Interprofessional practice 1"
SCENARIO_LINK, ASSESSMENT_LINK = "A ward round", "Test module: check your understanding"
WRITTEN = "He wants to go home for the weekend.\nThe registrar reviews at 9."


@pytest.fixture
def lms(live_server, app, course):
    with TestPlatform(live_server.url) as platform:
        register(platform)
        platform.add_course(COURSE_ID, COURSE)
        platform.add_user("grace", "Grace Okoye", "grace@school.example", [INSTRUCTOR], [COURSE_ID])
        platform.add_user("ada", "Ada Mensah", "ada@students.example", [LEARNER], [COURSE_ID])
        platform.add_user("bo", "Bo Lindqvist", "bo@students.example", [LEARNER], [COURSE_ID])
        platform.add_user("cy", "Cy Tran", "cy@students.example", [LEARNER], [COURSE_ID])
        yield platform


@pytest.fixture
def person(browser, live_server):
    """person() -> a page in a browser context of its own (cookies of its own)."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(5_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def open_link(page: Page, lms: TestPlatform, user: str, link: str) -> None:
    page.goto(lms.course_url(COURSE_ID, user))
    page.get_by_role("link", name=link).click()


def play_to_an_ending(page: Page) -> None:
    heading(page, "At the bedside")
    page.get_by_role("button", name="Ask her what matters most").click()
    heading(page, "What matters")
    page.get_by_role("button", name="Tell the consultant").click()
    heading(page, "The huddle")
    page.get_by_role("button", name="Plan the discharge together").click()
    heading(page, "Home for the wedding")


def scores_when(lms: TestPlatform, enough, seconds: float = 5.0) -> list[dict]:
    """The platform's scores once ``enough(scores)`` holds (they are sent after the request
    that queued them has answered)."""
    deadline = time.monotonic() + seconds
    while not enough(lms.scores) and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(lms.scores)


def test_a_course_in_the_lms_from_placing_content_to_grades(
    lms, person, live_server, axe_check, screenshot_widths
):
    # The instructor places the scenario and the assessment in the course.
    grace = person()
    grace.goto(lms.course_url(COURSE_ID, "grace"))
    grace.get_by_role("link", name="Add eduapp content").click()
    heading(grace, f"Add eduapp content to {COURSE}")
    grace.get_by_role("checkbox", name=SCENARIO_LINK).check()
    grace.get_by_role("checkbox", name=ASSESSMENT_LINK).check()
    grace.get_by_role("button", name=f"Add to {COURSE}").click()
    heading(grace, COURSE)
    expect(grace.get_by_role("link", name=SCENARIO_LINK)).to_be_visible()

    # Two learners of different professions launch the scenario and play it.
    for user, profession in (("ada", "Nursing"), ("bo", "Pharmacy")):
        learner = person()
        open_link(learner, lms, user, SCENARIO_LINK)
        heading(learner, f"Welcome, {lms.users[user].name}")
        if user == "ada":
            axe_check(learner)
            screenshot_widths(learner, "lti-welcome")
        learner.get_by_label("Which profession are you studying for?").select_option(
            label=profession
        )
        learner.get_by_role("button", name="Continue").click()
        play_to_an_ending(learner)
        if user == "ada":
            ada = learner
    completions = scores_when(lms, lambda scores: len(scores) >= 2)
    assert sorted((s["userId"], s["scoreGiven"], s["scoreMaximum"]) for s in completions) == [
        ("ada", 1, 1),
        ("bo", 1, 1),
    ]
    assert {(s["activityProgress"], s["gradingProgress"]) for s in completions} == {
        ("Completed", "FullyGraded")
    }

    # Ada takes the assessment from its link; her written answer waits for a tutor.
    open_link(ada, lms, "ada", ASSESSMENT_LINK)
    heading(ada, ASSESSMENT_LINK)
    ada.get_by_role("button", name="Take the assessment").click()
    ada.get_by_label("Patients, carers and professionals shape the plan together.").check()
    for label in ("Knowledge of how the illness", "What matters most", "The dose calculation"):
        ada.get_by_label(label).check()
    ada.get_by_label("Your answer", exact=True).fill(WRITTEN)
    ada.get_by_role("group", name="Your answer").first.get_by_label("Fairly confident").check()
    ada.get_by_label("Sometimes").check()
    ada.get_by_label("\u22122 much less appropriate").check()
    ada.get_by_role("button", name="Submit my answers").click()
    heading(ada, f"Your result: {ASSESSMENT_LINK}")
    pending = scores_when(lms, lambda scores: len(scores) >= 3)[-1]
    assert (pending["userId"], pending["gradingProgress"]) == ("ada", "PendingManual")
    assert "scoreGiven" not in pending

    # The instructor, from the course, marks it.
    open_link(grace, lms, "grace", SCENARIO_LINK)
    heading(grace, "Test module")
    grace.goto(live_server.url + "/assessments/marking")
    grace.get_by_role("link", name="Ada Mensah").click()
    grace.get_by_label("States the patient's wish in his own words").fill("2")
    grace.get_by_label("Says who will act on it, and when").fill("1")
    grace.get_by_label("Leaves out judgement").fill("1")
    grace.get_by_label("Feedback to the learner").fill("Clear and in his words.")
    grace.get_by_role("button", name="Save the mark").click()
    expect(grace.get_by_role("status")).to_contain_text("Marked")
    final = scores_when(lms, lambda scores: len(scores) >= 4)[-1]
    assert (final["userId"], final["gradingProgress"]) == ("ada", "FullyGraded")
    assert final["scoreMaximum"] == 100 and 0 < final["scoreGiven"] <= 100

    # The roster: Cy never launched, and shows as not started once synced.
    grace.get_by_role("link", name="Cohorts").click()
    grace.get_by_role("link", name=COURSE).click()
    heading(grace, COURSE)
    expect(grace.get_by_text("Cy Tran")).to_have_count(0)
    grace.get_by_role("button", name="Sync the roster from the LMS").click()
    expect(grace.get_by_role("status")).to_contain_text(
        "Roster synced from Test platform: 1 new account; 1 learner joined"
    )
    expect(grace.get_by_role("row", name="Cy Tran")).to_contain_text("Not started")
    axe_check(grace)
    screenshot_widths(grace, "lti-cohort-dashboard-synced")

    # Every grade went once.
    assert len(lms.scores) == 4
