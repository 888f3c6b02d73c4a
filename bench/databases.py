"""Throwaway databases for the benchmarks: a SQLite file in a temporary folder, or a PostgreSQL
database created next to TEST_DATABASE_URL's and dropped afterwards; both migrated for real."""

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from flask import Flask

from config import TestConfig
from eduapp import create_app
from eduapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


def bench_app(url: str) -> Flask:
    """The app on this database, with the real course folders and cheap password hashing."""
    config = type(
        "BenchConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "CURRICULUM_DIR": ROOT / "curriculum",
            "SCENARIOS_DIR": ROOT / "scenarios",
            # One log line per request would drown the figures.
            "LOG_LEVEL": "WARNING",
        },
    )
    return create_app(config)


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """Yield the URL of a new, migrated, empty database; remove it afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="eduapp-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            _migrate(url)
            yield url
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    base = sa.engine.make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES))
    name = f"eduapp_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str) -> None:
    app = bench_app(url)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


def analyze(app: Flask) -> None:
    """Refresh the planner's statistics, as autovacuum (or a nightly job on SQLite) would."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        db.session.remove()
