"""A learner takes the fixture assessment in the browser; their tutor marks the written answer."""

import pytest
from playwright.sync_api import Page, expect

from eduapp.accounts.models import Role, User
from eduapp.cohorts import services as cohorts
from eduapp.transaction import unit_of_work
from tests.support.accounts import PASSWORD

pytestmark = pytest.mark.browser

WRITTEN = "He wants to go home for the weekend <b>{{7*7}}</b>.\nThe registrar reviews at 9."


def sign_in(page: Page, user: User) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The course")


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_a_learner_takes_the_assessment_and_a_tutor_marks_it(
    page, course, make_user, axe_check, screenshot_widths
):
    tutor = make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER, profession="physiotherapy")
    with unit_of_work():
        cohorts.join(learner, cohorts.create_cohort(tutor, "Ward team"))

    sign_in(page, learner)
    page.goto("/modules/test-module")
    axe_check(page)
    page.get_by_role("link", name="Take the assessment").click()
    heading(page, "Test module: check your understanding")
    axe_check(page)
    page.get_by_role("button", name="Take the assessment").click()
    expect(page.get_by_role("button", name="Submit my answers")).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "assessment")

    page.get_by_label("Patients, carers and professionals shape the plan together.").check()
    for label in ("Knowledge of how the illness", "What matters most", "The dose calculation"):
        page.get_by_label(label).check()
    page.get_by_label("Your answer", exact=True).fill(WRITTEN)
    page.get_by_role("group", name="Your answer").first.get_by_label("Fairly confident").check()
    page.get_by_label("Sometimes").check()
    # Leave the concordance item out: the page says so and keeps everything written.
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Question 6: Risk at home")
    axe_check(page)
    expect(page.get_by_label("Your answer", exact=True)).to_have_value(WRITTEN)
    page.get_by_label("\u22122 much less appropriate").check()
    page.get_by_role("button", name="Submit my answers").click()

    heading(page, "Your result: Test module: check your understanding")
    expect(page.get_by_text("Waiting for your tutor's marking").first).to_be_visible()
    expect(
        page.get_by_role("table", name="How the reference panel answered (10 members)")
    ).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "assessment-result")

    sign_in(page, tutor)
    page.goto("/assessments/marking")
    heading(page, "Marking")
    axe_check(page)
    page.get_by_role("link", name=learner.display_name).click()
    heading(page, "Mark: Writing the handover")
    expect(page.get_by_text(WRITTEN.split("\n")[0])).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "assessment-marking")
    page.get_by_label("States the patient's wish in his own words").fill("2")
    page.get_by_label("Says who will act on it, and when").fill("1")
    page.get_by_label("Leaves out judgement").fill("1")
    page.get_by_label("Feedback to the learner").fill("Clear and in his words.")
    page.get_by_role("button", name="Save the mark").click()
    expect(page.get_by_role("status")).to_contain_text("Marked")
    expect(page.get_by_text("Nothing is waiting for your mark")).to_be_visible()

    sign_in(page, learner)
    page.goto("/modules/test-module")
    page.get_by_role("link", name="Your latest result").click()
    expect(page.get_by_text("Passed").first).to_be_visible()
    expect(page.get_by_text("Clear and in his words.")).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "assessment-result-marked")


def test_the_studio_previews_the_question_under_the_cursor(
    page, course, make_user, axe_check, screenshot_widths
):
    from eduapp.content.models import DocumentKind
    from eduapp.studio.revisions import create_document

    educator = make_user(Role.PATIENT_EDUCATOR)
    with unit_of_work():
        create_document(educator, DocumentKind.ASSESSMENT, "team-check", "Team check", "")
    sign_in(page, educator)
    page.goto("/studio/assessment/team-check")
    heading(page, "Team check")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("A first question")
    expect(preview.get_by_text("correct", exact=True)).to_be_visible()
    page.locator("#source").evaluate(
        "el => { const at = el.value.indexOf('What the learner writes');"
        " el.focus(); el.setSelectionRange(at, at); }"
    )
    page.keyboard.press("ArrowRight")
    expect(preview).to_contain_text("What a tutor looks for first")
    axe_check(page)
    screenshot_widths(page, "assessment-studio")
