"""Issue 13 in the browser: the review panel says why an admin's sign-off does not count and who
can give the missing one; an upload refusal comes back on the editor; a published scenario in no
module is proposed to one, accepted by a module co-author, signed off and published by the
module's own rule, and a learner finds it in the module."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from eduapp.accounts.models import Role, User
from eduapp.content.models import DocumentKind
from eduapp.studio import members, publishing, queries, revisions
from eduapp.studio.models import Decision, MemberRole
from eduapp.transaction import unit_of_work
from tests.browser import test_studio_journeys as journeys
from tests.browser.test_studio_journeys import Checks, heading

pytestmark = pytest.mark.browser
#: Each person in a browser context of their own, signed in through /login (a shared fixture).
people_pages = journeys.open_as

SCENARIO = "/studio/scenario/night-handover"
MODULE = "/studio/module/team-module"


@pytest.fixture
def checks(axe_check, screenshot_widths) -> Checks:
    return Checks(axe_check, screenshot_widths)


def _publish(document, *people) -> None:
    number = queries.latest_revision(document).number
    for person in people:
        publishing.review(person, document, number, Decision.APPROVE, "")
    publishing.publish(people[0], document, number)


@pytest.fixture
def world(app, make_user, course):
    """A scenario published by a patient educator and a tutor, in no module yet; a studio
    module listing the course's ward-round, published by two others."""
    people = {
        "educator": make_user(Role.PATIENT_EDUCATOR),
        "tutor": make_user(Role.TUTOR),
        "module_educator": make_user(Role.PATIENT_EDUCATOR),
        "module_tutor": make_user(Role.TUTOR),
        "admin": make_user(Role.ADMIN),
        "learner": make_user(Role.LEARNER, profession="nursing"),
    }
    with unit_of_work():
        scenario = revisions.create_document(
            people["educator"], DocumentKind.SCENARIO, "night-handover", "The night handover", ""
        )
        members.invite(
            people["educator"], scenario, people["tutor"].email, MemberRole.STAFF, "nursing tutor"
        )
        _publish(scenario, people["educator"], people["tutor"])
        module = revisions.create_document(
            people["module_educator"], DocumentKind.MODULE, "team-module", "Working as a team", ""
        )
        members.invite(
            people["module_educator"],
            module,
            people["module_tutor"].email,
            MemberRole.STAFF,
            "medical tutor",
        )
        source = (
            queries.latest_revision(module)
            .source.replace("order: 99", "order: 2")
            .replace("outcome: Describe ...", "outcome: Describe the team.\nscenario: ward-round")
        )
        revisions.save_source(people["module_educator"], module, 1, source, "The reading")
        _publish(module, people["module_educator"], people["module_tutor"])
    return people


def test_review_panel_upload_refusal_and_a_proposal_that_reaches_learners(
    world, people_pages: Callable[[User], Page], checks: Checks, tmp_path
):
    people, open_as = world, people_pages
    # An admin who is not a member signs off a new revision: the panel says why it does not
    # count, and who can give the sign-offs still needed.
    educator = open_as(people["educator"])
    educator.goto(SCENARIO)
    educator.get_by_label("What did you change?").fill("A clearer start")
    educator.locator("#source").fill(
        educator.locator("#source").input_value().replace("Where it begins", "Where it starts")
    )
    educator.get_by_role("button", name="Save revision").click()
    admin = open_as(people["admin"])
    admin.goto(SCENARIO)
    admin.get_by_label("Sign off this revision").check()
    admin.get_by_role("button", name="Send decision").click()
    educator.goto(SCENARIO)
    why = educator.locator("#review-why")
    expect(why).to_contain_text("signed off as an admin who is not a member of this draft")
    expect(why).to_contain_text("signed off revision 1; revision 2 was saved since")
    expect(why).to_contain_text(people["tutor"].display_name + " can sign off for this line")
    educator.locator("#review").scroll_into_view_if_needed()
    checks.axe(educator)
    checks.screenshots(educator, "studio-review-why")

    # An upload refusal lands on the editor, saying why.
    page_file = tmp_path / "page.html"
    page_file.write_text("<script>alert(1)</script>")
    educator.get_by_text("Work in your own text editor").click()
    educator.get_by_label("A source file (.md or .txt, at most 2 MB)").set_input_files(page_file)
    educator.get_by_role("button", name="Upload as a new revision").click()
    heading(educator, "The night handover")
    expect(educator.locator("#upload-error")).to_contain_text(
        "Not uploaded: Upload a plain-text .md or .txt file."
    )
    checks.axe(educator)
    checks.screenshots(educator, "studio-upload-refused")

    # The published scenario is in no module: propose it to one.
    educator.goto(SCENARIO)
    reach = educator.locator("#reach")
    expect(reach).to_contain_text("is in no published module")
    reach.get_by_label("Module", exact=True).select_option(label="Working as a team")
    reach.get_by_label("Note for the module's co-authors (optional)").fill(
        "Night shifts are where handovers fail."
    )
    reach.get_by_role("button", name="Propose").click()
    expect(educator.locator("#reach")).to_contain_text("waiting for its co-authors")
    checks.screenshots(educator, "studio-proposed")

    # A module co-author is notified, accepts, and the module's own rule publishes it.
    module_tutor = open_as(people["module_tutor"])
    module_tutor.goto("/notifications")
    module_tutor.get_by_role("link", name="is proposed for the module").first.click()
    proposals = module_tutor.locator("#proposals")
    expect(proposals).to_contain_text("Night shifts are where handovers fail.")
    checks.axe(module_tutor)
    checks.screenshots(module_tutor, "studio-module-proposals")
    proposals.get_by_role("button", name="Accept night-handover").click()
    module_educator = open_as(people["module_educator"])
    for person in (module_tutor, module_educator):
        person.goto(MODULE)
        person.get_by_label("Sign off this revision").check()
        person.get_by_role("button", name="Send decision").click()
    module_tutor.goto(MODULE)
    module_tutor.get_by_role("button", name="Publish revision 3").click()
    heading(module_tutor, "Working as a team: version 2")

    learner = open_as(people["learner"])
    learner.goto("/modules/team-module")
    expect(learner.get_by_text("The night handover")).to_be_visible()
    educator.goto(SCENARIO)
    expect(educator.locator("#reach")).to_contain_text("Learners find it in Working as a team")
    checks.assert_none()
