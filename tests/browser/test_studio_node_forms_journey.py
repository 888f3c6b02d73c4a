"""A patient educator who never opens the source: she builds an 11-node scenario with a gated
choice, a reflection and three endings through the node panels, then edits, renames and deletes
nodes. Every page is checked with axe and looked at at 1280 and 375 px."""

import pytest
from playwright.sync_api import Page, expect

from eduapp.accounts.models import Role
from eduapp.engine import read_scenario
from eduapp.studio.publishing import starter_leftovers
from tests.browser.test_studio_journeys import checks, heading, latest, open_as, studio  # noqa: F401

pytestmark = pytest.mark.browser

SLUG = "a-wish-heard"
TITLE = "A wish heard"
NEW_NODE = "A new node (give its title below)"


def panel(page: Page, title: str) -> None:
    heading(page, title)


def saved(page: Page, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


def edit_node(page: Page, title: str, body: str, **fields) -> None:
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("What happens (Markdown)").fill(body)
    labels = {
        "speaker": "Speaker or perspective",
        "reflect": "Reflection prompt (optional)",
        "ending": "Ending label, if this node is an ending",
        "debrief": "Debrief, for an ending (Markdown)",
    }
    for name, value in fields.items():
        page.get_by_label(labels[name]).fill(value)
    page.get_by_role("button", name="Save node").click()


def fill_choice(page: Page, label: str, goes_to: str, new_title: str = "", **fields) -> None:
    form = page.get_by_role("region", name="Add a choice")
    form.get_by_label("What the learner's button says").fill(label)
    form.get_by_label("Goes to").select_option(label=NEW_NODE if new_title else goes_to)
    if new_title:
        form.get_by_label("Title of the new node").fill(new_title)
    form.get_by_label("Offered only if (optional)").fill(fields.get("condition", ""))
    form.get_by_label("Changes (optional)").fill(fields.get("effects", ""))
    form.get_by_label("Feedback after the choice").fill(
        fields.get("feedback", f"Choosing '{label}' gains time and costs a little trust.")
    )


def add_choice(page: Page, label: str, goes_to: str = "", new_title: str = "", **fields) -> None:
    fill_choice(page, label, goes_to, new_title, **fields)
    page.get_by_role("region", name="Add a choice").get_by_role("button", name="Add choice").click()
    saved(page, "Choice added")


def go_to(page: Page, title: str) -> None:
    """Follow a choice's link to the node it goes to."""
    page.get_by_role("region", name="Choices").get_by_role("link", name=title, exact=True).click()
    panel(page, title)


def test_a_scenario_is_built_edited_renamed_and_pruned_with_forms_only(
    open_as,  # noqa: F811
    make_user,
    checks,  # noqa: F811
):
    educator = make_user(Role.PATIENT_EDUCATOR)
    page = open_as(educator)
    studio(page)
    page.get_by_label("Id", exact=True).fill(SLUG)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("How you are credited, by role").fill("patient educator")
    page.get_by_role("button", name="Start the draft").click()
    heading(page, TITLE)
    expect(page.locator("#starter-text")).to_contain_text("still holds the starter's sample text")
    checks.axe(page)

    # The opening, from the editor's list of nodes.
    page.get_by_role("link", name="Edit the node “Where it begins”").click()
    panel(page, "Where it begins")
    checks.axe(page)
    checks.screenshots(page, "node-panel")
    edit_node(page, "The handover", "The night nurse reads out the plan.", speaker="nurse")
    saved(page, "Node saved")
    panel(page, "The handover")

    # The starter's two choices: one rewritten, one moved and then deleted.
    page.get_by_role("link", name="Edit the choice “Listen first”").click()
    heading(page, "Choice 1 of “The handover”")
    checks.axe(page)
    checks.screenshots(page, "choice-page")
    page.get_by_label("What the learner's button says").fill("Ask Mr Adeyemi first")
    expect(page.get_by_label("Goes to")).to_have_value("heard")
    page.get_by_label("Feedback after the choice").fill("You slowed the handover; he was asked.")
    page.get_by_role("button", name="Save choice").click()
    saved(page, "Choice saved")
    page.get_by_role("button", name="Move up the choice “Carry on with the plan”").click()
    saved(page, "Choice moved")
    choices = page.get_by_role("region", name="Choices").get_by_role("listitem")
    expect(choices.first).to_contain_text("Carry on with the plan")
    page.get_by_role("button", name="Delete the choice “Carry on with the plan”").click()
    saved(page, "deleted")

    # New nodes made on the spot; a gated choice whose variable is declared from the form.
    add_choice(page, "Speak up now", new_title="Speaking up", effects="voice += 1")
    fill_choice(page, "Call the registrar", "", "The registrar", condition="trust >= 2")
    page.get_by_role("button", name="Add choice").click()
    form = page.get_by_role("region", name="Add a choice")
    expect(form.get_by_label("Offered only if (optional)")).to_have_accessible_description(
        "For example: trust >= 2 and not escalated 'trust' is not a variable of this scenario "
        "yet: declare it, or check the spelling."
    )
    checks.axe(page)
    checks.screenshots(page, "node-panel-declare")
    form.get_by_role("button", name="Declare “trust” (a number, starting at 0)").click()
    expect(page.locator(".notice[role=status]")).to_contain_text("Declared the variable 'trust'")
    expect(form.get_by_label("Offered only if (optional)")).to_have_value("trust >= 2")
    expect(form.get_by_label("Title of the new node")).to_have_value("The registrar")
    form.get_by_role("button", name="Add choice").click()
    saved(page, "Choice added")
    add_choice(page, "Wait for the end of the handover", new_title="Waiting")

    go_to(page, "Speaking up")
    edit_node(
        page,
        "Speaking up",
        "You say his wish out loud. The room goes quiet.",
        reflect="What did it cost you to speak up?",
    )
    saved(page, "Node saved")
    add_choice(page, "Ask the pharmacist", new_title="The pharmacist")
    add_choice(page, "Phone the daughter", new_title="The daughter")

    go_to(page, "The pharmacist")
    edit_node(page, "The pharmacist", "The pharmacist checks the doses for home.")
    add_choice(page, "Go back to the team together", "Heard")

    page.go_back()
    page.goto(f"/studio/scenario/{SLUG}/nodes/the-daughter")
    edit_node(page, "The daughter", "His daughter can come on Friday.")
    add_choice(page, "Arrange a family meeting", new_title="The family meeting")

    go_to(page, "The family meeting")
    edit_node(page, "The family meeting", "Everyone hears the plan.", ending="Together")
    expect(page.get_by_text("An ending needs a debrief")).to_be_visible()
    expect(page.get_by_label("Ending label, if this node is an ending")).to_have_value("Together")
    checks.axe(page)
    page.get_by_label("Debrief, for an ending (Markdown)").fill("Shared decisions take a room.")
    page.get_by_role("button", name="Save node").click()
    saved(page, "Node saved")

    page.goto(f"/studio/scenario/{SLUG}/nodes/the-registrar")
    edit_node(page, "The registrar", "The registrar listens and changes the plan.")
    add_choice(page, "Agree the new plan", "Heard")

    page.goto(f"/studio/scenario/{SLUG}/nodes/waiting")
    edit_node(page, "Waiting", "The handover ends. Nobody mentions his wish.")
    add_choice(page, "Let it go", "Not heard")
    add_choice(page, "Find a quiet word with the nurse", new_title="A quiet word")
    go_to(page, "A quiet word")
    edit_node(page, "A quiet word", "The nurse had not heard of the wish.")
    add_choice(page, "Ask the night nurse to stay on", new_title="The night nurse")
    add_choice(page, "Join the family meeting", "The family meeting")
    go_to(page, "The night nurse")
    edit_node(page, "The night nurse", "She stays an hour late to help.")
    add_choice(page, "Agree together", "Heard")

    for node_id, title, body, debrief in (
        ("heard", "Heard", "Mr Adeyemi goes home on Friday.", "His words reached the team."),
        ("unheard", "Not heard", "He stays another week.", "Silence has a cost too."),
    ):
        page.goto(f"/studio/scenario/{SLUG}/nodes/{node_id}")
        edit_node(page, title, body, debrief=debrief)
        saved(page, "Node saved")

    # The header: her own summary, and trust starts at 2 so the registrar can be called.
    page.goto(f"/studio/scenario/{SLUG}/header")
    heading(page, "Title, summary and variables")
    checks.axe(page)
    checks.screenshots(page, "header-page")
    page.get_by_label("Summary").fill("Jenny hears a patient's wish that the plan leaves out.")
    page.get_by_label("Pharmacy").check()
    page.get_by_role("button", name="Save", exact=True).first.click()
    saved(page, "saved as a new revision")
    trust = page.locator("#variables .panel").filter(has=page.get_by_role("heading", name="trust"))
    trust.get_by_label("Starting value").fill("2")
    trust.get_by_role("button", name="Save the variable trust").click()
    saved(page, "Variable 'trust' saved")
    voice = page.locator("#variables .panel").filter(has=page.get_by_role("heading", name="voice"))
    voice.get_by_role("button", name="Delete the variable voice").click()
    expect(page.get_by_role("alert")).to_contain_text("'voice' cannot be deleted: it is used by")

    scenario, problems = read_scenario(latest(SLUG).source, "x.md")
    assert problems == [] and len(scenario.nodes) == 11
    assert sum(node.is_ending for node in scenario.nodes) == 3
    assert starter_leftovers(scenario) == []
    gated = [c for n in scenario.nodes for c in n.choices if c.condition is not None]
    assert [str(c.condition) for c in gated] == ["trust >= 2"]
    assert scenario.node("speaking-up").reflect == "What did it cost you to speak up?"

    # Rename a node: every choice that went there follows.
    page.goto(f"/studio/scenario/{SLUG}/nodes/speaking-up")
    page.get_by_label("New id").fill("speak-up")
    page.get_by_role("button", name="Rename").click()
    saved(page, "Renamed to 'speak-up'")
    panel(page, "Speaking up")

    # Delete a node that a choice goes to: asked first, then those choices go too.
    page.goto(f"/studio/scenario/{SLUG}/nodes/the-night-nurse")
    page.get_by_role("link", name="Delete “The night nurse”…").click()
    heading(page, "Delete “The night nurse”")
    expect(page.get_by_role("main")).to_contain_text(
        "“Ask the night nurse to stay on”, from A quiet word"
    )
    page.get_by_role("button", name="Delete the node").click()
    incoming = page.get_by_role("group", name="The choices that go to this node")
    expect(incoming).to_contain_text("Say what happens to the choices")
    checks.axe(page)
    checks.screenshots(page, "node-delete")
    page.get_by_label("Delete those choices").check()
    page.get_by_role("button", name="Delete the node").click()
    saved(page, "Node “The night nurse” deleted")
    heading(page, TITLE)
    expect(page.locator("#starter-text")).to_have_count(0)

    scenario, problems = read_scenario(latest(SLUG).source, "x.md")
    assert problems == [] and len(scenario.nodes) == 10
    assert "speak-up" in [c.target for c in scenario.node("opening").choices]
    assert [c.label for c in scenario.node("a-quiet-word").choices] == ["Join the family meeting"]
    checks.assert_none()
