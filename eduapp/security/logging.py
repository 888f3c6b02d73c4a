"""Structured request logs: a line per request with its id and the user's id, nothing personal."""

import logging
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


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
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
    # The path only: query strings could carry search terms or tokens.
    elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    log.info(
        "method=%s path=%s status=%s duration_ms=%.1f",
        request.method,
        request.path,
        response.status_code,
        elapsed_ms,
    )
    response.headers["X-Request-Id"] = g.get("request_id", "")
    return response
