"""The admin's LTI pages: registering, changing and removing a platform, the tool's values, and
rotating eduapp's signing key (eduapp/lti/admin_views.py, eduapp/lti/platforms.py)."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role, User
from eduapp.audit.models import AuditEvent
from eduapp.cohorts.models import Cohort, CohortMember
from eduapp.extensions import db, utcnow
from eduapp.lti import platforms
from eduapp.lti.models import (
    Context,
    Deployment,
    Identity,
    Platform,
    ResourceLink,
    ScoreOutbox,
    ToolKey,
)
from eduapp.transaction import unit_of_work
from tests.support.accounts import Auth
from tests.support.lti import CLIENT_ID, DEPLOYMENT, ISSUER

GOOD = {
    "name": "Moodle of the nursing school",
    "issuer": "https://moodle.example.edu",
    "client_id": "Zq8sJ1a2",
    "auth_url": "https://moodle.example.edu/mod/lti/auth.php",
    "token_url": "https://moodle.example.edu/mod/lti/token.php",
    "jwks_url": "https://moodle.example.edu/mod/lti/certs.php",
    "deployment_ids": "3\n\n  7  \n3",
}
#: eduapp's public key set.
JWKS = "/lti/jwks.json"


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def admin(app, make_user):
    """A client signed in as an admin (a client of its own: launches sign others in)."""
    auth = Auth(app.test_client())
    user = make_user(Role.ADMIN)
    assert auth.login(user).status_code == 302
    auth.user = user
    return auth


def _register(admin, **changes):
    return admin.post("/admin/lti/platforms", {**GOOD, **changes}, page="/admin/lti")


def _registered(**changes) -> Platform:
    """A platform made by the service, as if an earlier request registered it."""
    fields = {**GOOD, **changes}
    deployments = tuple(fields.pop("deployment_ids").split())
    with unit_of_work():
        actor = db.session.scalar(sa.select(User).limit(1))
        platform = platforms.register(
            actor, platforms.PlatformFields(**fields, deployment_ids=deployments)
        )
    return platform


def _deployments(platform_id: int) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Deployment.deployment_id)
            .where(Deployment.platform_id == platform_id)
            .order_by(Deployment.deployment_id)
        )
    )


def _login_refused(fake_platform) -> bool:
    """Whether eduapp refuses a login from the fake platform's deployment."""
    params = {
        "iss": ISSUER,
        "login_hint": "hint-1",
        "target_link_uri": "http://localhost/lti/launch",
        "client_id": CLIENT_ID,
        "lti_deployment_id": DEPLOYMENT,
    }
    response = fake_platform.client.get("/lti/login", query_string=params)
    return response.status_code == 400 and "could not be opened" in response.get_data(as_text=True)


def _typed_back(page: str, sent: dict) -> None:
    """Every value typed is in the form again, as typed."""
    for name, value in sent.items():
        assert html.escape(value, quote=True) in page, f"{name} did not come back"


# ---- Registering --------------------------------------------------------------------------


def test_an_admin_registers_a_platform_and_eduapp_gets_its_signing_key(admin):
    page = admin.client.get("/admin/lti").get_data(as_text=True)
    assert "No platform is registered yet." in page
    assert _count(ToolKey) == 0

    response = _register(admin)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/lti")
    platform = db.session.scalar(sa.select(Platform))
    assert (platform.name, platform.issuer, platform.client_id) == (
        GOOD["name"],
        GOOD["issuer"],
        GOOD["client_id"],
    )
    assert platform.auth_url == GOOD["auth_url"] and platform.jwks_url == GOOD["jwks_url"]
    assert _deployments(platform.id) == ["3", "7"]  # blank lines and repeats dropped
    assert _count(ToolKey) == 1
    event = db.session.scalar(sa.select(AuditEvent))
    assert event.action == "lti_platform_registered" and event.actor_id == admin.user.id
    assert GOOD["issuer"] in event.detail

    page = admin.client.get("/admin/lti").get_data(as_text=True)
    assert f"{GOOD['name']} is registered." in page
    for shown in (GOOD["name"], GOOD["issuer"], GOOD["client_id"], "3, 7", "Not yet"):
        assert shown in page


