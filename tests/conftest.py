"""Fixtures shared by the whole suite.

Database-backed tests run once per backend: SQLite always, PostgreSQL when TEST_DATABASE_URL
is set (each test session migrates a throwaway database of its own, then drops it).
"""

import os
import re
import secrets
import threading
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from mail.smtp_server import SmtpServer
from werkzeug.serving import make_server

from config import TestConfig
from eduapp import create_app
from eduapp.accounts.models import Profession, Role
from eduapp.accounts.services import create_or_update_account
from eduapp.content.services import load_course
from eduapp.extensions import db
from eduapp.models import metadata

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_COURSE = Path(__file__).resolve().parent / "fixtures" / "course"
REQUIRE_ALL = bool(os.environ.get("EDUAPP_REQUIRE_ALL_BACKENDS"))
PASSWORD = "a-long-test-passphrase-for-everyone"


def skip_or_fail(reason: str):
    """Skip where a backend is missing on a newcomer's laptop; fail where CI must have it."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (CI requires every backend)")
    pytest.skip(reason)


def config_for(url: str, **overrides) -> type[TestConfig]:
    return type(
        "BoundTestConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "CURRICULUM_DIR": FIXTURE_COURSE / "curriculum",
            "SCENARIOS_DIR": FIXTURE_COURSE / "scenarios",
            **overrides,
        },
    )


def _postgres_database(base_url: str):
    """Create a throwaway database next to the one TEST_DATABASE_URL names."""
    url = sa.engine.make_url(base_url)
    name = f"eduapp_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        skip_or_fail(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {error.orig}")
    return admin, url.set(database=name), name


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A migrated, empty database for the whole session, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        admin = name = None
    else:
        base = os.environ.get("TEST_DATABASE_URL")
        if not base:
            skip_or_fail("PostgreSQL tests skipped: TEST_DATABASE_URL is not set")
        admin, url_obj, name = _postgres_database(base)
        url = url_obj.render_as_string(hide_password=False)
    app = create_app(config_for(url))
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()
    yield url
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_tables() -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        quoted = ", ".join(f'"{t}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(metadata.sorted_tables):
            db.session.execute(table.delete())
    db.session.commit()


class FreshContextClient(FlaskClient):
    """Each request gets an app context (so ``g`` and the db session) of its own, as in production,
    even though the test itself holds one open for its own queries."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(config_for(database_url, MAIL_DIR=tmp_path / "mail"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Factory: make_user(Role.TUTOR, profession=..., email=..., verified=...) -> User.

    The address counts as confirmed unless ``verified=False`` (as after signing up before
    addresses were confirmed): invitations apply only to confirmed addresses.
    """
    counter = iter(range(1, 10_000))

    def make(
        *roles: Role,
        profession: str | None = None,
        email: str | None = None,
        verified: bool = True,
    ):
        roles = set(roles or {Role.LEARNER})
        number = next(counter)
        if Role.LEARNER in roles and profession is None:
            profession = Profession.NURSING.value
        user, _ = create_or_update_account(
            email or f"user{number}-{'-'.join(sorted(roles))}@example.org",
            f"Test User {number}",
            PASSWORD,
            roles,
            profession,
        )
        if not verified:
            user.email_verified_at = None
            db.session.commit()
        return user

    return make


@pytest.fixture
def course(app):
    """The small test course in tests/fixtures/course, loaded and published."""
    return load_course(app.config["CURRICULUM_DIR"], app.config["SCENARIOS_DIR"])


CSRF_PATTERN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" name="csrf_token" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF token on the page"
    return next(group for group in match.groups() if group)


class Auth:
    """Signs a test client in and out through the real forms."""

    def __init__(self, client):
        self.client = client

    def token(self, page: str = "/login") -> str:
        return csrf_from(self.client.get(page).get_data(as_text=True))

    def login(self, user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": self.token()}
        )

    def logout(self):
        token = self.token("/profile")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, url: str, data: dict | None = None, page: str | None = None, **kwargs):
        """POST a form with a valid CSRF token taken from ``page`` (default: the url itself)."""
        payload = {"csrf_token": self.token(page or url), **(data or {})}
        return self.client.post(url, data=payload, **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login_as(client, make_user):
    """login_as(Role.TUTOR) -> the signed-in user, through the real login form."""

    def login(*roles: Role, **kwargs):
        user = make_user(*roles, **kwargs)
        response = Auth(client).login(user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.mailbox = Mailbox(Path(app.config["MAIL_DIR"]))
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    """The app served over real HTTP on a free port, on the session's database."""
    app = create_app(config_for(database_url, MAIL_DIR=tmp_path_factory.mktemp("mail")))
    with LiveServer(app) as server:
        yield server
    with app.app_context():
        db.engine.dispose()


class Mailbox:
    """The messages the app wrote under MAIL_DIR (the development backend), oldest first."""

    def __init__(self, folder: Path):
        self.folder = folder

    def messages(self, to: str | None = None) -> list:
        found = [
            message_from_bytes(path.read_bytes(), policy=email_policy.default)
            for path in sorted(self.folder.glob("*.eml"))
        ]
        return [m for m in found if to is None or m["To"] == to]

    def link(self, to: str) -> str:
        """The path of the last link mailed to ``to``."""
        text = self.messages(to)[-1].get_body(("plain",)).get_content()
        return re.search(r"https?://[^/\s]+(/\S+)", text).group(1)


@pytest.fixture
def mailbox(app):
    return Mailbox(Path(app.config["MAIL_DIR"]))


@pytest.fixture
def smtp_server(app):
    """A running server, and the app set to send through it."""
    server = SmtpServer()
    server.start()
    app.config.update(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_SECURITY="none"
    )
    try:
        yield server
    finally:
        server.stop()
