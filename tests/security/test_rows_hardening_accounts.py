"""SECURITY.md rows 32, 34 and 36 (accounts, sessions, throttles, logs), HSTS and keyed hashes."""

import hashlib
import io
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from config import Config, DevelopmentConfig, ProductionConfig
from eduapp import create_app
from eduapp.accounts import throttle
from eduapp.accounts.models import LoginAttempt, LoginSession, Role
from eduapp.extensions import db, utcnow
from tests.support.accounts import PASSWORD, Auth
from tests.support.app import config_for

#: Words no dictionary holds in this order: strong from its first characters on.
PASSPHRASE_TEXT = (
    "Seven quiet herons fold paper maps beside the tram depot at dawn; "
    "Zoë's café tiède attend un pont-levis rouillé près de Zwolle, "
    "while 42 violet kettles hum sea shanties to a sleepy walrus named Ingrid. "
) * 3


def passphrase(length: int) -> str:
    return PASSPHRASE_TEXT[:length]


class Clock:
    """The throttles' clock, standing still until a test moves it."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(throttle, "utcnow", clock)
    return clock


def login_from(app, email: str, password: str, address: str = "127.0.0.1"):
    """Sign in from a fresh browser at this address."""
    browser = app.test_client()
    token = Auth(browser).token()
    return browser.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def sign_up(app, email: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    browser = app.test_client()
    token = Auth(browser).token("/register")
    return browser.post(
        "/register",
        data={
            "display_name": "Someone New",
            "email": email,
            "profession": "nursing",
            "password": password,
            "confirm": password,
            "csrf_token": token,
        },
        environ_base={"REMOTE_ADDR": address},
    )


def change_password(browser, current: str, new: str):
    return Auth(browser).post(
        "/profile/password",
        {"current_password": current, "new_password": new, "confirm": new},
        page="/profile",
    )


def form_errors(response) -> str:
    return " ".join(re.findall(r'<p class="error"[^>]*>(.*?)</p>', response.get_data(as_text=True)))


# Row 32 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("length", [73, 100, 256])
def test_row_32_long_passphrases_are_accepted_at_sign_up(app, length):
    response = sign_up(app, f"long{length}@example.org", passphrase(length))
    assert response.status_code in (200, 302)
    assert form_errors(response) == ""


@pytest.mark.parametrize("length", [73, 100, 256])
def test_row_32_long_passphrases_are_accepted_at_password_change(app, client, login_as, length):
    user = login_as(Role.LEARNER)
    new = passphrase(length)
    response = change_password(client, PASSWORD, new)
    assert response.status_code == 302, form_errors(response)
    assert login_from(app, user.email, new).status_code == 302


def test_row_32_a_password_over_the_maximum_gets_a_form_message(app, client, login_as):
    too_long = passphrase(257)
    refused = sign_up(app, "toolong@example.org", too_long)
    assert refused.status_code == 200
    assert "at most 256 characters" in form_errors(refused)
    login_as(Role.LEARNER)
    refused = change_password(client, PASSWORD, too_long)
    assert refused.status_code == 400
    assert "at most 256 characters" in form_errors(refused)


# Row 34 ------------------------------------------------------------------------------------
@pytest.fixture
def log_output(app):
    """What the app's own log handler writes, through its formatter."""
    handler = logging.getLogger("eduapp").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


#: Every line the log handler writes starts a record.
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} level=")

FORGING_URLS = [
    "/x%0Aforged%20line",
    "/x%0D%0A2026-01-01%2000:00:00,000%20level=INFO%20forged",
    "/x%1b[31mred%1b[0m",
    "/x%E2%80%A8forged%C2%85line",
]


def test_row_34_control_characters_in_a_url_are_logged_escaped(client, log_output):
    for url in FORGING_URLS:
        client.get(url)
    text = log_output.getvalue()
    lines = text.splitlines()
    assert len([line for line in lines if "logger=eduapp.request" in line]) == len(FORGING_URLS)
    assert all(RECORD_START.match(line) for line in lines), lines
    assert "\x1b" not in text and "\r" not in text
    assert "path=/x\\nforged line " in text
    assert "path=/x\\x1b[31mred\\x1b[0m " in text


def test_row_34_a_record_with_a_traceback_stays_one_line(app, log_output):
    log = logging.getLogger("eduapp.test")
    try:
        raise ValueError("bad value\nforged line")
    except ValueError:
        log.exception("failed on %s", "a\nb")
    lines = log_output.getvalue().splitlines()
    assert len(lines) == 1 and RECORD_START.match(lines[0])
    assert "failed on a\\nb\\nTraceback" in lines[0]