def test_a_second_platform_keeps_the_signing_key(admin):
    _register(admin)
    kid = db.session.scalar(sa.select(ToolKey.kid))
    assert _register(admin, client_id="another-client").status_code == 302
    assert _count(Platform) == 2
    assert list(db.session.scalars(sa.select(ToolKey.kid))) == [kid]


@pytest.mark.parametrize(
    "field",
    [
        "http://localhost:8000/auth",
        "http://127.0.0.1:9001/auth",
        "http://[::1]:5000/auth",
    ],
)
def test_plain_http_is_accepted_on_this_computer_only(admin, field):
    assert _register(admin, auth_url=field).status_code == 302
    assert db.session.scalar(sa.select(Platform.auth_url)) == field


REFUSALS = {
    "http elsewhere": ("issuer", "http://moodle.example.edu", "Use an https:// address"),
    "no scheme": ("jwks_url", "moodle.example.edu/certs.php", "starting with https://"),
    "another scheme": ("auth_url", "ftp://moodle.example.edu/auth", "starting with https://"),
    "javascript": ("token_url", "javascript:alert(1)", "starting with https://"),
    "credentials": ("token_url", "https://me:pw@moodle.example.edu/t", "user name and password"),
    "fragment": ("jwks_url", "https://moodle.example.edu/certs#keys", "the part from # on"),
    "issuer with a query": (
        "issuer",
        "https://moodle.example.edu/?site=2",
        "An issuer has no query",
    ),
    "space": ("auth_url", "https://moodle.example.edu/a b", "has no spaces"),
    "bad port": ("auth_url", "https://moodle.example.edu:99999/auth", "not a web address"),
    "no name": ("name", "   ", "Type a name for this LMS."),
    "no client id": ("client_id", "", "Type the client ID."),
    "no token url": ("token_url", "", "Type the access token URL."),
    "long name": ("name", "N" * 121, "longer than 120 characters"),
    "long client id": ("client_id", "c" * 256, "longer than 255 characters"),
    "long issuer": ("issuer", "https://moodle.example.edu/" + "i" * 229, "255 characters"),
    "long url": ("auth_url", "https://moodle.example.edu/" + "a" * 474, "500 characters"),
    "long deployment": ("deployment_ids", "3\n" + "d" * 256, "Line 2 is longer than 255"),
    "tab in a deployment": ("deployment_ids", "3\nde\tp", "Line 2 holds tabs"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=str)
def test_each_refusal_comes_back_with_what_was_typed(admin, case):
    name, value, message = REFUSALS[case]
    sent = {**GOOD, name: value}

    response = _register(admin, **sent)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "The platform was not registered" in page
    field = re.search(rf'<(input|textarea)[^>]* id="{name}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field
    _typed_back(page, {k: v.strip() if k != "deployment_ids" else v for k, v in sent.items()})
    assert _count(Platform) == 0
    assert _count(ToolKey) == 0  # nothing made for a refused registration
    assert _actions() == []


def test_invisible_characters_are_refused(admin):
    response = _register(admin, client_id="eduapp\x00tool", name="Moodle\u0007")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count("Remove the tabs, line breaks or other invisible characters.") >= 2
    assert _count(Platform) == 0


def test_the_same_issuer_and_client_id_are_refused_with_what_was_typed(admin):
    _register(admin)
    response = _register(admin, name="Moodle again", deployment_ids="9")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "An LMS with this issuer and client ID is registered already" in page
    assert "Moodle again" in page
    assert _count(Platform) == 1
    # The same issuer with another client ID is another registration.
    assert _register(admin, client_id="second").status_code == 302


def test_a_registration_that_lost_a_race_raises_and_leaves_the_transaction_usable(app, admin):
    fields = platforms.PlatformFields(**{**GOOD, "deployment_ids": ("3",)})
    with unit_of_work():
        platforms.register(admin.user, fields)
    with unit_of_work():
        with pytest.raises(platforms.PlatformTaken):
            platforms.register(admin.user, fields)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Platform)) == 1
    assert _count(Platform) == 1


