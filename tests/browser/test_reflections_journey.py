"""A tutor answers a shared reflection; a peer reviews it; the learner reads both."""

import pytest
from playwright.sync_api import Page, expect

from eduapp.accounts.models import Role, User
from tests.support.accounts import PASSWORD
from tests.support.reflections import HOSTILE, cohort_with, reflect

pytestmark = pytest.mark.browser


@pytest.fixture
def sign_in(page: Page):
    def sign_in(user: User) -> None:
        page.context.clear_cookies()
        page.goto("/login")
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("The course")

    return sign_in


def test_reply_tag_review_and_read(page, course, make_user, sign_in, axe_check, screenshot_widths):
    tutor = make_user(Role.TUTOR)
    author = make_user(Role.LEARNER, profession="pharmacy")
    reviewer = make_user(Role.LEARNER, profession="medicine")
    cohort_with(tutor, author, reviewer)
    reflect(author, f"The consultant talked over her.\nI said nothing. {HOSTILE}")

    sign_in(tutor)
    page.goto("/notifications")
    page.get_by_role("link", name="Reflection queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reflection queue")
    expect(page.get_by_text(HOSTILE)).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "reflections-queue")

    page.get_by_role("link", name=f"Reply and tag the reflection of {author.display_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Reflection of {author.display_name}"
    )
    axe_check(page)
    page.get_by_label("Your reply").fill("What would have helped you speak?")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply is sent")
    page.get_by_role("checkbox", name="power and hierarchy").check()
    page.get_by_label("Add a theme").fill("Speaking up")
    page.get_by_role("button", name="Save themes").click()
    expect(page.get_by_role("checkbox", name="speaking up")).to_be_checked()
    page.get_by_role("button", name="Open for peer review in Cohort A").click()
    expect(page.get_by_role("status")).to_contain_text("1 reviewer drawn")
    axe_check(page)
    screenshot_widths(page, "reflections-reflection")

    sign_in(reviewer)
    page.get_by_role("link", name="Notifications (1)").click()
    axe_check(page)
    page.get_by_role("link", name="waiting for your anonymous peer review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Peer review")
    expect(page.get_by_text(author.display_name)).to_have_count(0)
    axe_check(page)
    for criterion, score in (("Connects", "3"), ("Names", "4"), ("Considers", "2")):
        page.get_by_role("group", name=criterion).get_by_label(score, exact=True).check()
    page.get_by_label("Your comment").fill("Brave to write down.")
    screenshot_widths(page, "reflections-peer-review")
    page.get_by_role("button", name="Submit review").click()
    expect(page.get_by_role("status")).to_contain_text("without your name")
    axe_check(page)
    page.goto("/peer-reviews")
    axe_check(page)

    sign_in(author)
    page.get_by_role("link", name="Notifications (3)").click()
    page.get_by_role("link", name="Your tutor replied to your reflection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reflection")
    expect(page.get_by_text("What would have helped you speak?")).to_be_visible()
    expect(page.get_by_text(tutor.display_name)).to_be_visible()
    expect(page.get_by_text("Brave to write down.")).to_be_visible()
    expect(page.get_by_text(reviewer.display_name)).to_have_count(0)
    expect(page.get_by_text("speaking up")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="My reflections").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reflections")
    axe_check(page)
    screenshot_widths(page, "reflections-mine")
    page.get_by_role("radio", name="Only me").check()
    page.get_by_role("button", name="Save who may read").click()
    expect(page.get_by_role("status")).to_contain_text("Visible to: Only me")
    page.goto("/notifications")
    axe_check(page)
    screenshot_widths(page, "notifications")


def test_a_long_queue_is_paged_and_counted_ahead(
    page, course, make_user, sign_in, axe_check, screenshot_widths, monkeypatch
):
    """More reflections than a page, and more than the queue counts: "Page 1 of 2+"."""
    from eduapp import paging

    monkeypatch.setattr(paging, "COUNT_AHEAD", 30)  # the live server runs in this process
    tutor = make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    cohort_with(tutor, learner)
    for number in range(55):
        reflect(learner, f"Reflection number {number:02d}")
    sign_in(tutor)
    page.goto("/reflections/queue")
    expect(page.get_by_role("status")).to_have_text("30+ reflections waiting for a reply.")
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text("Page 1 of 2+")
    expect(page.get_by_text("Reflection number 00")).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "reflections-queue-long")
    # Each page counts 30 past itself: the count firms up as the tutor pages on.
    pages.get_by_role("link", name="Later").click()
    expect(page.get_by_text("Reflection number 20")).to_be_visible()
    expect(pages).to_contain_text("Page 2 of 3+")
    expect(page.get_by_role("status")).to_have_text("50+ reflections waiting for a reply.")
    pages.get_by_role("link", name="Later").click()
    expect(page.get_by_text("Reflection number 54")).to_be_visible()
    expect(pages).to_contain_text("Page 3 of 3")
    expect(page.get_by_role("status")).to_have_text("55 reflections waiting for a reply.")
    axe_check(page)
