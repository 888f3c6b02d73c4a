"""The format help from the editor: a page of the studio, accessible, readable on a phone."""

import pytest
from playwright.sync_api import expect

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.studio.revisions import create_document
from eduapp.transaction import unit_of_work
from tests.support.accounts import PASSWORD

pytestmark = pytest.mark.browser


def test_an_author_opens_the_format_help_from_the_editor(
    page, make_user, axe_check, screenshot_widths
):
    educator = make_user(Role.PATIENT_EDUCATOR)
    with unit_of_work():
        create_document(educator, DocumentKind.SCENARIO, "help-draft", "Help draft", "")
    page.goto("/login")
    page.get_by_label("E-mail").fill(educator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/studio/scenario/help-draft")
    page.get_by_role("link", name="the whole format").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The scenario and module formats")
    expect(page.get_by_role("heading", name="A scenario file")).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "studio-format-help")
