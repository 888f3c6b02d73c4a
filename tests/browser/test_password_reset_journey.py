"""A learner who forgot their password asks for a link, reads it from a real SMTP server on
loopback, chooses a new password and signs in with it (issue 12)."""

import re

import pytest
from playwright.sync_api import Page, expect

from eduapp.accounts.models import Role
from tests.browser.keyboard import tab_to
from tests.support.mail import SmtpServer

pytestmark = pytest.mark.browser

NEW_PASSWORD = "harbour willow copper ninety"


@pytest.fixture
def smtp_live_server(live_server):
    """The live server sending its mail through a real SMTP server on loopback."""
    server = SmtpServer()
    server.start()
    keys = ("MAIL_BACKEND", "SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY")
    before = {key: live_server.app.config[key] for key in keys}
    live_server.app.config.update(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_SECURITY="none"
    )
    try:
        yield server
    finally:
        live_server.app.config.update(before)
        server.stop()


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_a_forgotten_password_is_chosen_again_through_a_mailed_link(
    page, live_server, smtp_live_server, make_user, axe_check, screenshot_widths
):
    learner = make_user(Role.LEARNER, email="ines.reset@example.org")
    page.goto("/login")
    heading(page, "Sign in")
    tab_to(page, "Forgot your password?")
    page.keyboard.press("Enter")
    heading(page, "Forgot your password?")
    axe_check(page)
    screenshot_widths(page, "forgot-password")

    tab_to(page, "E-mail")
    page.keyboard.type("ines.reset@example.org")
    tab_to(page, "Send me a link")
    page.keyboard.press("Enter")
    heading(page, "Check your inbox")
    expect(page.get_by_text("ines.reset@example.org")).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "reset-sent")

    [(recipients, message)] = smtp_live_server.messages
    assert recipients == [learner.email]
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/password/reset/\S+", text).group(0)
    assert message.get_body(("html",)) is not None

    page.goto(link)
    heading(page, "Choose a new password")
    axe_check(page)
    tab_to(page, "New password")
    page.keyboard.type("short")
    tab_to(page, "Repeat the new password")
    page.keyboard.type("short")
    tab_to(page, "Choose this password")
    page.keyboard.press("Enter")
    heading(page, "Choose a new password")
    expect(page.locator("#new_password-error")).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "reset-password-refused")

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Choose this password").click()
    heading(page, "Sign in")
    expect(page.get_by_role("status")).to_contain_text("Your new password is set")

    page.get_by_label("E-mail").fill(learner.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    heading(page, "The course")

    page.goto(link)  # used once
    heading(page, "This link cannot be used")
    axe_check(page)
    screenshot_widths(page, "reset-link-used")