def test_extra_fields_are_ignored(admin):
    response = _register(admin, id="99", jwks_json='{"keys": []}', created_at="2001-01-01")
    assert response.status_code == 302
    platform = db.session.scalar(sa.select(Platform))
    assert platform.id != 99 and platform.jwks_json is None


# ---- Changing ---------------------------------------------------------------------------


def test_an_admin_changes_the_deployments(admin, fake_platform):
    url = f"/admin/lti/platforms/{fake_platform.id}"
    page = admin.client.get(url).get_data(as_text=True)
    assert "deployment-1</textarea>" in page
    platform = db.session.get(Platform, fake_platform.id)
    sent = {
        "name": platform.name,
        "issuer": platform.issuer,
        "client_id": platform.client_id,
        "auth_url": platform.auth_url,
        "token_url": platform.token_url,
        "jwks_url": platform.jwks_url,
        "deployment_ids": "site-2\ncourse-9\n",
    }

    response = admin.post(url, sent)

    assert response.status_code == 302
    assert _deployments(fake_platform.id) == ["course-9", "site-2"]
    event = db.session.scalar(sa.select(AuditEvent))
    assert event.action == "lti_platform_changed"
    assert event.detail.endswith(": 2 deployments added, 1 deployment removed")
    assert "2 deployments added, 1 deployment removed" in admin.client.get(url).get_data(
        as_text=True
    )
    # The deployment taken away launches no more.
    assert _login_refused(fake_platform)


def test_saving_what_is_there_changes_nothing(admin):
    platform = _registered()
    response = admin.post(f"/admin/lti/platforms/{platform.id}", GOOD)
    assert response.status_code == 302
    assert "Nothing was changed." in admin.client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert _actions() == ["lti_platform_registered"]


def test_a_new_key_set_url_forgets_the_key_set_fetched_before(admin, fake_platform):
    platform = db.session.get(Platform, fake_platform.id)
    assert platform.jwks_json is not None
    sent = {
        **GOOD,
        "issuer": platform.issuer,
        "client_id": platform.client_id,
        "jwks_url": "https://lms.example.edu/new-keys",
        "deployment_ids": "deployment-1",
    }
    assert admin.post(f"/admin/lti/platforms/{platform.id}", sent).status_code == 302
    db.session.expire_all()
    platform = db.session.get(Platform, fake_platform.id)
    assert (platform.jwks_url, platform.jwks_json, platform.jwks_fetched_at) == (
        "https://lms.example.edu/new-keys",
        None,
        None,
    )
    detail = db.session.scalar(sa.select(AuditEvent.detail))
    assert detail.endswith(": name, authorization URL, token URL, key set URL")


def test_a_refused_change_comes_back_with_what_was_typed_and_changes_nothing(admin):
    platform = _registered()
    other = _registered(client_id="other-client", deployment_ids="1")
    url = f"/admin/lti/platforms/{platform.id}"
    sent = {**GOOD, "name": "Renamed", "token_url": "http://moodle.example.edu/token"}

    response = admin.post(url, sent)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was saved: correct what is marked" in page
    assert "Use an https:// address" in page
    _typed_back(page, sent)
    taken = admin.post(url, {**GOOD, "client_id": other.client_id})
    assert taken.status_code == 400
    assert "registered already" in taken.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Platform, platform.id).name == GOOD["name"]
    assert db.session.get(Platform, platform.id).client_id == GOOD["client_id"]
    assert _deployments(platform.id) == ["3", "7"]


