"""A learner joins a cohort with a code, sees what is due, downloads their data and asks for
erasure; an admin carries it out."""

import json
import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from eduapp.accounts.models import Role, User
from eduapp.cohorts import services as cohorts
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db, utcnow
from eduapp.player import services as player
from eduapp.transaction import unit_of_work
from tests.support.accounts import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page: Page, user: User, email: str | None = None) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email or user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The course")


def _heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_a_learner_joins_downloads_and_is_erased(
    page, course, make_user, axe_check, screenshot_widths, tmp_path
):
    tutor = make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    learner_id, learner_email = learner.id, learner.email
    with unit_of_work():
        cohort = cohorts.create_cohort(tutor, "Interprofessional week")
        module = newest_version(DocumentKind.MODULE, "test-module")
        cohorts.assign_module(cohort, module.document, utcnow() + timedelta(days=6))
        earlier = cohorts.create_cohort(tutor, "Autumn block")
        cohorts.assign_module(earlier, module.document, utcnow() - timedelta(days=2))
        cohorts.join(learner, earlier)
        version = newest_version(DocumentKind.SCENARIO, "ward-round")
        player.choose(player.start_attempt(learner, version), 0, 1)

    _sign_in(page, learner)
    page.get_by_role("link", name="My learning").click()
    _heading(page, "My learning")
    axe_check(page)
    page.get_by_label("Cohort code").fill(cohort.join_code)
    page.get_by_role("button", name="Join the cohort").click()
    expect(page.get_by_role("status")).to_contain_text("You joined Interprofessional week.")
    due = page.get_by_role("region", name="What is due")
    expect(due.get_by_role("listitem")).to_have_text(
        [
            re.compile(r"Autumn block[\s\S]*Overdue"),
            re.compile(r"Interprofessional week[\s\S]*In progress"),
        ]
    )
    expect(page.get_by_role("table", name="Modules set for Interprofessional week")).to_be_visible()
    axe_check(page)
    screenshot_widths(page, "mydata-learning")

    page.get_by_role("link", name="My data: download or erase").click()
    _heading(page, "My data")
    axe_check(page)
    screenshot_widths(page, "mydata-data")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download everything (JSON)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("eduapp-my-data-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["account"]["email"] == learner_email
    assert [c["cohort"] for c in data["cohorts"]] == ["Autumn block", "Interprofessional week"]
    assert [len(a["choices"]) for a in data["attempts"]] == [1]

    page.get_by_label("I understand that my reflections").check()
    page.get_by_role("button", name="Ask for my data to be erased").click()
    expect(page.locator(".flashes")).to_contain_text("Your request is recorded")
    axe_check(page)
    page.get_by_role("button", name="Sign out").click()

    admin = make_user(Role.ADMIN)
    _sign_in(page, admin)
    page.get_by_role("link", name="Erasure").click()
    _heading(page, "Erasure requests")
    expect(page.get_by_role("region", name="Waiting")).to_contain_text(learner_email)
    axe_check(page)
    screenshot_widths(page, "mydata-erasure")
    page.get_by_label("I have checked this request").check()
    page.get_by_role("button", name="Erase now").click()
    expect(page.get_by_role("status")).to_contain_text(f"Account {learner_id} is erased.")
    expect(page.get_by_role("region", name="Waiting")).to_contain_text("No request is waiting")
    axe_check(page)

    db.session.expire_all()
    erased = db.session.get(User, learner_id)
    assert erased.email == f"erased-{learner_id}@invalid.example" and erased.erased_at
    page.get_by_role("button", name="Sign out").click()
    page.goto("/login")
    page.get_by_label("E-mail").fill(learner_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That e-mail and password do not match an account.")).to_be_visible()
