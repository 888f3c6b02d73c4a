"""An LTI launch as eduapp checks it: what a good one does, and every forged or replayed one
refused with a clear page and a log line, nobody signed in and no account made (SECURITY.md
row 37)."""

import logging
import time
from datetime import timedelta

import jwt
import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role, User
from eduapp.cohorts.models import CohortMember, CohortTutor
from eduapp.extensions import db, utcnow
from eduapp.lti import keys
from eduapp.lti.launch import CLAIM, COOKIE_PREFIX
from eduapp.lti.models import Context, Identity, Platform, ResourceLink
from eduapp.player.models import Attempt
from eduapp.transaction import unit_of_work
from tests.support.accounts import Auth
from tests.support.lti import INSTRUCTOR, KeyPair


def _users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def _signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


@pytest.fixture
def launched(course, fake_platform):
    return fake_platform


def test_a_learners_first_launch_makes_their_account_and_opens_the_scenario(launched, client):
    response = launched.launch()
    assert response.status_code == 302
    identity = db.session.scalar(sa.select(Identity))
    user = identity.user
    assert (identity.subject, user.display_name) == ("lms-user-1", "Ada Lovelace")
    assert user.email == "lms-user-1@students.example.edu"
    assert user.email_verified_at is None  # an LMS's word is not a confirmed address
    assert user.role_set == {Role.LEARNER}
    # The first visit asks the profession, then opens the scenario.
    assert response.headers["Location"].endswith("/lti/welcome")
    welcome = client.get("/lti/welcome")
    assert "Which profession are you studying for?" in welcome.get_data(as_text=True)
    answered = Auth(client).post("/lti/welcome", {"profession": "pharmacy"})
    attempt = db.session.scalar(sa.select(Attempt))
    assert answered.headers["Location"].endswith(f"/attempts/{attempt.id}")
    db.session.refresh(user)
    assert user.profession == "pharmacy"


def test_the_course_becomes_a_cohort_the_learner_joins(launched):
    launched.launch()
    context = db.session.scalar(sa.select(Context))
    assert context.cohort.name == "Interprofessional practice 1"
    user = db.session.scalar(sa.select(Identity)).user
    assert db.session.get(CohortMember, (context.cohort_id, user.id)) is not None
    link = db.session.scalar(sa.select(ResourceLink))
    assert (link.resource_link_id, link.document.slug) == ("link-1", "ward-round")
    # The link's module is set for the cohort, so its tutors' dashboard shows the course.
    assert [m.document.slug for m in context.cohort.modules] == ["test-module"]


def test_an_instructor_becomes_the_cohorts_tutor_and_lands_on_its_dashboard(launched):
    response = launched.launch(
        sub="teacher-1", **{CLAIM + "roles": INSTRUCTOR, CLAIM + "custom": None}
    )
    context = db.session.scalar(sa.select(Context))
    teacher = db.session.scalar(sa.select(Identity)).user
    assert teacher.role_set == {Role.TUTOR}
    assert db.session.get(CohortTutor, (context.cohort_id, teacher.id)) is not None
    assert response.headers["Location"].endswith(f"/cohorts/{context.cohort_id}")


def test_a_second_launch_signs_in_the_same_account(launched, client):
    launched.launch()
    client.post("/logout")
    launched.launch()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Identity)) == 1
    assert _users() == 1


def test_an_lms_administrator_is_never_an_admin(launched):
    roles = [
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
        INSTRUCTOR[0],
    ]
    launched.launch(sub="admin-1", **{CLAIM + "roles": roles})
    assert db.session.scalar(sa.select(Identity)).user.role_set == {Role.TUTOR}


def test_a_role_eduapp_does_not_know_opens_nothing(launched, client):
    response = launched.launch(
        **{CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]}
    )
    assert response.status_code == 400
    assert _users() == 0


def test_an_address_another_account_has_is_not_taken(launched, make_user):
    make_user(Role.LEARNER, email="lms-user-1@students.example.edu")
    launched.launch()
    user = db.session.scalar(sa.select(Identity)).user
    assert user.email.endswith("@no-address.invalid")


