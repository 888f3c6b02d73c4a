"""A cohort's roster from its LMS course (Names and Role Provisioning Services): a tutor who
came from a real platform (lti1p3platform on loopback) syncs it from the cohort dashboard
(eduapp/lti/roster.py)."""

import re

import httpx
import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role, User
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import Cohort, CohortMember, CohortTutor
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db
from eduapp.lti import keys, roster, service_client
from eduapp.lti.models import Context, Identity
from eduapp.lti.provisioning import NO_ADDRESS_DOMAIN
from eduapp.transaction import unit_of_work
from tests.support.accounts import csrf_from
from tests.support.lti import lms_platform, register
from tests.support.lti_platform import INSTRUCTOR, LEARNER

COURSE = "ipp-1"
MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"


class Browser:
    """A person's browser against the live eduapp (and the platform)."""

    def __init__(self, live_server):
        self.base = live_server.url
        self.http = httpx.Client()

    def get(self, path: str) -> httpx.Response:
        return self.http.get(self.base + path)

    def post(self, path: str, data: dict, page: str) -> httpx.Response:
        token = csrf_from(self.get(page).text)
        return self.http.post(self.base + path, data={"csrf_token": token, **data})

    def launch(self, platform, user: str, link_id: str) -> str:
        form = platform.launch_with(self.http, user, COURSE, link_id)
        response = self.http.post(form.action, data=form.fields)
        assert response.status_code == 302, response.text
        return response.headers["Location"].removeprefix(self.base)


@pytest.fixture
def lms(app, course, live_server, lti_platform):
    """The platform registered in eduapp, its course and its people: two learners, two
    instructors, a mentor (a role eduapp has no use for)."""
    register(lti_platform)
    with unit_of_work():
        keys.ensure_signing_key()
    service_client.forget_tokens()
    lti_platform.add_course(COURSE, "Interprofessional practice", "IPP")
    people = [
        ("ada", "Ada Learner", "ada@students.example.edu", LEARNER),
        ("ben", "Ben Learner", "ben@students.example.edu", LEARNER),
        ("tom", "Tom Tutor", "tom@staff.example.edu", INSTRUCTOR),
        ("cat", "Cat Tutor", "cat@staff.example.edu", INSTRUCTOR),
        ("mo", "Mo Mentor", "mo@example.edu", MENTOR),
    ]
    for subject, name, email, role in people:
        lti_platform.add_user(subject, name, email, [role], [COURSE])
    lti_platform.link = lti_platform.add_link(
        COURSE, "Ward round", {"eduapp_item": "scenario:ward-round"}
    )
    return lti_platform


@pytest.fixture
def tom(lms, live_server):
    """The course's instructor, signed in to eduapp by a launch: the cohort's tutor."""
    browser = Browser(live_server)
    browser.launch(lms, "tom", lms.link.id)
    yield browser
    browser.http.close()


def _cohort_id() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(Context.cohort_id))


def _sync(browser: Browser, cohort_id: int) -> str:
    """Press the dashboard's button; the dashboard it comes back to."""
    dashboard = f"/cohorts/{cohort_id}"
    response = browser.post(f"/lti/cohorts/{cohort_id}/roster", {}, page=dashboard)
    assert response.status_code == 302, response.text
    assert response.headers["Location"].endswith(dashboard)
    return browser.get(dashboard).text


def _subjects_and_users() -> dict[str, User]:
    db.session.expire_all()
    return {i.subject: i.user for i in db.session.scalars(sa.select(Identity))}


def _member_names(cohort_id: int) -> list[str]:
    return sorted(
        db.session.scalars(
            sa.select(User.display_name)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort_id)
        )
    )


def _tutor_names(cohort_id: int) -> list[str]:
    return sorted(
        db.session.scalars(
            sa.select(User.display_name)
            .join(CohortTutor, CohortTutor.user_id == User.id)
            .where(CohortTutor.cohort_id == cohort_id)
        )
    )


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in (User, Identity, CohortMember, CohortTutor)
    )


