"""An admin connects an LMS: registers it (after a refusal that keeps what was typed), reads
its page and what removing it would do, copies a value from the tool configuration page with
the keyboard, and rotates eduapp's signing key."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from eduapp.accounts.models import Role, User
from eduapp.extensions import db
from eduapp.lti.models import Platform, ToolKey
from tests.browser.keyboard import tab_to
from tests.support.accounts import PASSWORD

pytestmark = pytest.mark.browser

ISSUER = "https://moodle.example.edu"


def _sign_in(page: Page, user: User) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The course")


def _heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _fill_registration(page: Page, issuer: str) -> None:
    page.get_by_label("Name").fill("Moodle of the nursing school")
    page.get_by_label("Issuer (platform ID)").fill(issuer)
    page.get_by_label("Client ID").fill("Zq8sJ1a2")
    page.get_by_label("OIDC authorization URL").fill(ISSUER + "/mod/lti/auth.php")
    page.get_by_label("Access token URL").fill(ISSUER + "/mod/lti/token.php")
    page.get_by_label("Public keyset (JWKS) URL").fill(ISSUER + "/mod/lti/certs.php")
    page.get_by_label("Deployment IDs").fill("3\n7")


def test_an_admin_connects_an_lms(page, live_server, make_user, axe_check, screenshot_widths):
    admin = make_user(Role.ADMIN)
    _sign_in(page, admin)

    page.get_by_role("link", name="LMS connections").click()
    _heading(page, "LMS connections (LTI 1.3)")
    expect(page.get_by_text("No platform is registered yet.")).to_be_visible()
    axe_check(page)

    # Plain http on another host is refused; the page keeps what was typed.
    _fill_registration(page, "http://moodle.example.edu")
    page.get_by_role("button", name="Register the platform").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The platform was not registered")
    expect(summary).to_contain_text("Use an https:// address")
    expect(page.get_by_label("Issuer (platform ID)")).to_have_value("http://moodle.example.edu")
    expect(page.get_by_label("Client ID")).to_have_value("Zq8sJ1a2")
    expect(page.get_by_label("Deployment IDs")).to_have_value("3\n7")
    axe_check(page)
    screenshot_widths(page, "lti-admin-register-refused")

    page.get_by_label("Issuer (platform ID)").fill(ISSUER)
    page.get_by_role("button", name="Register the platform").click()
    expect(page.locator(".flashes")).to_have_text("Moodle of the nursing school is registered.")
    platforms = page.get_by_role("table", name="Registered platforms")
    expect(platforms.get_by_role("row")).to_have_count(2)
    expect(platforms).to_contain_text("3, 7")
    axe_check(page)
    screenshot_widths(page, "lti-admin-platforms")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Platform)) == 1

    platforms.get_by_role("link", name="Moodle of the nursing school").click()
    _heading(page, "Moodle of the nursing school")
    expect(page.get_by_label("Deployment IDs")).to_have_value("3\n7")
    axe_check(page)
    screenshot_widths(page, "lti-admin-platform")

    page.get_by_role("link", name="Remove this platform…").click()
    _heading(page, "Remove Moodle of the nursing school?")
    expect(
        page.get_by_text("People linked through it can no longer launch eduapp from it.")
    ).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "lti-admin-remove")
    page.get_by_role("link", name="Keep it").click()
    _heading(page, "Moodle of the nursing school")

    page.get_by_role("link", name="Tool configuration and keys").click()
    _heading(page, "Tool configuration")
    axe_check(page)
    launch_url = f"{live_server.url}/lti/launch"
    values = page.get_by_role("table", name="eduapp's LTI 1.3 tool values")
    expect(values).to_contain_text(launch_url)
    expect(values).to_contain_text(f"{live_server.url}/lti/login")
    expect(values).to_contain_text(f"{live_server.url}/lti/jwks.json")

    # The copy buttons: shown by the page's script, reached and pressed with the keyboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.locator("main").focus()
    tab_to(page, "Copy Target link URI")
    page.keyboard.press("Enter")
    expect(page.locator("#copy-status")).to_have_text("Copied Target link URI.")
    # The button says so for a while, keeping the focus.
    copied = page.get_by_role("button", name="Copied Target link URI", exact=True)
    expect(copied).to_be_focused()
    assert page.evaluate("() => navigator.clipboard.readText()") == launch_url
    expect(page.get_by_role("button", name="Copy Target link URI", exact=True)).to_be_visible()
    screenshot_widths(page, "lti-admin-tool")

    keys = page.get_by_role("table", name="eduapp's signing keys, newest first")
    expect(keys.get_by_role("row")).to_have_count(2)
    expect(keys).to_contain_text("Signs now")
    page.get_by_role("button", name="Rotate the signing key").click()
    expect(page.locator(".flashes")).to_contain_text("A new signing key")
    keys = page.get_by_role("table", name="eduapp's signing keys, newest first")
    expect(keys.get_by_role("row")).to_have_count(3)
    expect(keys.get_by_text("Signs now")).to_have_count(1)
    axe_check(page)
    screenshot_widths(page, "lti-admin-tool-rotated")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ToolKey)) == 2


def test_without_its_script_the_tool_page_shows_no_dead_copy_buttons(
    browser, live_server, app, make_user
):
    admin = make_user(Role.ADMIN)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        _sign_in(page, admin)
        page.goto("/admin/lti/tool")
        _heading(page, "Tool configuration")
        expect(page.get_by_text(f"{live_server.url}/lti/launch").first).to_be_visible()
        expect(page.get_by_role("button", name="Copy Target link URI", exact=True)).to_be_hidden()
        expect(page.locator("button[data-copy]:visible")).to_have_count(0)
    finally:
        context.close()