def test_an_account_owner_links_their_lms_account_once(launched, client, login_as):
    owner = login_as(Role.LEARNER)
    Auth(client).post("/lti/links", {})
    launched.launch()
    identity = db.session.scalar(sa.select(Identity))
    assert identity.user_id == owner.id
    assert _users() == 1
    # Linked once: a second LMS person in the same browser gets an account of their own.
    Auth(client).post("/lti/links", {})
    launched.launch(sub="lms-user-2")
    second = db.session.scalar(sa.select(Identity).where(Identity.subject == "lms-user-2"))
    assert second.user_id != owner.id


def test_without_asking_a_signed_in_account_is_not_linked(launched, client, login_as):
    owner = login_as(Role.LEARNER)
    launched.launch()
    assert db.session.scalar(sa.select(Identity)).user_id != owner.id


# SECURITY.md row 37: forged, replayed and foreign launches.


def _refused(response, caplog, reason: str):
    assert response.status_code == 400
    assert "This link could not be opened" in response.get_data(as_text=True)
    assert any(reason in record.getMessage() for record in caplog.records), [
        r.getMessage() for r in caplog.records
    ]
    assert _users() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Identity)) == 0


@pytest.fixture
def caplog_lti(caplog):
    caplog.set_level(logging.INFO, logger="eduapp.lti")
    return caplog


def test_row_37_a_bad_signature_is_refused(launched, client, caplog_lti):
    sent = launched.login()
    token = launched.sign(launched.claims(sent["nonce"]), key=KeyPair(kid=launched.key.kid))
    response = client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    _refused(response, caplog_lti, "bad signature")
    assert not _signed_in(client)


def test_row_37_a_token_with_alg_none_is_refused(launched, client, caplog_lti):
    sent = launched.login()
    token = jwt.encode(
        launched.claims(sent["nonce"]), key=None, algorithm="none", headers={"kid": "x"}
    )
    response = client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    _refused(response, caplog_lti, "alg 'none' refused")


def test_row_37_an_hmac_token_signed_with_the_public_key_is_refused(launched, client, caplog_lti):
    sent = launched.login()
    header = {"alg": "HS256", "kid": launched.key.kid, "typ": "JWT"}
    token = jwt.encode(
        launched.claims(sent["nonce"]),
        "public-key-as-secret-long-enough-32-bytes!",
        algorithm="HS256",
        headers=header,
    )
    response = client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    _refused(response, caplog_lti, "alg 'HS256' refused")


def test_row_37_a_wrong_audience_is_refused(launched, client, caplog_lti):
    response = launched.launch(aud="another-tool")
    _refused(response, caplog_lti, "wrong audience")


def test_row_37_several_audiences_need_azp_naming_eduapp(launched, client, caplog_lti):
    response = launched.launch(aud=["eduapp-client", "another-tool"], azp="another-tool")
    _refused(response, caplog_lti, "azp")


def test_row_37_an_expired_token_is_refused(launched, client, caplog_lti):
    now = int(time.time())
    response = launched.launch(iat=now - 900, exp=now - 600)
    _refused(response, caplog_lti, "expired")


def test_row_37_a_replayed_nonce_is_refused(launched, client, caplog_lti):
    sent = launched.login()
    token = launched.sign(launched.claims(sent["nonce"]))
    first = client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    assert first.status_code == 302
    client.post("/logout")  # nothing else matters: the same message again
    again = client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    assert again.status_code == 400
    assert any("nonce replayed" in r.getMessage() for r in caplog_lti.records)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Identity)) == 1


def test_row_37_a_nonce_other_than_the_logins_is_refused(launched, client, caplog_lti):
    response = launched.launch(nonce="another-nonce")
    _refused(response, caplog_lti, "nonce is not the login's")


def test_row_37_an_unknown_deployment_is_refused(launched, client, caplog_lti):
    response = launched.launch(**{CLAIM + "deployment_id": "deployment-elsewhere"})
    _refused(response, caplog_lti, "unknown deployment")


def test_row_37_a_login_for_an_unknown_deployment_is_refused(launched, client, caplog_lti):
    response = client.get(
        "/lti/login",
        query_string={
            "iss": "https://lms.example.edu",
            "login_hint": "x",
            "lti_deployment_id": "nope",
        },
    )
    assert response.status_code == 400
    assert any("unknown deployment" in r.getMessage() for r in caplog_lti.records)