def test_a_tutor_syncs_the_roster_and_the_course_fills_the_cohort(lms, tom, make_user):
    # Someone in eduapp already has Ben's address: his account gets one that reaches nobody,
    # as his first launch would have given him.
    make_user(Role.LEARNER, email="ben@students.example.edu")
    cohort_id = _cohort_id()
    before = tom.get(f"/cohorts/{cohort_id}").text
    assert "Course in Test platform: Interprofessional practice" in before
    assert "The roster has not been synced yet" in before
    assert "Sync the roster from the LMS" in before

    page = _sync(tom, cohort_id)

    assert (
        "Roster synced from Test platform: 3 new accounts; 2 learners joined; "
        "1 tutor added; 1 already here; 1 without a learner&#39;s or instructor&#39;s role, "
        "skipped." in page
    )
    assert "Roster last synced" in page
    linked = _subjects_and_users()
    assert sorted(linked) == ["ada", "ben", "cat", "tom"]
    assert (linked["ada"].display_name, linked["ada"].email) == (
        "Ada Learner",
        "ada@students.example.edu",
    )
    assert linked["ben"].email.endswith("@" + NO_ADDRESS_DOMAIN)
    assert linked["ada"].role_set == {Role.LEARNER} and linked["cat"].role_set == {Role.TUTOR}
    assert linked["ada"].profession is None  # asked at her first launch
    assert _member_names(cohort_id) == ["Ada Learner", "Ben Learner"]
    assert _tutor_names(cohort_id) == ["Cat Tutor", "Tom Tutor"]
    assert db.session.scalar(sa.select(Context.roster_synced_at)) is not None


def test_a_second_sync_changes_nothing(lms, tom):
    cohort_id = _cohort_id()
    _sync(tom, cohort_id)
    counts = _counts()

    page = _sync(tom, cohort_id)

    assert "0 new accounts; 0 learners joined; 0 tutors added; 4 already here" in page
    assert _counts() == counts


def test_every_page_of_the_roster_is_read(lms, tom, monkeypatch):
    monkeypatch.setattr(roster, "PAGE_SIZE", 2)  # five people: three pages, linked by "next"
    cohort_id = _cohort_id()

    page = _sync(tom, cohort_id)

    assert "3 new accounts; 2 learners joined; 1 tutor added" in page
    assert sorted(_subjects_and_users()) == ["ada", "ben", "cat", "tom"]


def test_a_learner_the_roster_made_is_signed_in_by_her_launch(lms, tom, live_server):
    _sync(tom, _cohort_id())
    made = _subjects_and_users()["ada"].id
    ada = Browser(live_server)
    try:
        assert ada.launch(lms, "ada", lms.link.id) == "/lti/welcome"  # her profession first
    finally:
        ada.http.close()
    assert _subjects_and_users()["ada"].id == made
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4


def test_learners_who_never_launched_show_as_not_started_everywhere(lms, tom):
    cohort_id = _cohort_id()
    _sync(tom, cohort_id)
    module = newest_version(DocumentKind.MODULE, "test-module")
    with unit_of_work():
        cohorts.assign_module(db.session.get(Cohort, cohort_id), module.document, None)

    dashboard = tom.get(f"/cohorts/{cohort_id}")
    insight = tom.get(f"/cohorts/{cohort_id}/scenarios/ward-round")
    progress = tom.get(f"/cohorts/{cohort_id}/progress.csv")

    assert dashboard.status_code == 200
    rows = re.findall(r'<tr>\s*<th scope="row">(.*?)</th>(.*?)</tr>', dashboard.text, re.S)
    assert [name for name, _ in rows] == ["Ada Learner", "Ben Learner"]
    assert all("Not started" in cells for _, cells in rows)
    assert insight.status_code == 200
    assert progress.status_code == 200
    assert "Ada Learner" in progress.text and "Ben Learner" in progress.text


# When the platform cannot give the roster --------------------------------------------------
def test_a_platform_that_is_down_is_a_message_on_the_dashboard(lms, tom):
    cohort_id = _cohort_id()
    counts = _counts()
    lms.__exit__(None, None, None)  # the platform stops answering

    page = _sync(tom, cohort_id)

    assert "Test platform could not be reached, so the roster was not synced" in page
    assert "Traceback" not in page
    assert _counts() == counts
    assert db.session.scalar(sa.select(Context.roster_synced_at)) is None


def test_a_platform_that_refuses_eduapp_is_a_message_on_the_dashboard(lms, tom):
    cohort_id = _cohort_id()
    lms.client_id = "another-tool"  # the platform's registration of eduapp changed

    page = _sync(tom, cohort_id)

    assert "Test platform refused eduapp access to this course&#39;s roster (HTTP 401)" in page
    assert sorted(_subjects_and_users()) == ["tom"]


def test_a_roster_eduapp_cannot_read_is_a_message_on_the_dashboard(lms, tom):
    cohort_id = _cohort_id()
    with unit_of_work():
        db.session.execute(sa.update(Context).values(memberships_url=lms.jwks_url))

    page = _sync(tom, cohort_id)

    assert "Test platform sent a course roster eduapp cannot read" in page
    assert sorted(_subjects_and_users()) == ["tom"]


