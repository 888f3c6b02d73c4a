"""The studio in the browser: co-creating, reviewing and publishing a scenario that a learner then
plays, and two co-authors saving the same draft at once without losing a word.

Every person works in a browser context of their own and signs in through /login with the mouse.
The journeys are long, so the page-level checks (axe, reflow at 375 px) are collected as they go
and reported together at the end: one failing page does not hide the rest of the journey.
"""

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from playwright.sync_api import Locator, Page, expect

from eduapp.accounts.models import Role, User
from eduapp.content.models import Document, DocumentKind, Revision
from eduapp.extensions import db
from eduapp.studio import members, revisions
from eduapp.studio.models import MemberRole
from eduapp.transaction import unit_of_work
from tests.support.accounts import PASSWORD

pytestmark = pytest.mark.browser

#: The same short timeout as the ``page`` fixture: the app answers in milliseconds.
TIMEOUT_MS = 5_000
#: studio.js waits 600 ms after the last key, then asks the server twice.
LIVE_CHECK_MS = 4_000

SCENARIO = "going-home-together"
SCENARIO_TITLE = "Going home together"
MODULE = "deciding-together"
MODULE_TITLE = "Deciding together"
EDITOR = f"/studio/scenario/{SCENARIO}"
MODULE_EDITOR = f"/studio/module/{MODULE}"


class Checks:
    """axe and reflow checks that record a failure and let the journey go on."""

    def __init__(self, axe_check, screenshot_widths):
        self._axe_check = axe_check
        self._screenshot_widths = screenshot_widths
        self.failures: list[str] = []

    def _run(self, check: Callable[[], None]) -> None:
        try:
            check()
        except (AssertionError, pytest.fail.Exception) as failure:
            self.failures.append(str(failure).strip())

    def axe(self, page: Page) -> None:
        self._run(lambda: self._axe_check(page))

    def screenshots(self, page: Page, name: str) -> None:
        self._run(lambda: self._screenshot_widths(page, name))

    def labelled(self, scope: Locator, label: str, fallback: str) -> Locator:
        """The control in ``scope`` that ``label`` names; when the label names none there (a
        bug), record it and go on with the control ``fallback`` selects."""
        control = scope.get_by_label(label, exact=True)
        if control.count() == 1:
            return control
        self.failures.append(
            f"On {scope.page.url}, the label {label!r} names no control in its own form (its "
            f"for= points elsewhere: a duplicate id?); the test used {fallback!r} instead."
        )
        return scope.locator(fallback)

    def assert_none(self) -> None:
        if self.failures:
            pytest.fail("\n\n".join(self.failures))


@pytest.fixture
def checks(axe_check, screenshot_widths) -> Checks:
    return Checks(axe_check, screenshot_widths)


def sign_in(page: Page, user: User) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").click()
    page.keyboard.type(user.email)
    page.get_by_label("Password").click()
    page.keyboard.type(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    heading(page, "The course")


@pytest.fixture
def open_as(page: Page, browser, live_server) -> Callable[[User], Page]:
    """open_as(user) -> a page in a browser context of the user's own, signed in. The ``page``
    fixture's context is the first person's; the others are closed before the tables are
    emptied."""
    contexts = []
    first = [page]

    def open_(user: User) -> Page:
        if first:
            person = first.pop()
        else:
            context = browser.new_context(viewport=page.viewport_size, base_url=live_server.url)
            context.set_default_timeout(TIMEOUT_MS)
            contexts.append(context)
            person = context.new_page()
        sign_in(person, user)
        return person

    yield open_
    for context in contexts:
        context.close()


def heading(page: Page, text: str | re.Pattern) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def latest(slug: str) -> Revision:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Revision)
        .join(Document)
        .where(Document.slug == slug)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def changed(diff: Locator, old: str, new: str) -> None:
    """The side-by-side diff shows ``old`` becoming ``new`` on one row, with the changed words
    marked as removed and added."""
    row = diff.get_by_role("row").filter(has_text=new).filter(has_text=old)
    expect(row).to_have_count(1)
    expect(row.locator(".is-removed")).to_contain_text("removed:")
    expect(row.locator(".is-added")).to_contain_text("added:")
    expect(row.locator("del")).not_to_have_count(0)
    expect(row.locator("ins")).not_to_have_count(0)


def doc_nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="This draft").get_by_role("link", name=name).click()