# Row 36: sessions --------------------------------------------------------------------------
def _age_sessions(**ages: timedelta) -> None:
    now = utcnow()
    db.session.execute(sa.update(LoginSession).values({k: now - v for k, v in ages.items()}))
    db.session.commit()


def _signed_out_with_a_message(client) -> bool:
    response = client.get("/profile")
    if response.status_code != 302 or "/login" not in response.headers["Location"]:
        return False
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return "Please sign in again" in page


def test_row_36_a_session_older_than_its_lifetime_is_refused_and_deleted(app, client, login_as):
    login_as(Role.LEARNER)
    lifetime = app.config["SESSION_ABSOLUTE_LIFETIME"]
    _age_sessions(created_at=timedelta(seconds=lifetime + 60), last_seen_at=timedelta(0))
    assert _signed_out_with_a_message(client)
    assert db.session.scalar(sa.select(sa.func.count(LoginSession.id))) == 0


def test_row_36_a_session_idle_too_long_is_refused_and_deleted(app, client, login_as):
    login_as(Role.LEARNER)
    idle = app.config["SESSION_IDLE_LIFETIME"]
    _age_sessions(created_at=timedelta(seconds=idle + 60), last_seen_at=timedelta(seconds=idle + 1))
    assert _signed_out_with_a_message(client)
    assert db.session.scalar(sa.select(sa.func.count(LoginSession.id))) == 0


def test_row_36_lifetimes_have_sensible_defaults():
    assert Config.SESSION_ABSOLUTE_LIFETIME == 12 * 60 * 60
    assert Config.SESSION_IDLE_LIFETIME == 2 * 60 * 60


def test_row_36_use_keeps_a_session_alive_with_at_most_a_write_a_minute(app, client, login_as):
    login_as(Role.LEARNER)
    idle = timedelta(seconds=app.config["SESSION_IDLE_LIFETIME"])
    _age_sessions(created_at=idle, last_seen_at=timedelta(seconds=20))
    seen = db.session.scalar(sa.select(LoginSession.last_seen_at))
    for _ in range(3):
        assert client.get("/profile").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(sa.select(LoginSession.last_seen_at)) == seen  # no write per click
    _age_sessions(last_seen_at=idle - timedelta(minutes=1))
    assert client.get("/profile").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(sa.select(LoginSession.last_seen_at)) > utcnow() - timedelta(minutes=1)
    assert client.get("/profile").status_code == 200  # an hour and more after it began


# Row 36: throttles -------------------------------------------------------------------------
def test_row_36_wrong_current_passwords_are_throttled_per_account_across_workers(
    app, client, login_as, clock, database_url
):
    user = login_as(Role.LEARNER)
    new = "another long passphrase for me"
    for _ in range(app.config["PASSWORD_CHANGE_FAILURES"]):
        assert change_password(client, "wrong wrong wrong", new).status_code == 400
    refused = change_password(client, PASSWORD, new)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert "Please wait 2 seconds" in form_errors(refused)
    other_worker = create_app(config_for(database_url))
    try:
        elsewhere = other_worker.test_client()
        assert Auth(elsewhere).login(user).status_code == 302
        assert change_password(elsewhere, PASSWORD, new).status_code == 429
    finally:
        with other_worker.app_context():
            db.engine.dispose()
    clock.advance(2)
    assert change_password(client, PASSWORD, new).status_code == 302


def test_row_36_sign_ups_from_one_address_are_throttled(app, clock):
    app.config["SIGNUPS_PER_ADDRESS"] = 3
    for number in range(3):
        assert sign_up(app, f"new{number}@example.org").status_code in (200, 302)
    refused = sign_up(app, "new3@example.org")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert "Please wait 2 seconds" in form_errors(refused)
    assert 'value="new3@example.org"' in refused.get_data(as_text=True)  # what was typed stays
    assert sign_up(app, "new4@example.org", address="10.0.0.7").status_code in (200, 302)
    clock.advance(2)
    assert sign_up(app, "new5@example.org").status_code in (200, 302)


def test_row_36_a_class_behind_one_address_signing_in_correctly_is_never_locked_out(app, make_user):
    # 30 students behind one NAT, each mistyping once and signing in three times: 120 tries.
    students = [make_user(Role.LEARNER) for _ in range(30)]
    for student in students:
        assert login_from(app, student.email, "a typo in my passphrase").status_code == 401
    for _ in range(3):
        for student in students:
            assert login_from(app, student.email, PASSWORD).status_code == 302


