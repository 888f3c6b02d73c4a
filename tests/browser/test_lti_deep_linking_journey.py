"""An instructor adds eduapp content to their course from a real LTI 1.3 platform
(tests/support/lti_platform.py): "Add eduapp content" on the course page, the picker, and back
to the course with the links placed, their custom parameters and gradebook columns; then the
same without JavaScript, by the return page's button; then a placed link opens eduapp."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.lti import register
from tests.support.lti_platform import INSTRUCTOR, TestPlatform

pytestmark = pytest.mark.browser

COURSE_ID, COURSE = "course-1", "Interprofessional practice 1"
INSTRUCTOR_ID = "instructor-1"
SCENARIO, MODULE, ASSESSMENT = "scenario:ward-round", "module:test-module", "assessment:test-module"
#: The fixture assessment's questions score 1 + 2 + 4 + 0 + 2 + 1 at most.
ASSESSMENT_MAXIMUM = 10


@pytest.fixture
def lms(live_server, app, course):
    """The platform on loopback, registered in eduapp, with a course and its instructor."""
    with TestPlatform(live_server.url) as platform:
        register(platform)
        platform.add_course(COURSE_ID, COURSE)
        platform.add_user(
            INSTRUCTOR_ID, "Grace Okoye", "grace@school.example", [INSTRUCTOR], [COURSE_ID]
        )
        yield platform


def open_picker(page: Page, lms: TestPlatform) -> None:
    page.goto(lms.course_url(COURSE_ID, INSTRUCTOR_ID))
    page.get_by_role("link", name="Add eduapp content").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Add eduapp content to {COURSE}")


def test_an_instructor_places_a_scenario_and_the_assessment_in_their_course(
    page, browser, live_server, lms, axe_check, screenshot_widths
):
    open_picker(page, lms)
    assert page.url == f"{live_server.url}/lti/deep-linking"
    expect(page.get_by_role("group", name="Module 1 Test module")).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "lti-deep-linking-picker")

    # Nothing chosen: the page says so, and nothing leaves for the course.
    page.get_by_role("button", name=f"Add to {COURSE}").click()
    expect(page.get_by_role("alert")).to_have_text("Choose at least one item to add, or cancel.")
    axe_check(page)
    assert lms.deep_link_items == []

    page.get_by_role("checkbox", name="A ward round").check()
    page.get_by_role("checkbox", name="Test module: check your understanding").check()
    page.get_by_role("button", name=f"Add to {COURSE}").click()

    # The return page sends itself on: the browser lands on the course, the links placed.
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE)
    assert page.url.startswith(f"{lms.url}/course/{COURSE_ID}")
    expect(page.get_by_role("link", name="A ward round")).to_be_visible()
    expect(page.get_by_role("link", name="Test module: check your understanding")).to_be_visible()
    items = {item["custom"]["eduapp_item"]: item for item in lms.deep_link_items}
    assert set(items) == {SCENARIO, ASSESSMENT}
    for item in items.values():
        assert item["type"] == "ltiResourceLink"
        assert item["url"] == f"{live_server.url}/lti/launch"
    assert items[SCENARIO]["lineItem"]["scoreMaximum"] == 1
    assert items[ASSESSMENT]["lineItem"]["scoreMaximum"] == ASSESSMENT_MAXIMUM
    columns = {
        item.resource_id: (item.score_maximum, item.tag, item.resource_link_id)
        for item in lms.line_items.values()
    }
    links = {link.custom["eduapp_item"]: link for link in lms.links.values()}
    assert columns == {
        SCENARIO: (1, "completion", links[SCENARIO].id),
        ASSESSMENT: (ASSESSMENT_MAXIMUM, "score", links[ASSESSMENT].id),
    }

    # Without JavaScript the same request is answered by the return page's button.
    quiet = browser.new_context(
        viewport=page.viewport_size, base_url=live_server.url, java_script_enabled=False
    )
    try:
        other = quiet.new_page()
        other.goto(lms.course_url(COURSE_ID, INSTRUCTOR_ID))
        other.get_by_role("link", name="Add eduapp content").click()
        other.get_by_role("button", name="Continue to eduapp").click()
        expect(other.get_by_role("heading", level=1)).to_have_text(
            f"Add eduapp content to {COURSE}"
        )
        other.get_by_role("checkbox", name="Module Test module").check()
        other.get_by_role("button", name=f"Add to {COURSE}").click()
        expect(other.get_by_role("heading", level=1)).to_have_text(f"Returning to {COURSE}")
        screenshot_widths(other, "lti-deep-linking-return")
        other.get_by_role("button", name="Return to your course").click()
        expect(other.get_by_role("heading", level=1)).to_have_text(COURSE)
    finally:
        quiet.close()
    assert [item["custom"]["eduapp_item"] for item in lms.deep_link_items][-1] == MODULE
    assert "lineItem" not in lms.deep_link_items[-1]

    # A placed link opens eduapp: the instructor of a scenario's link lands on its module.
    page.goto(lms.course_url(COURSE_ID, INSTRUCTOR_ID))
    page.get_by_role("link", name="A ward round").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/modules/test-module")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Test module")
