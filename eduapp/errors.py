"""Plain error pages. They never show a traceback and never need the database."""

import enum
import logging

import sqlalchemy as sa
from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from eduapp.extensions import db, login_manager
from eduapp.transaction import roll_back

log = logging.getLogger("eduapp.errors")

MESSAGES = {
    400: (
        "Something in that request was not right",
        "Please go back, reload the page and try again.",
    ),
    403: ("You do not have access to this page", "If you think you should, ask an administrator."),
    404: ("Page not found", "The page may have moved, or it is not yours to see."),
    405: ("That action is not allowed here", "Use the buttons on the page instead."),
    409: ("Someone else changed this first", "Reload the page to see the newest version."),
    413: ("That was too large", "Please send something smaller."),
    429: ("Too many attempts", "Please wait a minute and try again."),
    500: (
        "Something went wrong on our side",
        "Nothing you did caused this. Please try again shortly.",
    ),
    503: ("The service is briefly unavailable", "Please try again in a minute."),
}
#: The 400 page for a value the database refused (too long, too large or not allowed).
VALUE_REFUSED = (
    "That could not be saved: a value was too long or not allowed",
    "Nothing was changed. Go back, shorten or correct what you entered, and try again.",
)


def render_error(code: int, detail: str | None = None, title: str | None = None):
    default_title, hint = MESSAGES.get(code, MESSAGES[500])
    page = render_template(
        "errors/error.html", code=code, title=title or default_title, hint=detail or hint
    )
    return page, code


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return render_error(error.code)


def handle_csrf_error(error: CSRFError):
    log.warning("refused: CSRF check failed (%s)", error.description)
    return render_error(
        400, "The form had expired or was not sent from this site. Reload the page and try again."
    )


def _forget_the_failed_transaction() -> None:
    """Roll back; and render the error page for an anonymous visitor, because Flask-Login's
    template context would otherwise load the user again from a database that may be what just
    failed."""
    roll_back()
    g._login_user = login_manager.anonymous_user()


#: PostgreSQL SQLSTATE classes of a database that cannot serve now: connection lost (08),
#: credentials or database refused at connection (28, 3D), a transaction to retry (40: deadlock,
#: serialization), out of resources (53), shut down or cancelled (57), system error (58); and a
#: lock not granted in time, or a server that became a read-only standby.
_PG_OUTAGE_CLASSES = ("08", "28", "3D", "40", "53", "57", "58")
_PG_OUTAGE_STATES = ("55P03", "25006")
#: ... of a value the database refuses: a data exception (22: too long, out of range, a NUL
#: byte), an integrity violation (23) or a program limit (54: an index entry too large).
_PG_REFUSED_CLASSES = ("22", "23", "54")
_PG_UNIQUE_VIOLATION = "23505"
#: SQLite primary result codes of a database that cannot serve now: busy, locked, out of
#: memory, read-only, I/O error, corrupt, full, cannot open, protocol error, not a database.
_SQLITE_OUTAGES = frozenset({5, 6, 7, 8, 10, 11, 13, 14, 15, 26})
#: ... of a refused value: too big, a constraint, a datatype mismatch.
_SQLITE_REFUSED = frozenset({18, 19, 20})
#: SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY (extended result codes).
_SQLITE_UNIQUE = frozenset({2067, 1555})


class DatabaseFailure(enum.Enum):
    """What a database error means for the person who made the request."""

    #: The database is down, restarting, overloaded or locked: try again shortly (503).
    OUTAGE = "outage"
    #: A value was too long, too large or not allowed: a check is missing upstream (400).
    REFUSED_VALUE = "refused value"
    #: Another request saved the same thing at the same moment (409).
    CONFLICT = "conflict"
    #: A mistake in the code, such as a wrong query (500).
    BUG = "bug"


def classify_database_error(error: BaseException) -> DatabaseFailure:
    """Tell an outage from a refused value, a conflict or a bug, by the driver's error code:
    only an outage may be answered "unavailable" (SECURITY.md row 35)."""
    original = getattr(error, "orig", None) or error
    if isinstance(original, OverflowError):  # SQLite: a number larger than a column holds
        return DatabaseFailure.REFUSED_VALUE
    if getattr(error, "connection_invalidated", False):
        return DatabaseFailure.OUTAGE
    sqlstate = getattr(original, "sqlstate", None)  # psycopg
    if sqlstate:
        if sqlstate == _PG_UNIQUE_VIOLATION:
            return DatabaseFailure.CONFLICT
        if sqlstate[:2] in _PG_REFUSED_CLASSES:
            return DatabaseFailure.REFUSED_VALUE
        if sqlstate[:2] in _PG_OUTAGE_CLASSES or sqlstate in _PG_OUTAGE_STATES:
            return DatabaseFailure.OUTAGE
        return DatabaseFailure.BUG
    code = getattr(original, "sqlite_errorcode", None)  # sqlite3
    if code is not None:
        if code in _SQLITE_UNIQUE:
            return DatabaseFailure.CONFLICT
        if code & 0xFF in _SQLITE_REFUSED:
            return DatabaseFailure.REFUSED_VALUE
        if code & 0xFF in _SQLITE_OUTAGES:
            return DatabaseFailure.OUTAGE
        return DatabaseFailure.BUG
    # No code from the server: the driver's own verdict (psycopg refuses a NUL byte itself, and
    # reports a connection that failed or closed as an OperationalError without a SQLSTATE).
    if isinstance(error, sa.exc.DataError | sa.exc.IntegrityError):
        return DatabaseFailure.REFUSED_VALUE
    if isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
        return DatabaseFailure.OUTAGE
    return DatabaseFailure.BUG


def handle_database_error(error: Exception):
    """A database error answered by what it means: only an outage is a retryable 503."""
    failure = classify_database_error(error)
    if failure is DatabaseFailure.BUG:
        return handle_unexpected(error)
    if failure is DatabaseFailure.OUTAGE:
        _forget_the_failed_transaction()
        log.warning("database unavailable (%s)", _error_name(error))
        response, code = render_error(503)
        return response, code, {"Retry-After": "30"}
    roll_back()
    # A refused value means a form or validator let through what the column cannot hold.
    log.warning("refused: the database did not accept a value (%s)", _error_name(error))
    if failure is DatabaseFailure.CONFLICT:
        return render_error(
            409, "Something was saved at the same moment. Reload the page and check it first."
        )
    return render_error(400, title=VALUE_REFUSED[0], detail=VALUE_REFUSED[1])


def _error_name(error: BaseException) -> str:
    """The driver's error class, e.g. StringDataRightTruncation: never the values or the SQL."""
    return type(getattr(error, "orig", None) or error).__name__


def handle_unexpected(error: Exception):
    _forget_the_failed_transaction()
    original = getattr(error, "original_exception", None) or error
    log.error("unhandled %s", type(original).__name__, exc_info=original)
    return render_error(500)


def remove_session_safely(_exception=None) -> None:
    """Teardown: a database that died mid-request must not turn a finished page into a 500."""
    try:
        db.session.remove()
    except sa.exc.DBAPIError:
        log.warning("database connection lost while closing the request")


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    # Every database error (DBAPIError is a StatementError) and SQLite's too-large number.
    app.register_error_handler(sa.exc.StatementError, handle_database_error)
    app.register_error_handler(OverflowError, handle_database_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
    app.teardown_appcontext(remove_session_safely)