def studio(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Studio").click()
    heading(page, "Studio")


def start_draft(page: Page, kind: str, slug: str, title: str, credit: str) -> None:
    page.get_by_label("What are you starting?").select_option(label=kind)
    page.get_by_label("Id", exact=True).fill(slug)
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("How you are credited, by role").fill(credit)
    page.get_by_role("button", name="Start the draft").click()
    heading(page, title)


def invite(page: Page, user: User, role: str, credit: str) -> None:
    members = page.get_by_role("region", name="Co-authors")
    members.get_by_label("Their e-mail").fill(user.email)
    members.get_by_label("Their role in this draft").select_option(value=role)
    members.get_by_label("Credited as").fill(credit)
    members.get_by_role("button", name="Invite").click()
    # The same answer whoever has the address (SECURITY.md row 33); the list shows who joined.
    flash(page, "If an account with a confirmed address uses that e-mail address")
    members = page.get_by_role("region", name="Co-authors")
    expect(members).to_contain_text(user.display_name)
    expect(members).to_contain_text(f"“{credit}”")


def sign_off(page: Page, revision: int) -> None:
    review = page.get_by_role("region", name="Review and publishing")
    decision = review.get_by_role("group", name=f"Your decision on revision {revision}")
    expect(decision).to_be_visible()
    decision.get_by_role("radio", name="Sign off this revision").check()
    review.get_by_role("button", name="Send decision").click()
    flash(page, "Your decision is recorded on this revision.")


def open_draft(page: Page, title: str, checks: Checks | None = None) -> None:
    studio(page)
    if checks:
        checks.axe(page)
    page.get_by_role("table").get_by_role("link", name=title).click()
    heading(page, title)


def test_a_scenario_is_co_created_reviewed_published_and_played(
    open_as, make_user, checks, screenshot
):
    educator = make_user(Role.PATIENT_EDUCATOR)
    student = make_user(Role.LEARNER, profession="medicine")
    tutor = make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER)

    # The patient educator starts the scenario and invites a medical student and a tutor.
    pe = open_as(educator)
    studio(pe)
    checks.axe(pe)
    start_draft(pe, "A scenario", SCENARIO, SCENARIO_TITLE, "patient educator")
    expect(pe.locator("#problems")).to_contain_text("No problems")
    invite(pe, student, "peer_student", "medical student")
    invite(pe, tutor, "staff", "nursing tutor")

    # The student finds the draft in the studio and adds the daughter's node with the forms.
    st = open_as(student)
    open_draft(st, SCENARIO_TITLE, checks)
    expect(st.get_by_text("You are a peer student here.")).to_be_visible()
    st.get_by_text("Add a node", exact=True).click()
    node_form = st.locator("form", has=st.get_by_role("button", name="Add node"))
    node_form.get_by_label("Node id").fill("daughter")
    node_form.get_by_label("Title", exact=True).fill("Her daughter's view")
    node_form.get_by_label("Speaker or perspective").fill("carer")
    node_form.get_by_label("What happens (Markdown)").fill(
        "Her daughter says the stairs at home are the real worry, not the tablets."
    )
    node_form.get_by_label("Ending label, if this node is an ending").fill("Planned together")
    node_form.get_by_label("Debrief, for an ending").fill(
        "The discharge plan changed because the family was asked."
    )
    node_form.get_by_role("button", name="Add node").click()
    flash(st, "Saved as a new revision.")
    assert latest(SCENARIO).number == 2

    st.get_by_text("Add a choice", exact=True).click()
    choice_form = st.locator("form", has=st.get_by_role("button", name="Add choice"))
    checks.axe(st)  # axe skips what a closed <details> hides: check the open form too.
    checks.labelled(choice_form, "From node", "select[name=from_node]").select_option("opening")
    choice_form.get_by_label("Choice label").fill("Ask her daughter")
    checks.labelled(choice_form, "Goes to", "select[name=target]").select_option("daughter")
    choice_form.get_by_label("Feedback after the choice").fill(
        "It takes a phone call; the plan fits her home."
    )
    choice_form.get_by_role("button", name="Add choice").click()
    flash(st, "Saved as a new revision.")
    revision = latest(SCENARIO)
    assert revision.number == 3
    assert "[[Ask her daughter -> daughter]]" in revision.source

    # The live check: a choice to a node that does not exist is reported while typing, and the
    # preview follows the node under the cursor. Nothing is saved.
    source = st.locator("#source")
    preview = st.locator("#preview")
    expect(preview).not_to_contain_text("Ask the porter")
    source.evaluate(
        """el => { const at = el.value.indexOf('[[Carry on with the plan');
                   el.focus(); el.setSelectionRange(at, at); }"""
    )
    st.keyboard.type("[[Ask the porter -> porter]]\n")
    expect(st.locator("#problems")).to_contain_text(
        re.compile(r"line \d+.*porter.*not a node"), timeout=LIVE_CHECK_MS
    )
    expect(preview).to_contain_text("Ask the porter", timeout=LIVE_CHECK_MS)
    expect(preview).to_contain_text("→ porter")
    assert latest(SCENARIO).number == 3

    # The student replaces the broken line with a better opening and saves the source.
    source.fill(revision.source.replace("What the learner sees first.", "Mrs Okafor is packed."))
    st.get_by_label("What did you change?").fill("Wrote the opening")
    st.get_by_role("button", name="Save revision").click()
    flash(st, "Saved.")
    expect(st.locator("#problems")).to_contain_text("No problems")
    assert latest(SCENARIO).number == 4
    checks.axe(st)
    checks.screenshots(st, "studio-editor")

    doc_nav(st, "Map")
    heading(st, f"Map of {SCENARIO_TITLE}")
    outline = st.get_by_role("region", name="Outline")
    expect(outline.get_by_role("link", name="Her daughter's view")).to_be_visible()
    expect(outline).to_contain_text("Ask her daughter")
    checks.axe(st)
    checks.screenshots(st, "studio-map")

    # The tutor comments on the student's node.
    tu = open_as(tutor)
    open_draft(tu, SCENARIO_TITLE)
    doc_nav(tu, "Comments")
    heading(tu, f"Comments on {SCENARIO_TITLE}")
    new_comment = tu.get_by_role("region", name="New comment")
    new_comment.get_by_label("About").select_option(label="Node daughter: Her daughter's view")
    new_comment.get_by_label("Comment").fill("Say which stairs: a carer would name them.")
    new_comment.get_by_role("button", name="Comment").click()
    expect(tu.get_by_role("heading", name="Open (1)")).to_be_visible()
    thread = tu.get_by_role("article", name=re.compile(r"^Her daughter.s view"))
    expect(thread).to_contain_text("Say which stairs: a carer would name them.")
    expect(thread).to_contain_text("Staff")
    checks.axe(tu)
    checks.screenshots(tu, "studio-comments")

    # The patient educator resolves it.
    pe.goto(EDITOR)
    expect(pe.get_by_role("link", name="1 open comment")).to_be_visible()
    pe.get_by_role("link", name="1 open comment").click()
    heading(pe, f"Comments on {SCENARIO_TITLE}")
    pe.get_by_role("button", name="Mark the comment on Her daughter's view resolved").click()
    expect(pe.get_by_role("heading", name="Open (0)")).to_be_visible()
    expect(pe.get_by_role("heading", name="Resolved (1)")).to_be_visible()
    checks.axe(pe)

    # History and a diff of the student's save.
    doc_nav(pe, "History")
    heading(pe, f"History of {SCENARIO_TITLE}")
    history = pe.get_by_role("table")
    expect(history.get_by_role("row")).to_have_count(5)
    expect(history).to_contain_text("Wrote the opening")
    expect(history).to_contain_text(student.display_name)
    checks.axe(pe)
    checks.screenshots(pe, "studio-history")
    pe.get_by_role("link", name="Changes in 4").click()
    heading(pe, "Changes from revision 3 to 4")
    diff = pe.get_by_role("region", name=re.compile(r"^Changes from Revision 3 to Revision 4"))
    changed(diff, "What the learner sees first.", "Mrs Okafor is packed.")
    checks.axe(pe)
    checks.screenshots(pe, "studio-diff")

    # Both sign off revision 4; the patient educator publishes.
    pe.goto(EDITOR)
    publish = pe.get_by_role("button", name="Publish revision 4")
    expect(publish).to_be_disabled()
    sign_off(pe, 4)
    tu.goto(EDITOR)
    sign_off(tu, 4)
    pe.reload()
    review = pe.get_by_role("region", name="Review and publishing")
    expect(review).to_contain_text(f"Sign-off by a patient educator: {educator.display_name}")
    expect(review).to_contain_text(f"Sign-off by a tutor or staff member: {tutor.display_name}")
    expect(publish).to_be_enabled()
    publish.click()
    heading(pe, f"{SCENARIO_TITLE}: version 1")
    flash(pe, "Published as version 1.")
    expect(pe.get_by_role("heading", name="The first published version")).to_be_visible()
    checks.axe(pe)
    checks.screenshots(pe, "studio-version")

    # A scenario reaches learners only inside a published module: the patient educator writes one.
    studio(pe)
    start_draft(pe, "A module", MODULE, MODULE_TITLE, "patient educator")
    invite(pe, tutor, "staff", "nursing tutor")
    module_source = pe.locator("#source")
    module_source.fill(
        module_source.input_value()
        .replace("order: 99", "order: 7")
        .replace(
            "outcome: Describe ...",
            f"outcome: Plan a discharge with a patient and her family.\nscenario: {SCENARIO}",
        )
    )
    pe.get_by_label("What did you change?").fill("Listed the scenario")
    pe.get_by_role("button", name="Save revision").click()
    flash(pe, "Saved.")
    expect(pe.locator("#problems")).to_contain_text("No problems")
    checks.axe(pe)
    sign_off(pe, 2)
    tu.goto(MODULE_EDITOR)
    sign_off(tu, 2)
    pe.reload()
    pe.get_by_role("button", name="Publish revision 2").click()
    heading(pe, f"{MODULE_TITLE}: version 1")

    # The learner opens the module, starts the scenario and plays it to the daughter's ending.
    le = open_as(learner)
    checks.axe(le)
    le.get_by_role("link", name=f"Module 7 {MODULE_TITLE}").click()
    heading(le, MODULE_TITLE)
    expect(le.get_by_text("Plan a discharge with a patient and her family.")).to_be_visible()
    checks.axe(le)
    le.get_by_role("button", name=f"Start: {SCENARIO_TITLE}").click()
    heading(le, "Where it begins")
    expect(le.get_by_text("Mrs Okafor is packed.")).to_be_visible()
    checks.axe(le)
    le.get_by_role("button", name="Ask her daughter").click()
    heading(le, "Her daughter's view")
    expect(le.get_by_text("Ending: Planned together", exact=True)).to_be_visible()
    expect(le.get_by_role("region", name="Debrief")).to_contain_text(
        "The discharge plan changed because the family was asked."
    )
    checks.axe(le)
    screenshot(le, "studio-learner-ending")

    checks.assert_none()


