"""A tutor's cohort from creation to insight: two learners of different professions join with the
code and play, one shares a reflection, the tutor replies and tags it, the learner reads the
reply, the tutor's chart splits the choices by profession, and the CSV downloads. Four more of
each profession play outside the browser: a profession is a column only from five learners
(docs/privacy.md)."""

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from eduapp.accounts.models import Role
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import Cohort
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version, scenario_of
from eduapp.extensions import db
from eduapp.player import services as player
from eduapp.transaction import unit_of_work
from tests.support.accounts import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, user) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The course")


def join_and_play(page: Page, learner, code: str, first_choice: str, reflection: str = ""):
    sign_in(page, learner)
    page.goto("/my/learning")
    page.get_by_label("Cohort code").fill(code)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("Ward week").first).to_be_visible()
    page.goto("/modules/test-module")
    page.get_by_role("button", name="Start: A ward round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("At the bedside")
    if reflection:
        page.get_by_label("What did you notice first?").fill(reflection)
        page.get_by_label("Me and my tutors").check()
    page.get_by_role("button", name=first_choice).click()
    # Play on with the first choice offered until an ending.
    for _ in range(6):
        if page.get_by_text("Ending:").count():
            break
        page.locator("button.choice").first.click()
    expect(page.get_by_text("Ending:")).to_be_visible()


def others_play(make_user, code: str, profession: str, first_choice: str, count: int = 4):
    """``count`` more learners of a profession join with the code and take ``first_choice``."""
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.join_code == code))
    version = newest_version(DocumentKind.SCENARIO, "ward-round")
    scenario = scenario_of(version)
    labels = [choice.label for choice in scenario.node(scenario.start).choices]
    number = 1 + labels.index(first_choice)
    for _ in range(count):
        learner = make_user(Role.LEARNER, profession=profession)
        with unit_of_work():
            cohorts.join(learner, cohort)
            player.choose(player.start_attempt(learner, version), 0, number)


def test_a_cohort_from_join_code_to_per_profession_insight(
    page, course, make_user, axe_check, screenshot_widths
):
    tutor = make_user(Role.TUTOR)
    doctor = make_user(Role.LEARNER, profession="medicine")
    nurse = make_user(Role.LEARNER, profession="nursing")

    sign_in(page, tutor)
    page.get_by_role("link", name="Cohorts").click()
    axe_check(page)
    page.get_by_label("Cohort name").fill("Ward week")
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward week")
    code = page.locator(".join-code").first.inner_text().strip()
    page.get_by_label("Module", exact=True).select_option(label="Test module")
    page.get_by_role("button", name="Set module").click()
    expect(page.get_by_role("status")).to_contain_text("Module set")

    join_and_play(page, doctor, code, "Ask her what matters most", "She wanted to go home.")
    join_and_play(page, nurse, code, "Follow the consultant")
    others_play(make_user, code, "medicine", "Ask her what matters most")
    others_play(make_user, code, "nursing", "Follow the consultant")

    sign_in(page, tutor)
    page.goto("/reflections/queue")
    expect(page.get_by_text("She wanted to go home.")).to_be_visible()
    page.get_by_role("link", name=f"Reply and tag the reflection of {doctor.display_name}").click()
    page.get_by_label("Your reply").fill("What made you ask her?")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_role("checkbox", name="shared decision making").check()
    page.get_by_role("button", name="Save themes").click()
    expect(page.get_by_role("checkbox", name="shared decision making")).to_be_checked()

    page.get_by_role("link", name="Cohorts").click()
    page.get_by_role("link", name="Ward week").click()
    expect(page.get_by_role("table").first).to_contain_text(doctor.display_name)
    axe_check(page)
    screenshot_widths(page, "cohort-dashboard")
    page.get_by_role("link", name="How the cohort chose in “A ward round”").click()
    decision = page.locator("section.decision").first
    expect(decision).to_contain_text("Ask her what matters most")
    expect(decision).to_contain_text("Follow the consultant")
    expect(decision.get_by_role("columnheader", name="Medicine")).to_be_visible()
    expect(decision.get_by_role("columnheader", name="Nursing")).to_be_visible()
    expect(decision.locator("svg.chart")).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "cohort-insight")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="choices (CSV)").click()
    with open(download_info.value.path(), encoding="utf-8") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert ["bedside", "At the bedside", "Ask her what matters most", "medicine", "5"] in rows
    assert ["bedside", "At the bedside", "Follow the consultant", "nursing", "5"] in rows

    sign_in(page, doctor)
    page.goto("/my/reflections")
    expect(page.get_by_text("What made you ask her?")).to_be_visible()
    axe_check(page)
