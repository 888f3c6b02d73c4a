"""Plain error pages. They never show a traceback and never need the database."""

import logging

import sqlalchemy as sa
from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from eduapp.extensions import db, login_manager

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


def render_error(code: int, detail: str | None = None):
    title, hint = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, hint=detail or hint), code


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
    """Roll back, or drop the connection if even that fails; and render the error page for an
    anonymous visitor, because Flask-Login's template context would otherwise load the user
    again from a database that may be what just failed."""
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.invalidate()
    g._login_user = login_manager.anonymous_user()


def handle_database_unavailable(error: sa.exc.OperationalError):
    """The database is down, restarting or locked: a retryable 503, not a 500."""
    _forget_the_failed_transaction()
    log.warning("database unavailable (%s)", type(error.orig).__name__)
    response, code = render_error(503)
    return response, code, {"Retry-After": "30"}


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
    app.register_error_handler(sa.exc.OperationalError, handle_database_unavailable)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
    app.teardown_appcontext(remove_session_safely)
