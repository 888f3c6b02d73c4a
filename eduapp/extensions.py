"""Flask extensions, created here and bound to the app in ``create_app``."""

import enum
import functools
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase

#: The largest value an Integer column holds (PostgreSQL's ``integer``; SQLite holds more): ids,
#: revision numbers and steps never reach it, and a larger number asked for matches nothing.
MAX_INTEGER = 2**31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_class: type[enum.StrEnum], name: str, length: int) -> sa.Enum:
    """A VARCHAR of ``length`` holding one of the enum's values, as the database checks in the
    constraint ``ck_<table>_<name>``; the ORM refuses any other value before sending it and
    reads back the enum's members (which compare equal to their values)."""
    return sa.Enum(
        enum_class,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=length,
        name=name,
    )


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC)


def dialect_insert(model):
    """An INSERT for the session's database, which can say ``ON CONFLICT`` (both backends)."""
    return _insert_for(db.session.get_bind().dialect.name)(model)


def _insert_for(dialect: str):
    return (postgresql if dialect == "postgresql" else sqlite).insert


class prepared:
    """A statement on the path every click takes, built once per database dialect.

    Building a statement and working out its cache key costs more Python than sending it; a
    statement built once, with ``bindparam``s for its values, costs neither again
    (docs/performance.md, "The play step"). The decorated function receives the dialect's
    ``insert`` (which can say ``ON CONFLICT``) and returns the statement.
    """

    def __init__(self, build: Callable[[Callable], sa.Executable]) -> None:
        self.build = build
        self.built: dict[str, sa.Executable] = {}
        functools.update_wrapper(self, build)

    def __call__(self) -> sa.Executable:
        dialect = db.session.get_bind().dialect.name
        statement = self.built.get(dialect)
        if statement is None:
            statement = self.built[dialect] = self.build(_insert_for(dialect))
        return statement


def tune_sqlite(dbapi_connection, _record) -> None:
    """SQLite behind several workers: WAL lets readers and a writer work at once, and writers
    wait for a lock instead of failing; foreign keys are enforced as on PostgreSQL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def begin_before_savepoint(connection: sa.Connection, _name: str) -> None:
    """SQLite, through Python's driver, begins a transaction only before a write; a SAVEPOINT
    that came first would open a transaction of its own, which its RELEASE would commit, in the
    middle of a request. Begin the request's transaction first (eduapp/transaction.py)."""
    driver = connection.connection.driver_connection
    if not driver.in_transaction:
        driver.execute("BEGIN")


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