def test_an_unknown_platform_is_a_404(admin):
    assert admin.client.get("/admin/lti/platforms/4711").status_code == 404
    assert admin.client.get("/admin/lti/platforms/4711/remove").status_code == 404
    assert admin.post("/admin/lti/platforms/4711", GOOD, page="/admin/lti").status_code == 404
    assert admin.client.get("/admin/lti/platforms/99999999999").status_code == 404


# ---- Removing ---------------------------------------------------------------------------


@pytest.fixture
def launched(course, fake_platform):
    """A learner launched a link of a course of the platform: an account, its link, a cohort
    with the learner in it, the link's resource link; and two grades, one sent, one waiting."""
    response = fake_platform.launch()
    assert response.status_code == 302, response.get_data(as_text=True)
    identity = db.session.scalar(sa.select(Identity))
    link = db.session.scalar(sa.select(ResourceLink))
    with unit_of_work():
        for sent_at in (utcnow(), None):
            db.session.add(
                ScoreOutbox(
                    link_pk=link.id,
                    user_id=identity.user_id,
                    score_given=1.0,
                    score_maximum=1.0,
                    activity_progress="Completed",
                    grading_progress="FullyGraded",
                    sent_at=sent_at,
                )
            )
    return fake_platform


def _remove(admin, platform_id: int, **data):
    url = f"/admin/lti/platforms/{platform_id}/remove"
    return admin.post(url, data)


def test_the_confirm_page_says_what_removal_takes(admin, launched):
    page = admin.client.get(f"/admin/lti/platforms/{launched.id}/remove").get_data(as_text=True)
    assert "People linked through it can no longer launch eduapp from it." in page
    assert "The links of 1 person to their eduapp accounts go" in page
    assert "Their eduapp accounts and everything in them" in page
    assert "Its course stays a cohort" in page
    assert "1 grade still waits for its gradebook" in page
    assert 'name="waiting_seen" value="1"' in page
    assert "Discard the 1 grade still waiting" in page
    assert _count(Platform) == 1


def test_removal_needs_the_box_ticked(admin, launched):
    response = _remove(admin, launched.id, waiting_seen="1", discard_scores="y")
    assert response.status_code == 400
    assert "Tick the box to remove the platform." in response.get_data(as_text=True)
    assert _count(Platform) == 1


def test_removal_is_refused_while_grades_wait(admin, launched):
    response = _remove(admin, launched.id, confirm="y", waiting_seen="1")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "1 grade waits for its gradebook: tick this box to discard them" in page
    assert _count(Platform) == 1 and _count(ScoreOutbox) == 2 and _count(Identity) == 1


def test_removal_is_refused_when_more_grades_wait_than_the_page_showed(admin, launched):
    response = _remove(admin, launched.id, confirm="y", discard_scores="y", waiting_seen="0")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "1 grade waits now, more than this page showed before" in page
    assert 'name="waiting_seen" value="1"' in page  # the page shows the count as it is now
    assert _count(Platform) == 1 and _count(ScoreOutbox) == 2


def test_removal_takes_the_links_and_keeps_accounts_cohorts_and_records(admin, launched):
    user_id = db.session.scalar(sa.select(Identity.user_id))
    cohort_id = db.session.scalar(sa.select(Context.cohort_id))

    response = _remove(admin, launched.id, confirm="y", discard_scores="y", waiting_seen="1")

    assert response.status_code == 302
    for model in (Platform, Deployment, Identity, Context, ResourceLink, ScoreOutbox):
        assert _count(model) == 0, model.__name__
    assert db.session.get(User, user_id) is not None
    assert db.session.get(Cohort, cohort_id) is not None
    assert db.session.scalar(
        sa.select(CohortMember).where(
            CohortMember.cohort_id == cohort_id, CohortMember.user_id == user_id
        )
    )
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "lti_platform_removed" and event.actor_id == admin.user.id
    assert "linked people: 1, courses: 1, waiting grades discarded: 1" in event.detail
    page = admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is removed. Its people&#39;s eduapp accounts" in page
    assert "No platform is registered yet." in page
    # Its launches are refused from now on.
    assert _login_refused(launched)


