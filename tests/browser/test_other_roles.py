"""Tutors and admins in the browser, and the player's protection against a double click."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from eduapp.accounts.models import Role, User
from eduapp.extensions import db
from eduapp.player.models import ChoiceEvent
from tests.support.accounts import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def sign_in(page: Page, axe_check):
    """sign_in(user): through the sign-in form, clicking rather than tabbing."""

    def sign_in(user: User) -> None:
        page.goto("/login")
        axe_check(page)
        page.get_by_label("E-mail").click()
        page.keyboard.type(user.email)
        page.get_by_label("Password").click()
        page.keyboard.type(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("The course")

    return sign_in


def test_a_tutor_sees_the_modules_but_cannot_play(page, course, make_user, sign_in, axe_check):
    tutor = make_user(Role.TUTOR)
    sign_in(tutor)
    axe_check(page)
    expect(page.get_by_role("link", name="My attempts")).to_have_count(0)

    page.get_by_role("link", name="Module 1 Test module").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test module")
    axe_check(page)
    expect(page.get_by_role("heading", name="A ward round")).to_be_visible()
    expect(page.get_by_text("Playing is for learners")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"Start|Continue|Play"))).to_have_count(0)


def test_an_admin_changes_someone_elses_roles(
    page, make_user, sign_in, axe_check, screenshot_widths
):
    admin = make_user(Role.ADMIN)
    learner = make_user(Role.LEARNER)
    sign_in(admin)

    page.get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People and roles")
    axe_check(page)
    roles = page.get_by_role("group", name=f"Roles of {learner.display_name}")
    expect(roles.get_by_role("checkbox", name="Learner")).to_be_checked()
    expect(roles.get_by_role("checkbox", name="Tutor")).not_to_be_checked()

    roles.get_by_role("checkbox", name="Tutor").click()
    roles.get_by_role("checkbox", name="Learner").click()
    page.get_by_role("button", name=f"Save roles of {learner.display_name}").click()
    expect(page.get_by_role("status")).to_have_text(f"Roles of {learner.display_name} saved.")
    axe_check(page)

    page.reload()
    roles = page.get_by_role("group", name=f"Roles of {learner.display_name}")
    expect(roles.get_by_role("checkbox", name="Tutor")).to_be_checked()
    expect(roles.get_by_role("checkbox", name="Learner")).not_to_be_checked()
    db.session.expire_all()
    assert db.session.get(User, learner.id).role_set == {Role.TUTOR}
    screenshot_widths(page, "people")


def test_a_double_click_on_a_choice_records_one_step(page, course, make_user, sign_in, axe_check):
    learner = make_user(Role.LEARNER)
    sign_in(learner)
    page.get_by_role("link", name="Module 1 Test module").click()
    page.get_by_role("button", name=re.compile(r"^Start\b.*A ward round$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("At the bedside")
    axe_check(page)

    # Hold the first choice on its way to the server, as a slow network would, so that the
    # second click of the double click lands on the page that sent it.
    held = []
    page.route(
        "**/attempts/*",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    button = page.get_by_role("button", name="Ask her what matters most").bounding_box()
    middle = (button["x"] + button["width"] / 2, button["y"] + button["height"] / 2)
    with page.expect_request(lambda request: request.method == "POST"):
        page.mouse.click(*middle)
    page.mouse.click(*middle)
    # Nothing to wait for when all is well: give a second submission the time to show.
    page.wait_for_timeout(250)
    assert len(held) == 1, "the second click sent the choice again"
    held[0].continue_()

    expect(page.get_by_role("heading", level=1)).to_have_text("What matters")
    expect(page.get_by_text("already recorded")).to_have_count(0)
    db.session.expire_all()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ChoiceEvent))
    assert count == 1
