"""The app on a migrated database of each backend, its test client, and a statement counter.

Database-backed tests run once per backend: SQLite always, PostgreSQL when TEST_DATABASE_URL
is set (each test session migrates a throwaway database of its own, then drops it).
"""

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from config import TestConfig
from eduapp import create_app
from eduapp.content.services import load_course
from eduapp.extensions import db
from eduapp.models import metadata
from eduapp.transaction import unit_of_work

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_COURSE = ROOT / "tests" / "fixtures" / "course"
REQUIRE_ALL = bool(os.environ.get("EDUAPP_REQUIRE_ALL_BACKENDS"))


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


def empty_tables() -> None:
    """Delete every row of every table (the app context's database), keeping the schema."""
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
    even though the test itself holds one open for its own queries.

    What the test changed itself before a request (services called directly, which only flush)
    is committed first, as if an earlier request had done it: the request must see it, and on
    SQLite could not write past the test's open transaction."""

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(config_for(database_url, MAIL_DIR=tmp_path / "mail"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def course(app):
    """The small test course in tests/fixtures/course, loaded and published."""
    with unit_of_work():
        return load_course(app.config["CURRICULUM_DIR"], app.config["SCENARIOS_DIR"])


@pytest.fixture
def count_queries(app) -> Callable[[], AbstractContextManager[list[str]]]:
    """``with count_queries() as statements:``, the SQL statements the app's engine runs inside
    the block, in order (requests of the test client included)."""

    @contextmanager
    def count() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(_connection, _cursor, statement, *_):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)

    return count


def load_course_with_night_round(app, folder, second_module: str):
    """The test course copied to ``folder``, plus night-round (ward-round under another id and
    title) and a module whose text is ``second_module``, loaded and published."""
    shutil.copytree(Path(app.config["CURRICULUM_DIR"]).parent, folder)
    ward = (folder / "scenarios" / "ward-round.md").read_text(encoding="utf-8")
    night = ward.replace("id: ward-round", "id: night-round", 1)
    (folder / "scenarios" / "night-round.md").write_text(
        night.replace("title: A ward round", "title: A night round", 1), encoding="utf-8"
    )
    (folder / "curriculum" / "second-module.md").write_text(second_module, encoding="utf-8")
    return load_course(folder / "curriculum", folder / "scenarios")