def test_two_co_authors_saving_the_same_draft_get_the_merge_page_and_lose_nothing(
    open_as, make_user, checks
):
    educator = make_user(Role.PATIENT_EDUCATOR)
    tutor = make_user(Role.TUTOR)
    with unit_of_work():
        document = revisions.create_document(
            educator, DocumentKind.SCENARIO, SCENARIO, SCENARIO_TITLE, "patient educator"
        )
        members.invite(educator, document, tutor.email, MemberRole.STAFF, "nursing tutor")
    original = latest(SCENARIO).source
    theirs = original.replace("Where it begins", "Where the morning begins")
    mine = original.replace("What the learner sees first.", "My own careful paragraph.")
    assert theirs != original and mine != original

    pe = open_as(educator)
    tu = open_as(tutor)
    for person in (pe, tu):
        person.goto(EDITOR)
        heading(person, SCENARIO_TITLE)
    pe.locator("#source").fill(theirs)
    pe.get_by_label("What did you change?").fill("Named the morning")
    tu.locator("#source").fill(mine)
    tu.get_by_label("What did you change?").fill("Wrote my paragraph")

    pe.get_by_role("button", name="Save revision").click()
    flash(pe, "Saved.")
    assert latest(SCENARIO).number == 2

    with tu.expect_response(lambda r: r.url.endswith(f"{EDITOR}/save")) as answer:
        tu.get_by_role("button", name="Save revision").click()
    assert answer.value.status == 409
    heading(tu, "Someone saved this draft while you were editing")
    expect(tu.get_by_role("alert")).to_contain_text("nothing you typed is lost")
    # Both changed the opening node: it is shown as it was, as theirs and as mine; nothing is
    # chosen for the author, and the edit box starts with both changes (issue 13).
    conflict = tu.get_by_role("group", name=re.compile(r"^Conflict 1 of 1: Node 'opening'"))
    expect(conflict).to_contain_text("Where the morning begins")
    expect(conflict).to_contain_text("My own careful paragraph.")
    merge = conflict.get_by_label(re.compile(r"^Your edit of"))
    for text in ("Where the morning begins", "My own careful paragraph."):
        expect(merge).to_have_value(re.compile(re.escape(text)))
    expect(tu.get_by_label("What did you change?")).to_have_value("Wrote my paragraph")
    assert latest(SCENARIO).number == 2
    checks.axe(tu)
    checks.screenshots(tu, "studio-conflict")

    conflict.get_by_label("Edit", exact=True).check()
    tu.get_by_label("What did you change?").fill("Wrote my paragraph, kept the morning")
    tu.get_by_role("button", name="Save with these choices").click()
    heading(tu, SCENARIO_TITLE)
    flash(tu, "Saved as revision 3, with your choices.")

    newest = latest(SCENARIO)
    assert newest.number == 3
    assert "Where the morning begins" in newest.source
    assert "My own careful paragraph." in newest.source
    tu.get_by_role("navigation", name="This draft").get_by_role("link", name="History").click()
    history = tu.get_by_role("table")
    expect(history.get_by_role("row")).to_have_count(4)
    for message, who in [
        ("Named the morning", educator.display_name),
        ("Wrote my paragraph, kept the morning", tutor.display_name),
    ]:
        expect(history.get_by_role("row").filter(has_text=message)).to_contain_text(who)

    checks.assert_none()
