"""A newcomer signs up and plays "A ward round" to an ending with the keyboard alone."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from eduapp.accounts.models import User
from eduapp.extensions import db
from tests.browser.keyboard import tab_to

pytestmark = pytest.mark.browser

PASSWORD = "four unrelated words here 2026"
FIRST_REFLECTION = "She looked tired, and her coat was already on the chair."


def heading(page: Page, text: str) -> None:
    """Wait for the page whose main heading is ``text``."""
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_a_newcomer_signs_up_and_plays_to_an_ending_by_keyboard(
    page, live_server, course, axe_check, screenshot_widths
):
    page.goto("/")
    heading(page, "Learn co-creation where it is hard: on the ward, in the clinic, in the team")
    axe_check(page)
    screenshot_widths(page, "landing")

    tab_to(page, "Create an account")
    page.keyboard.press("Enter")
    heading(page, "Create an account")
    axe_check(page)
    screenshot_widths(page, "register")

    tab_to(page, "Name shown to others")
    page.keyboard.type("Ada Newcomer")
    tab_to(page, "E-mail")
    page.keyboard.type("ada.newcomer@example.org")
    tab_to(page, "Your profession")
    page.keyboard.type("Physio")
    expect(page.get_by_label("Your profession")).to_have_value("physiotherapy")
    tab_to(page, "Password")
    page.keyboard.type(PASSWORD)
    tab_to(page, "Repeat the password")
    page.keyboard.type(PASSWORD)
    tab_to(page, "Create my account")
    page.keyboard.press("Enter")

    # The account is made once the link mailed to the address is followed.
    heading(page, "Check your inbox")
    expect(page.get_by_text("ada.newcomer@example.org")).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "check-inbox")
    page.goto(live_server.mailbox.link("ada.newcomer@example.org"))
    heading(page, "Finish creating your account")
    axe_check(page)
    screenshot_widths(page, "confirm-sign-up")
    tab_to(page, "Create my account")
    page.keyboard.press("Enter")

    heading(page, "The course")
    expect(page.get_by_role("status")).to_contain_text("Your account is ready")
    axe_check(page)
    screenshot_widths(page, "modules")
    user = db.session.scalar(sa.select(User).where(User.email == "ada.newcomer@example.org"))
    assert (user.display_name, user.profession) == ("Ada Newcomer", "physiotherapy")

    tab_to(page, "Module 1 Test module")
    page.keyboard.press("Enter")
    heading(page, "Test module")
    axe_check(page)
    screenshot_widths(page, "module")

    # The name ends in visually hidden text; Chromium joins it with a space ("Start : A ward...").
    tab_to(page, re.compile(r"^Start\b.*A ward round$"))
    page.keyboard.press("Enter")

    # Step 1 has a reflection: write it, share it with tutors (arrow keys move a radio group),
    # then choose with Enter.
    heading(page, "At the bedside")
    axe_check(page)
    tab_to(page, "What did you notice first?")
    page.keyboard.type(FIRST_REFLECTION)
    tab_to(page, "Only me")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Me and my tutors")).to_be_checked()
    tab_to(page, "Ask her what matters most")
    screenshot_widths(page, "step-1-focused-choice")
    page.keyboard.press("Enter")

    # Step 2 shows the feedback on the first choice; choose with Space this time, and come back
    # to the button with Shift+Tab after overshooting it.
    heading(page, "What matters")
    expect(page.get_by_role("region", name="You chose: Ask her what matters most")).to_contain_text(
        "You slowed the round down and heard her."
    )
    axe_check(page)
    tab_to(page, "Keep it to yourself")
    tab_to(page, "Tell the consultant", backwards=True)
    screenshot_widths(page, "step-2-feedback")
    page.keyboard.press("Space")

    heading(page, "The huddle")
    axe_check(page)
    tab_to(page, "Plan the discharge together")
    page.keyboard.press("Enter")

    heading(page, "Home for the wedding")
    axe_check(page)
    expect(page.get_by_text("Ending: Heard", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Debrief")).to_contain_text(
        "Her words reached the team. Voice counted."
    )
    steps = page.get_by_role("region", name="Your path").get_by_role("listitem")
    expect(steps).to_have_count(3)
    for number, (title, choice) in enumerate(
        [
            ("At the bedside", "Ask her what matters most"),
            ("What matters", "Tell the consultant"),
            ("The huddle", "Plan the discharge together"),
        ]
    ):
        expect(steps.nth(number).get_by_role("heading", level=3)).to_have_text(title)
        expect(steps.nth(number)).to_contain_text(f"You chose {choice}.")
    expect(steps.nth(0)).to_contain_text(FIRST_REFLECTION)
    expect(steps.nth(0)).to_contain_text("Visible to: Me and my tutors")
    screenshot_widths(page, "ending")
