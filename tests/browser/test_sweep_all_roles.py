"""A sweep of every role's main pages: axe-core, a phone's width and 200% zoom on each.

One test per role (learner, patient educator, peer author, tutor, admin). Each signs in through
/login and reaches its pages by following links (the learner with the keyboard alone). On every
page it runs ``axe_check`` at 1280 px, then opens the same address in two more contexts signed in
as the same person:

* 375 px wide (a phone), and
* 640 x 450 CSS px at a device scale factor of 2: what a 1280 x 900 window shows at 200% zoom,

saves a full-page screenshot of each (test-artifacts/screenshots/sweep-<role>-<page>-375.png and
-zoom200.png) and checks that nothing scrolls sideways. When something does, the problem names
the elements that stick out of the viewport. Problems are collected per role and reported
together at the end, so one bad page does not hide the others.

A page whose view is not in the app's URL map yet (features still landing) is left out.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from eduapp.accounts.models import Role, User
from eduapp.cohorts import services as cohorts
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db, utcnow
from eduapp.player import services as player
from eduapp.reflections.models import Reflection, Visibility
from eduapp.studio.commenting import add_comment
from eduapp.studio.members import invite
from eduapp.studio.models import MemberRole
from eduapp.studio.revisions import create_document, save_source
from eduapp.transaction import unit_of_work
from tests.browser.keyboard import tab_to
from tests.support.accounts import PASSWORD

pytestmark = pytest.mark.browser

#: The machine running the suite may be busy: generous, since nothing here waits on purpose.
TIMEOUT_MS = 30_000
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
#: A 1280 x 900 window at 200% zoom lays pages out in 640 x 450 CSS pixels.
ZOOM_200 = {"width": 640, "height": 450}

SCENARIO = "ward-round"
DRAFT_SLUG = "going-home"
DRAFT_TITLE = "Going home on Friday"
#: Learners paste links; a long unbroken word is what breaks a layout at 375 px.
LONG_URL = "https://example.org/guidelines/discharge-planning/shared-decision-making-2026.pdf"
SHARED_REFLECTION = f"She looked tired, and nobody asked her. I read {LONG_URL} afterwards."

#: Elements whose right edge lies beyond the viewport and that no clipping ancestor hides.
WIDE_ELEMENTS_JS = """
() => {
  const vw = window.innerWidth;
  const clipping = ['auto', 'scroll', 'hidden', 'clip'];
  const clips = (el) => clipping.includes(getComputedStyle(el).overflowX);
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    if (el.classList.length) name += '.' + [...el.classList].join('.');
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    const r = el.getBoundingClientRect();
    return `${name}${text ? ' "' + text + '"' : ''} (left ${Math.round(r.left)}, `
      + `width ${Math.round(r.width)}, right ${Math.round(r.right)})`;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 0.5) continue;
    let clipped = false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (clips(a) && a.getBoundingClientRect().right <= vw + 0.5) { clipped = true; break; }
    }
    if (!clipped) wide.push(el);
  }
  const outermost = wide.filter((el) => !wide.some((o) => o !== el && o.contains(el)));
  const innermost = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
  return {
    outermost: outermost.slice(0, 4).map(describe),
    innermost: innermost.slice(0, 8).map(describe),
  };
}
"""


class Sweep:
    """Visits pages for one role and collects every problem instead of stopping at the first."""

    def __init__(self, role: str, browser: Browser, base_url: str, axe, axe_check, screenshot):
        self.role = role
        self.browser = browser
        self.base_url = base_url
        self.axe = axe
        self.axe_check = axe_check
        self.screenshot = screenshot
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.visited: list[str] = []
        self.contexts = []
        self.sides: dict[str, Page] = {}

    def new_page(self, **options) -> Page:
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(2 * TIMEOUT_MS)
        self.contexts.append(context)
        return context.new_page()

    def signed_in(self, page: Page) -> None:
        """Open the phone and zoomed contexts with the session ``page`` holds."""
        state = page.context.storage_state()
        self.sides = {
            "375": self.new_page(viewport=PHONE, storage_state=state),
            "zoom200": self.new_page(viewport=ZOOM_200, device_scale_factor=2, storage_state=state),
        }

    def visit(self, page: Page, name: str) -> None:
        """Check the page ``page`` shows now: axe at full width, then reflow at both sizes."""
        url = page.url
        self.visited.append(f"{name}: {url.removeprefix(self.base_url)}")
        try:
            self.axe_check(page)
        except (AssertionError, pytest.fail.Exception) as failure:
            self.problems.append(f"[{name}] {str(failure).strip()}")
            self._axe_details(page, name)
        for size, side in self.sides.items():
            response = side.goto(url)
            if response is None or response.status != 200:
                status = response.status if response else "no response"
                self.problems.append(f"[{name}] {url} answered {status} at {size}")
                continue
            self.screenshot(side, f"sweep-{self.role}-{name}-{size}")
            scroll_width, inner_width = side.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll_width > inner_width:
                wide = side.evaluate(WIDE_ELEMENTS_JS)
                self.problems.append(
                    f"[{name}] scrolls sideways at {size}: scrollWidth {scroll_width} > "
                    f"innerWidth {inner_width}.\n  outermost too wide: "
                    + "; ".join(wide["outermost"])
                    + "\n  innermost too wide: "
                    + "; ".join(wide["innermost"])
                )

    def _axe_details(self, page: Page, name: str) -> None:
        """Every node of every serious or critical violation, for the report."""
        for violation in self.axe.run(page).response["violations"]:
            if violation["impact"] not in {"serious", "critical"}:
                continue
            for node in violation["nodes"]:
                self.problems.append(
                    f"    [{name}] {violation['id']}: {' '.join(node['target'])} "
                    f"{node.get('failureSummary', '').splitlines()[-1:]}"
                )

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def assert_none(self) -> None:
        print(f"\n== {self.role}: visited {len(self.visited)} page(s)")
        for line in self.visited + [f"note: {note}" for note in self.notes]:
            print(f"   {line}")
        if self.problems:
            for problem in self.problems:
                print(f"   PROBLEM {problem}")
            pytest.fail(
                f"{self.role}: {len(self.problems)} problem(s) on the pages swept:\n"
                + "\n".join(self.problems)
            )


@pytest.fixture
def sweep(browser, live_server, app, axe, axe_check, screenshot):
    """sweep(role) -> a Sweep; ``app`` empties the tables once every context is closed."""
    made = []

    def make(role: str) -> Sweep:
        made.append(Sweep(role, browser, live_server.url, axe, axe_check, screenshot))
        return made[-1]

    yield make
    for one in made:
        one.close()


def exists(app, endpoint: str) -> bool:
    return endpoint in app.view_functions


def heading(page: Page, text: str | re.Pattern) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text, timeout=TIMEOUT_MS)


def sign_in_with_mouse(page: Page, user: User) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").click()
    page.keyboard.type(user.email)
    page.get_by_label("Password").click()
    page.keyboard.type(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    heading(page, "The course")


def main_nav(page: Page, name: str | re.Pattern) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def play_to_an_ending(learner: User, choices: list[int], reflection: str | None = None):
    """An attempt at the fixture scenario played by the services; the reflection, if any, is
    written at the first node and shared with tutors."""
    with unit_of_work():
        attempt = player.start_attempt(learner, newest_version(DocumentKind.SCENARIO, SCENARIO))
        for step, number in enumerate(choices):
            written = None
            if step == 0 and reflection:
                written = player.ReflectionInput(reflection, Visibility.TUTORS)
            assert player.choose(attempt, step, number, written) == player.Outcome.RECORDED
    assert attempt.status == "completed"
    return db.session.scalar(sa.select(Reflection).where(Reflection.attempt_id == attempt.id))


def a_cohort_with_the_module(tutor: User, *learners: User, name: str = "Ward team"):
    with unit_of_work():
        cohort = cohorts.create_cohort(tutor, name)
        module = newest_version(DocumentKind.MODULE, "test-module")
        cohorts.assign_module(cohort, module.document, utcnow() + timedelta(days=6))
        for learner in learners:
            cohorts.join(learner, cohort)
    return cohort


def a_draft_with_history(educator: User, *co_authors: tuple[User, MemberRole, str]):
    """The fixture scenario as a studio draft of the patient educator: two revisions, co-authors
    and an open comment on a node."""
    with unit_of_work():
        return _draft_with_history(educator, *co_authors)


def _draft_with_history(educator: User, *co_authors: tuple[User, MemberRole, str]):
    document = create_document(
        educator, DocumentKind.SCENARIO, DRAFT_SLUG, DRAFT_TITLE, "patient educator"
    )
    source = (
        (app_scenarios_dir() / f"{SCENARIO}.md")
        .read_text(encoding="utf-8")
        .replace(f"id: {SCENARIO}", f"id: {DRAFT_SLUG}")
        .replace("title: A ward round", f"title: {DRAFT_TITLE}")
    )
    save_source(educator, document, 1, source, "Wrote the ward round from my own stay")
    for user, role, credit in co_authors:
        invite(educator, document, user.email, role, credit)
    commenter = co_authors[0][0] if co_authors else educator
    add_comment(
        commenter, document, 2, "node:bedside", "Would she really ask this on the round itself?"
    )
    return document


def app_scenarios_dir():
    from flask import current_app

    return current_app.config["SCENARIOS_DIR"]


def submit_the_assessment(learner: User) -> bool:
    """The learner submits the fixture assessment (with a written answer to mark)."""
    from eduapp.assessments import services as assessments
    from tests.support.assessments import ENGINE_ANSWERS

    version = newest_version(DocumentKind.ASSESSMENT, "test-module")
    if version is None:
        return False
    stored = {
        key: sorted(value) if isinstance(value, set) else value
        for key, value in ENGINE_ANSWERS.items()
    }
    with unit_of_work():
        attempt = assessments.start_attempt(learner, version)
        return bool(assessments.submit(attempt, stored))


# The learner, with the keyboard alone -------------------------------------------------------
def test_sweep_learner(app, course, make_user, sweep):
    tutor = make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER, profession="physiotherapy")
    a_cohort_with_the_module(tutor, learner)
    earlier = play_to_an_ending(learner, [2, 2, 1], SHARED_REFLECTION)
    if exists(app, "reflections.reflection"):
        from eduapp.reflections import services as reflections

        with unit_of_work():
            reflections.reply(tutor, earlier, "What made you follow the consultant?")

    check = sweep("learner")
    page = check.new_page(viewport=WIDE)
    page.goto("/")
    tab_to(page, "Sign in")
    page.keyboard.press("Enter")
    heading(page, "Sign in")
    tab_to(page, "E-mail")
    page.keyboard.type(learner.email)
    tab_to(page, "Password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    heading(page, "The course")
    check.signed_in(page)
    check.visit(page, "modules")

    tab_to(page, "Module 1 Test module")
    page.keyboard.press("Enter")
    heading(page, "Test module")
    check.visit(page, "module")

    if exists(app, "assessments.overview"):
        tab_to(page, "Take the assessment")
        page.keyboard.press("Enter")
        heading(page, "Test module: check your understanding")
        check.visit(page, "assessment")
        tab_to(page, "Take the assessment")
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Submit my answers")).to_be_visible()
        check.visit(page, "assessment-take")
        tab_to(page, "Modules")
        page.keyboard.press("Enter")
        heading(page, "The course")
        tab_to(page, "Module 1 Test module")
        page.keyboard.press("Enter")
        heading(page, "Test module")

    tab_to(page, re.compile(r"^(Start|Play again)\b.*A ward round$"))
    page.keyboard.press("Enter")
    heading(page, "At the bedside")
    check.visit(page, "step")
    tab_to(page, "What did you notice first?")
    page.keyboard.type("Her coat was already on the chair.")
    tab_to(page, "Only me")
    page.keyboard.press("ArrowDown")
    tab_to(page, "Ask her what matters most")
    page.keyboard.press("Enter")
    heading(page, "What matters")
    check.visit(page, "step-feedback")
    tab_to(page, "Tell the consultant")
    page.keyboard.press("Enter")
    heading(page, "The huddle")
    tab_to(page, "Plan the discharge together")
    page.keyboard.press("Enter")
    heading(page, "Home for the wedding")
    check.visit(page, "ending")

    tab_to(page, "My attempts")
    page.keyboard.press("Enter")
    heading(page, "My attempts")
    check.visit(page, "attempts")

    if exists(app, "mydata.learning"):
        tab_to(page, "My learning")
        page.keyboard.press("Enter")
        heading(page, "My learning")
        check.visit(page, "learning")
        if exists(app, "mydata.data"):
            tab_to(page, "My data: download or erase")
            page.keyboard.press("Enter")
            heading(page, "My data")
            check.visit(page, "my-data")

    if exists(app, "notifications.index"):
        tab_to(page, re.compile(r"^Notifications \(\d+\)$"))
        page.keyboard.press("Enter")
        heading(page, "Notifications")
        check.visit(page, "notifications")
        if exists(app, "reflections.my_reflection"):
            tab_to(page, re.compile(r"^Your tutor replied"))
            page.keyboard.press("Enter")
            heading(page, "My reflection")
            check.visit(page, "my-reflection")
            tab_to(page, "My reflections")
            page.keyboard.press("Enter")
            heading(page, "My reflections")
            check.visit(page, "my-reflections")

    tab_to(page, learner.display_name)
    page.keyboard.press("Enter")
    heading(page, "Your profile")
    check.visit(page, "profile")
    check.assert_none()


# The patient educator -----------------------------------------------------------------------
def test_sweep_patient_educator(app, make_user, sweep):
    educator = make_user(Role.PATIENT_EDUCATOR)
    tutor = make_user(Role.TUTOR)
    a_draft_with_history(educator, (tutor, MemberRole.STAFF, "nursing tutor"))

    check = sweep("patient-educator")
    page = check.new_page(viewport=WIDE)
    sign_in_with_mouse(page, educator)
    check.signed_in(page)
    main_nav(page, "Studio")
    heading(page, "Studio")
    check.visit(page, "studio")

    page.get_by_role("table").get_by_role("link", name=DRAFT_TITLE).click()
    heading(page, DRAFT_TITLE)
    check.visit(page, "editor")
    draft_nav = page.get_by_role("navigation", name="This draft")
    for link, title, name, endpoint in (
        ("Map", f"Map of {DRAFT_TITLE}", "map", "history.scenario_map"),
        ("History", f"History of {DRAFT_TITLE}", "history", "history.revisions"),
        ("Comments", f"Comments on {DRAFT_TITLE}", "comments", "collab.comments"),
    ):
        if not exists(app, endpoint):
            continue
        draft_nav.get_by_role("link", name=link).click()
        heading(page, title)
        check.visit(page, name)
    check.assert_none()


# A learner invited to a studio draft --------------------------------------------------------
def test_sweep_peer_author(make_user, sweep):
    educator = make_user(Role.PATIENT_EDUCATOR)
    student = make_user(Role.LEARNER, profession="medicine")
    a_draft_with_history(educator, (student, MemberRole.PEER_STUDENT, "medical student"))

    check = sweep("peer-author")
    page = check.new_page(viewport=WIDE)
    sign_in_with_mouse(page, student)
    check.signed_in(page)
    main_nav(page, "Studio")
    heading(page, "Studio")
    check.visit(page, "studio")
    page.get_by_role("table").get_by_role("link", name=DRAFT_TITLE).click()
    heading(page, DRAFT_TITLE)
    expect(page.get_by_text("You are a peer student here.")).to_be_visible()
    check.visit(page, "editor")
    check.assert_none()


# The tutor ----------------------------------------------------------------------------------
def test_sweep_tutor(app, course, make_user, sweep):
    tutor = make_user(Role.TUTOR)
    nurse = make_user(Role.LEARNER, profession="nursing")
    pharmacist = make_user(Role.LEARNER, profession="pharmacy")
    a_cohort_with_the_module(tutor, nurse, pharmacist)
    play_to_an_ending(nurse, [1, 1, 1], SHARED_REFLECTION)  # Heard
    play_to_an_ending(pharmacist, [1, 2])  # Unheard
    marking = exists(app, "assessments.marking_queue") and submit_the_assessment(nurse)

    check = sweep("tutor")
    page = check.new_page(viewport=WIDE)
    sign_in_with_mouse(page, tutor)
    check.signed_in(page)
    main_nav(page, "Cohorts")
    heading(page, "Your cohorts")
    check.visit(page, "cohorts")

    page.get_by_role("link", name="Ward team").click()
    heading(page, "Ward team")
    check.visit(page, "dashboard")
    if exists(app, "insight.scenario"):
        page.get_by_role("link", name="How the cohort chose in “A ward round”").click()
        heading(page, "How Ward team chose in “A ward round”")
        check.visit(page, "insight")

    if exists(app, "reflections.queue"):
        main_nav(page, re.compile(r"^Notifications \(\d+\)$"))
        heading(page, "Notifications")
        page.get_by_role("link", name="Reflection queue").click()
        heading(page, "Reflection queue")
        check.visit(page, "reflection-queue")
        page.get_by_role(
            "link", name=f"Reply and tag the reflection of {nurse.display_name}"
        ).click()
        heading(page, f"Reflection of {nurse.display_name}")
        check.visit(page, "reflection")

    if marking:
        queue = page.locator('a[href$="/assessments/marking"]')
        if queue.count():
            queue.first.click()
        else:
            check.notes.append(
                "no page visited links to the marking queue: opened /assessments/marking by hand"
            )
            page.goto("/assessments/marking")
        heading(page, "Marking")
        check.visit(page, "marking-queue")
        page.get_by_role("link", name=nurse.display_name).first.click()
        heading(page, re.compile(r"^Mark: "))
        check.visit(page, "marking")
    check.assert_none()


# The admin ----------------------------------------------------------------------------------
def test_sweep_admin(app, course, make_user, sweep):
    admin = make_user(Role.ADMIN)
    make_user(Role.TUTOR)
    make_user(Role.PATIENT_EDUCATOR)
    leaving = make_user(Role.LEARNER, profession="occupational_therapy")
    a_draft_with_history(make_user(Role.PATIENT_EDUCATOR))  # something for the audit log
    if exists(app, "admin.erasure_requests"):
        from eduapp.mydata import services as mydata

        with unit_of_work():
            mydata.request_erasure(leaving)

    check = sweep("admin")
    page = check.new_page(viewport=WIDE)
    sign_in_with_mouse(page, admin)
    check.signed_in(page)
    for link, title, name, endpoint in (
        ("People", "People and roles", "people", "admin.users"),
        ("Audit log", "Audit log", "audit", "admin.audit"),
        ("Erasure", "Erasure requests", "erasure", "admin.erasure_requests"),
    ):
        if not exists(app, endpoint):
            continue
        main_nav(page, link)
        heading(page, title)
        check.visit(page, name)
    check.assert_none()