def test_row_36_a_stranger_failing_cannot_lock_the_owner_out(app, make_user, clock):
    owner = make_user(Role.LEARNER)
    for _ in range(25):
        login_from(app, owner.email, "a guess at the password", address="203.0.113.9")
    assert login_from(app, owner.email, PASSWORD, address="203.0.113.9").status_code == 429
    assert login_from(app, owner.email, PASSWORD).status_code == 302


def test_row_36_guesses_spread_over_many_addresses_slow_every_guesser(app, make_user, clock):
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = 5
    owner = make_user(Role.LEARNER)
    for number in range(5):
        guesser = f"198.51.100.{number}"
        assert login_from(app, owner.email, "a guess", address=guesser).status_code == 401
    # Over the account's ceiling: every address that has guessed waits, even with the password...
    assert login_from(app, owner.email, PASSWORD, address="198.51.100.0").status_code == 429
    # ...but an address that has not been guessing is not slowed.
    assert login_from(app, owner.email, PASSWORD, address="192.0.2.1").status_code == 302


def test_row_36_an_ipv6_address_counts_by_its_64_bit_network(app, make_user, clock):
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = 3
    someone = make_user(Role.LEARNER)
    for number in range(1, 4):
        response = login_from(app, f"nobody{number}@example.org", "x", f"2001:db8::{number}")
        assert response.status_code == 401
    assert login_from(app, someone.email, PASSWORD, "2001:db8::99").status_code == 429
    assert login_from(app, someone.email, PASSWORD, "2001:db8:0:1::1").status_code == 302


def test_row_36_the_wait_grows_with_each_failure_is_capped_and_is_shown(app, make_user, clock):
    user = make_user(Role.LEARNER)
    for _ in range(app.config["LOGIN_FAILURES_PER_ACCOUNT_ADDRESS"]):
        assert login_from(app, user.email, "a guess").status_code == 401
    waits = []
    for _ in range(11):  # 2 + 4 + ... + 512 + 900 + 900 seconds: within the hour's window
        refused = login_from(app, user.email, PASSWORD)
        assert refused.status_code == 429
        assert "Please wait" in form_errors(refused)
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(waits[-1])
        assert login_from(app, user.email, "a guess").status_code == 401
    assert waits[:5] == [2, 4, 8, 16, 32]
    assert waits[-2:] == [900, 900] and max(waits) == app.config["THROTTLE_MAX_DELAY_SECONDS"]
    assert "Please wait 15 minutes" in form_errors(login_from(app, user.email, PASSWORD))
    clock.advance(900)
    assert login_from(app, user.email, PASSWORD).status_code == 302


def test_row_36_throttle_keys_are_keyed_with_the_secret_not_plain_sha256(app, database_url):
    def stored() -> set[str]:
        return set(db.session.scalars(sa.select(LoginAttempt.key_hash)))

    assert login_from(app, "victim@example.org", "a guess").status_code == 401
    first = stored()
    plain = {
        hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()
        for kind in ("account", "address")
        for value in ("victim@example.org", "127.0.0.1")
    }
    assert first and not first & plain
    other_secret = create_app(config_for(database_url, SECRET_KEY="another-test-secret-key"))
    try:
        assert login_from(other_secret, "victim@example.org", "a guess").status_code == 401
    finally:
        with other_secret.app_context():
            db.engine.dispose()
    second = stored() - first
    assert len(second) == len(first)  # the same failure, counted under other keys


# HSTS --------------------------------------------------------------------------------------
def _hsts(config_class, **overrides):
    app = create_app(type("Bound", (config_class,), overrides))
    response = app.test_client().get("/login", base_url="https://localhost")
    with app.app_context():
        db.engine.dispose()
    return response.headers.get("Strict-Transport-Security")


def test_hsts_is_sent_in_production_configurable_and_never_in_development(database_url):
    production = {
        "SECRET_KEY": "a-production-secret-key-of-enough-characters",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_BACKEND": "files",
    }
    assert _hsts(ProductionConfig, **production) == "max-age=31536000; includeSubDomains"
    assert _hsts(ProductionConfig, **production, HSTS_SECONDS=0) is None
    assert _hsts(ProductionConfig, **production, HSTS_SECONDS=600) == (
        "max-age=600; includeSubDomains"
    )
    assert _hsts(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url) is None
    assert _hsts(config_for(database_url)) is None