def test_a_platform_with_no_grades_waiting_goes_with_one_tick(admin):
    platform = _registered()
    page = admin.client.get(f"/admin/lti/platforms/{platform.id}/remove").get_data(as_text=True)
    assert "Discard the" not in page
    assert _remove(admin, platform.id, confirm="y", waiting_seen="0").status_code == 302
    assert _count(Platform) == 0 and _count(Deployment) == 0


# ---- The tool's values and its keys --------------------------------------------------------


def test_the_tool_page_shows_the_values_to_paste(admin):
    response = admin.client.get("/admin/lti/tool")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for value in (
        "http://localhost/lti/launch",
        "http://localhost/lti/login",
        "http://localhost/lti/jwks.json",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
        "OpenID Connect Initiation Url",
        "Redirection URI(s)",
        "LtiDeepLinkingRequest",
    ):
        assert value in page, value
    assert 'data-copy="http://localhost/lti/launch"' in page
    assert '<script src="/static/lti-admin.js" defer></script>' in page
    assert "<script>" not in page  # the CSP allows no inline script
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_tool_page_makes_no_key(admin):
    page = admin.client.get("/admin/lti/tool").get_data(as_text=True)
    assert "No key yet" in page
    assert _count(ToolKey) == 0
    assert admin.client.get(JWKS).get_json() == {"keys": []}


def _jwks(admin) -> set[str]:
    return {key["kid"] for key in admin.client.get(JWKS).get_json()["keys"]}


def test_rotation_keeps_the_old_key_published_for_the_overlap(app, admin):
    _registered()
    old = db.session.scalar(sa.select(ToolKey.kid))
    assert _jwks(admin) == {old}

    response = admin.post("/admin/lti/tool/rotate-key", {}, page="/admin/lti/tool")

    assert response.status_code == 302
    new = db.session.scalar(sa.select(ToolKey.kid).where(ToolKey.retired_at.is_(None)))
    assert new != old
    assert _jwks(admin) == {old, new}
    page = admin.client.get("/admin/lti/tool").get_data(as_text=True)
    hours = app.config["LTI_KEY_OVERLAP_HOURS"]
    assert f"The previous one stays in the key set for {hours} hours." in page
    assert re.search(rf"<code>{new}</code> <span class=\"badge\">Signs now</span>", page)
    assert "no longer published" not in page
    assert _actions()[-1] == "lti_key_rotated"

    with unit_of_work():
        db.session.execute(
            sa.update(ToolKey)
            .where(ToolKey.kid == old)
            .values(retired_at=utcnow() - timedelta(hours=hours, minutes=1))
        )
    assert _jwks(admin) == {new}
    page = admin.client.get("/admin/lti/tool").get_data(as_text=True)
    assert "(no longer published)" in page and f"<code>{old}</code>" in page


def test_rotating_with_no_key_makes_the_first(admin):
    response = admin.post("/admin/lti/tool/rotate-key", {}, page="/admin/lti/tool")
    assert response.status_code == 302
    assert _count(ToolKey) == 1
    page = admin.client.get("/admin/lti/tool").get_data(as_text=True)
    assert "signs from now on." in page and "The previous one" not in page
    assert "No key yet" not in page


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/lti"),
        ("get", "/admin/lti/tool"),
        ("post", "/admin/lti/tool/rotate-key"),
        ("post", "/admin/lti/platforms"),
    ],
)
def test_the_pages_are_for_admins_only(client, login_as, method, url):
    login_as(Role.TUTOR, Role.LEARNER)
    auth = Auth(client)
    response = client.get(url) if method == "get" else auth.post(url, GOOD, page="/profile")
    assert response.status_code == 403
    assert _count(ToolKey) == 0 and _count(Platform) == 0
