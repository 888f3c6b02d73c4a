"""Structured request logs: a line per request with its id and the user's id, nothing personal.

Every record is exactly one line (SECURITY.md row 34): line breaks, escape sequences and other
control characters in anything logged (a path, a header, an exception's text, a traceback) are
written escaped, so nobody can forge a log line or colour a terminal through a URL.
"""

import logging
import re
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask_login import current_user

log = logging.getLogger("eduapp.request")


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id to every record logged while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = "-"
        record.user_id = "-"
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            record.user_id = g.get("user_id", "-")
        return True


LOG_FORMAT = (
    "%(asctime)s level=%(levelname)s logger=%(name)s request_id=%(request_id)s "
    "user_id=%(user_id)s %(message)s"
)

#: C0 and C1 controls, DEL, the backslash (so that an escape is never ambiguous) and every other
#: character that some reader takes for the end of a line.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\\\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def escape_controls(text: str) -> str:
    """The text with every unsafe character written as an escape: "\\n", "\\x1b", "\\u2028"."""

    def escape(match: re.Match) -> str:
        char = match.group()
        if char in _NAMED:
            return _NAMED[char]
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _UNSAFE.sub(escape, text)


class OneLineFormatter(logging.Formatter):
    """Formats a record, traceback included, as one line with its control characters escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return escape_controls(super().format(record))


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter(LOG_FORMAT))
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("eduapp")
    logger.handlers[:] = [handler]
    logger.setLevel(app.config["LOG_LEVEL"])
    logger.propagate = False


def start_request() -> None:
    g.request_id = uuid.uuid4().hex[:16]
    g.started = time.perf_counter()


def note_user() -> None:
    """Runs after the user is loaded, so that later log lines carry the user's id."""
    g.user_id = current_user.id if current_user.is_authenticated else "-"


def finish_request(response):
    # The path only: query strings could carry search terms or tokens. The formatter escapes it.
    # A mailed link's token is its route's placeholder: a secret never reaches a log.
    path = request.path
    if request.url_rule is not None and "token" in (request.view_args or {}):
        path = request.url_rule.rule
    elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    log.info(
        "method=%s path=%s status=%s duration_ms=%.1f",
        request.method,
        path,
        response.status_code,
        elapsed_ms,
    )
    response.headers["X-Request-Id"] = g.get("request_id", "")
    return response
