"""The scenario map of a large draft: drawn by Graphviz where it is installed, opening with the
start in view, zoomed and fitted from the keyboard; labels on its arrows."""

import pytest
from playwright.sync_api import expect

from bench.big_scenario import big_scenario
from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.studio.revisions import create_document, save_source
from eduapp.transaction import unit_of_work
from tests.support.accounts import PASSWORD

pytestmark = pytest.mark.browser


def test_a_large_map_opens_on_its_start_and_zooms_by_keyboard(
    page, make_user, axe_check, screenshot_widths
):
    educator = make_user(Role.PATIENT_EDUCATOR)
    with unit_of_work():
        document = create_document(educator, DocumentKind.SCENARIO, "big-map", "Big map", "")
    with unit_of_work():
        source = big_scenario(300).replace("id: big-300", "id: big-map", 1)
        save_source(educator, document, 1, source, "A big one")
    page.goto("/login")
    page.get_by_label("E-mail").fill(educator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/studio/scenario/big-map/map")

    toolbar = page.get_by_role("toolbar", name="Zoom the map")
    expect(toolbar).to_be_visible()
    view = page.locator(".map-scroll")
    svg = page.locator(".map-svg")
    width_at_start = svg.bounding_box()["width"]
    # The start node is in view when the page opens.
    expect(page.locator(".map-svg .is-start").first).to_be_in_viewport()
    axe_check(page)
    screenshot_widths(page, "studio-map-large")

    view.focus()
    page.keyboard.press("-")
    expect(page.locator(".map-zoom")).not_to_have_text("")
    assert svg.bounding_box()["width"] < width_at_start
    page.keyboard.press("0")
    fitted = svg.bounding_box()["width"]
    assert fitted <= view.bounding_box()["width"] + 1
    toolbar.get_by_role("button", name="Zoom in").focus()
    page.keyboard.press("Enter")
    assert svg.bounding_box()["width"] > fitted
    axe_check(page)
