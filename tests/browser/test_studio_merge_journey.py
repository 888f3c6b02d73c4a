"""Two co-authors saving the same draft at the same time, in two browser contexts: changes to
different nodes both survive without anyone seeing a merge page; a change to the same node is
decided on the conflict page with "keep mine" or "keep theirs"."""

import pytest
from playwright.sync_api import Page, expect

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.studio import members, revisions
from eduapp.studio.models import MemberRole
from eduapp.transaction import unit_of_work
from tests.browser import test_studio_journeys as journeys
from tests.browser.test_studio_journeys import EDITOR, SCENARIO, SCENARIO_TITLE, heading, latest

pytestmark = pytest.mark.browser
open_as = journeys.open_as  # the fixture: a signed-in page in a browser context of its own

OPENING = "What the learner sees first."


def start_editing(pages: list[Page]) -> str:
    for person in pages:
        person.goto(EDITOR)
        heading(person, SCENARIO_TITLE)
    return latest(SCENARIO).source


def save(person: Page, source: str, message: str) -> None:
    person.locator("#source").fill(source)
    person.get_by_label("What did you change?").fill(message)
    person.get_by_role("button", name="Save revision").click()


@pytest.fixture
def co_authors(open_as, make_user):
    educator = make_user(Role.PATIENT_EDUCATOR)
    tutor = make_user(Role.TUTOR)
    with unit_of_work():
        document = revisions.create_document(
            educator, DocumentKind.SCENARIO, SCENARIO, SCENARIO_TITLE, "patient educator"
        )
        members.invite(educator, document, tutor.email, MemberRole.STAFF, "nursing tutor")
    return educator, open_as(educator), tutor, open_as(tutor)


def test_co_authors_editing_different_nodes_both_keep_their_changes(co_authors):
    educator, pe, _, tu = co_authors
    original = start_editing([pe, tu])
    save(pe, original.replace(OPENING, "Night. The ward is quiet."), "Set the scene")
    journeys.flash(pe, "Saved.")
    save(tu, original.replace("What happened.", "He is heard at last.", 1), "Wrote an ending")
    heading(tu, SCENARIO_TITLE)  # the editor again, not a merge page
    journeys.flash(tu, f"{educator.display_name} saved revision 2 while you were editing")
    revision = latest(SCENARIO)
    assert revision.number == 3
    assert "Night. The ward is quiet." in revision.source
    assert "He is heard at last." in revision.source
    expect(tu.locator("#source")).to_have_value(revision.source)
    tu.goto(f"{EDITOR}/history")
    expect(tu.get_by_role("cell", name="both changes kept")).to_have_count(1)


def test_a_same_node_conflict_is_decided_with_keep_mine_then_keep_theirs(
    co_authors, axe_check, screenshot_widths
):
    _, pe, _, tu = co_authors
    original = start_editing([pe, tu])
    save(pe, original.replace(OPENING, "Their opening."), "Theirs")
    journeys.flash(pe, "Saved.")
    with tu.expect_response(lambda r: r.url.endswith(f"{EDITOR}/save")) as answer:
        save(tu, original.replace(OPENING, "My opening."), "Mine")
    assert answer.value.status == 409
    heading(tu, "Someone saved this draft while you were editing")
    expect(tu.get_by_role("alert")).to_contain_text("nothing you typed is lost")
    conflict = tu.get_by_role("group", name="Conflict 1 of 1: Node 'opening' (Where it begins)")
    expect(conflict).to_contain_text("Their opening.")
    expect(conflict).to_contain_text("My opening.")
    expect(conflict.get_by_label("Keep mine")).not_to_be_checked()
    axe_check(tu)
    screenshot_widths(tu, "studio-merge-conflict")
    # Saving without a choice is refused; nothing is lost.
    tu.get_by_role("button", name="Save with these choices").click()
    expect(tu.get_by_text("Choose what to keep here")).to_be_visible()
    assert latest(SCENARIO).number == 2
    conflict.get_by_label("Keep mine").check()
    tu.get_by_role("button", name="Save with these choices").click()
    heading(tu, SCENARIO_TITLE)
    journeys.flash(tu, "with your choices")
    assert latest(SCENARIO).number == 3 and "My opening." in latest(SCENARIO).source

    # The educator's editor still holds revision 2; they change the same node: keep theirs.
    with pe.expect_response(lambda r: r.url.endswith(f"{EDITOR}/save")) as answer:
        save(pe, original.replace(OPENING, "Another opening."), "Again")
    assert answer.value.status == 409
    conflict = pe.get_by_role("group", name="Conflict 1 of 1: Node 'opening' (Where it begins)")
    expect(conflict.get_by_text("your changes (1 new or changed line) are dropped")).to_be_visible()
    conflict.get_by_label("Keep theirs").check()
    pe.get_by_role("button", name="Save with these choices").click()
    heading(pe, SCENARIO_TITLE)
    source = latest(SCENARIO).source
    assert "My opening." in source and "Another opening." not in source