def _key_set_fetched_minutes_ago(minutes: int) -> None:
    with unit_of_work():
        platform = db.session.scalar(sa.select(Platform))
        platform.jwks_fetched_at = utcnow() - timedelta(minutes=minutes)


def test_row_37_an_unknown_kid_is_refused_after_one_fetch(launched, client, caplog_lti):
    _key_set_fetched_minutes_ago(2)
    sent = launched.login()
    stranger = KeyPair()
    token = launched.sign(launched.claims(sent["nonce"]), key=stranger)
    response = client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    _refused(response, caplog_lti, "unknown kid")
    assert any("key set not fetched" in r.getMessage() for r in caplog_lti.records)


def test_row_37_unknown_kids_fetch_the_key_set_at_most_once_a_minute(launched, client, caplog_lti):
    _key_set_fetched_minutes_ago(2)
    for _ in range(3):
        sent = launched.login()
        token = launched.sign(launched.claims(sent["nonce"]), key=KeyPair())
        client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    fetches = [r for r in caplog_lti.records if "key set not fetched" in r.getMessage()]
    assert len(fetches) == 1


def test_row_37_an_unknown_platform_cannot_log_in(launched, client, caplog_lti):
    response = client.get(
        "/lti/login", query_string={"iss": "https://evil.example", "login_hint": "x"}
    )
    assert response.status_code == 400
    assert "not registered" in response.get_data(as_text=True)
    assert any("unknown platform" in r.getMessage() for r in caplog_lti.records)


def test_row_37_a_forged_state_is_refused(launched, client, caplog_lti):
    response = launched.launch(state="forged")
    _refused(response, caplog_lti, "state forged")


def test_row_37_a_launch_started_in_another_browser_is_refused(launched, client, app, caplog_lti):
    """Login CSRF: someone's own login, posted from a victim's browser, lacks its cookie."""
    sent = launched.login()
    token = launched.sign(launched.claims(sent["nonce"]))
    victim = app.test_client()
    response = victim.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    _refused(response, caplog_lti, "cookie did not come back")


def test_row_37_a_state_bound_to_another_cookie_is_refused(launched, client, caplog_lti):
    sent = launched.login()
    for cookie in list(client._cookies.values()):
        if cookie.key.startswith(COOKIE_PREFIX):
            client.set_cookie(cookie.key, "someone-elses", path=cookie.path)
    token = launched.sign(launched.claims(sent["nonce"]))
    response = client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    _refused(response, caplog_lti, "bound to another browser")


def test_row_37_a_wrong_message_type_or_version_is_refused(launched, client, caplog_lti):
    response = launched.launch(**{CLAIM + "message_type": "LtiSubmissionReviewRequest"})
    _refused(response, caplog_lti, "message type")
    again = launched.launch(**{CLAIM + "version": "1.1"})
    assert again.status_code == 400
    assert any("LTI version" in r.getMessage() for r in caplog_lti.records)


def test_a_launch_into_a_frame_offers_a_new_window_and_only_that_page_may_be_framed(launched, app):
    sent = launched.login()
    token = launched.sign(launched.claims(sent["nonce"]))
    framed = app.test_client()
    response = framed.post(
        "/lti/launch",
        data={"id_token": token, "state": sent["state"]},
        headers={"Sec-Fetch-Dest": "iframe"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'target="_blank"' in page and 'name="login_hint" value="hint-1"' in page
    assert _users() == 0
    assert (
        "frame-ancestors https://lms.example.edu;"
        in response.headers["Content-Security-Policy"] + ";"
    )
    assert "X-Frame-Options" not in response.headers
    # Every other page refuses every frame.
    assert framed.get("/login").headers["X-Frame-Options"] == "DENY"


def test_the_key_set_is_public_and_publishes_the_signing_key(app, client):
    with unit_of_work():
        key = keys.ensure_signing_key()
    published = client.get("/lti/jwks.json").get_json()
    assert [k["kid"] for k in published["keys"]] == [key.kid]
    assert "d" not in published["keys"][0]  # the public half only
