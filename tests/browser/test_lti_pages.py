"""The LTI pages a person meets around a launch, in Chromium: a launch inside the LMS's frame
(eduapp offers a window of its own), linking an existing account, and a refused launch."""

import pytest
from playwright.sync_api import Page, expect

from tests.support.accounts import PASSWORD
from tests.support.lti import register
from tests.support.lti_platform import LEARNER, TestPlatform

pytestmark = pytest.mark.browser

COURSE_ID, COURSE = "ipp-1", "Interprofessional practice 1"


@pytest.fixture
def lms(live_server, app, course):
    with TestPlatform(live_server.url) as platform:
        register(platform)
        platform.add_course(COURSE_ID, COURSE)
        platform.add_user("ada", "Ada Mensah", "ada@students.example", [LEARNER], [COURSE_ID])
        platform.add_link(COURSE_ID, "A ward round", {"eduapp_item": "scenario:ward-round"})
        yield platform


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_a_launch_inside_the_lms_frame_opens_eduapp_in_a_window_of_its_own(
    page, lms, live_server, axe_check, screenshot
):
    link = next(iter(lms.links.values()))
    # The LMS shows the activity inside its course page, as Moodle's "Embed" container does.
    page.goto(lms.embedded_url(COURSE_ID, link.id, "ada"))
    frame = page.frame_locator('iframe[title="A ward round in eduapp"]')
    expect(frame.get_by_role("heading", level=1)).to_have_text("Open eduapp in a new window")
    screenshot(page, "lti-new-window-in-frame")
    with page.context.expect_page() as opened:
        frame.get_by_role("button", name="Open in a new window").click()
    window = opened.value
    heading(window, "Welcome, Ada Mensah")
    axe_check(window)


def test_an_account_owner_links_their_lms_account(
    page, lms, live_server, make_user, axe_check, screenshot_widths
):
    owner = make_user(email="ada.local@example.org")
    page.goto("/login")
    page.get_by_label("E-mail").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/profile")
    page.get_by_role("link", name="LMS accounts linked to this one").click()
    heading(page, "LMS accounts")
    axe_check(page)
    screenshot_widths(page, "lti-links")
    page.get_by_role("button", name="Link an LMS account").click()
    expect(page.get_by_role("status").first).to_contain_text("within ten minutes")

    link = next(iter(lms.links.values()))
    page.goto(lms.start_url("ada", COURSE_ID, link.id))
    # The owner's account, with its profession, opens the scenario at once.
    heading(page, "At the bedside")
    page.goto("/lti/links")
    expect(page.get_by_role("listitem").filter(has_text="Test platform, linked")).to_be_visible()
    axe_check(page)


def test_a_refused_launch_says_what_to_do(page, lms, live_server, axe_check, screenshot_widths):
    page.goto("/lti/login?iss=https%3A%2F%2Funknown.example&login_hint=x")
    heading(page, "This link could not be opened")
    expect(page.get_by_text("This LMS is not registered with eduapp")).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "lti-refused")