# Who may sync ------------------------------------------------------------------------------
def test_a_cohort_that_came_from_no_lms_has_no_roster_to_sync(client, login_as, auth):
    tutor = login_as(Role.TUTOR)
    with unit_of_work():
        cohort = cohorts.create_cohort(tutor, "Made in eduapp")
    page = auth.client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Sync the roster" not in page and "Course in" not in page
    response = auth.post(f"/lti/cohorts/{cohort.id}/roster", page=f"/cohorts/{cohort.id}")
    assert response.status_code == 404


def test_a_course_whose_lms_shares_no_roster_has_no_button(client, login_as, auth, lti_rows):
    tutor = login_as(Role.TUTOR)
    with unit_of_work():
        db.session.add(CohortTutor(cohort_id=lti_rows.cohort_id, user_id=tutor.id))
    dashboard = f"/cohorts/{lti_rows.cohort_id}"
    page = auth.client.get(dashboard).get_data(as_text=True)
    assert "Course in LMS: A course" in page
    assert "does not share this course's roster" in page
    assert "Sync the roster" not in page
    response = auth.post(f"/lti/cohorts/{lti_rows.cohort_id}/roster", page=dashboard)
    assert response.status_code == 404


def test_a_sync_without_the_forms_token_is_refused_and_changes_nothing(lms, tom):
    cohort_id = _cohort_id()
    counts = _counts()
    response = tom.http.post(f"{tom.base}/lti/cohorts/{cohort_id}/roster", data={})
    assert response.status_code == 400
    assert _counts() == counts
    assert db.session.scalar(sa.select(Context.roster_synced_at)) is None


# The sync's rules, without a platform -----------------------------------------------------
class LtiRows:
    """An LMS course whose cohort has no tutor yet, made in the database."""

    def __init__(self):
        with unit_of_work():
            self.platform = lms_platform()
            cohort = Cohort(name="A course", join_code="ROSTER01")
            db.session.add(cohort)
            db.session.flush()
            context = Context(
                platform_id=self.platform.id,
                context_id="course-1",
                cohort_id=cohort.id,
                deployment_id="deployment-1",
                title="A course",
            )
            db.session.add(context)
        self.cohort_id, self.context_id = cohort.id, context.id


@pytest.fixture
def lti_rows(app):
    return LtiRows()


def test_inactive_members_are_left_as_they_are(app, lti_rows, monkeypatch):
    members = [
        roster.Member("ada", (LEARNER,), True, name="Ada Learner"),
        roster.Member("gone", (LEARNER,), False, name="Gone Learner"),
    ]
    monkeypatch.setattr(roster, "fetch_members", lambda _context: members)
    context = db.session.get(Context, lti_rows.context_id)
    with unit_of_work():
        first = roster.sync_roster(context)
    assert (first.accounts_created, first.learners_joined, first.inactive) == (1, 1, 0 + 1)
    assert sorted(_subjects_and_users()) == ["ada"]

    members[0] = roster.Member("ada", (LEARNER,), False, name="Ada Learner")  # she left
    with unit_of_work():
        again = roster.sync_roster(db.session.get(Context, lti_rows.context_id))
    assert (again.accounts_created, again.learners_joined, again.inactive) == (0, 0, 2)
    assert _member_names(lti_rows.cohort_id) == ["Ada Learner"]  # still a member


@pytest.mark.parametrize(
    ("entry", "subject", "roles", "active"),
    [
        ({"user_id": "u1", "roles": [LEARNER]}, "u1", (LEARNER,), True),
        ({"user_id": "u1", "roles": [LEARNER], "status": "Inactive"}, "u1", (LEARNER,), False),
        ({"user_id": "u1", "roles": [LEARNER], "status": "Deleted"}, "u1", (LEARNER,), False),
        ({"user_id": "u1", "roles": "Learner"}, "u1", (), True),
        ({"user_id": 7, "roles": [LEARNER]}, "", (LEARNER,), True),
        ({"user_id": "x" * 256, "roles": [LEARNER]}, "", (LEARNER,), True),
        (["not", "an", "object"], "", (), True),
    ],
)
def test_roster_entries_are_read_strictly(entry, subject, roles, active):
    member = roster._member(entry)
    assert (member.subject, member.roles, member.is_active) == (subject, roles, active)


def test_a_member_with_no_usable_id_is_skipped(app, lti_rows, monkeypatch):
    members = [roster._member({"roles": [LEARNER]}), roster._member({"user_id": "ada"})]
    monkeypatch.setattr(roster, "fetch_members", lambda _context: members)
    with unit_of_work():
        result = roster.sync_roster(db.session.get(Context, lti_rows.context_id))
    assert (result.skipped, result.accounts_created) == (2, 0)
    assert _subjects_and_users() == {}
