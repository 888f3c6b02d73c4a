"""Writes for notifications. ``notify`` only adds a row to the request's transaction, so a
notification is written with the event it tells about."""

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for

from eduapp.accounts.models import User
from eduapp.extensions import db, utcnow
from eduapp.notifications.models import Notification

#: The column's length; longer texts are cut with an ellipsis rather than refused.
TEXT_LIMIT = 300


def link_to(endpoint: str, **values) -> str:
    """The path of an app page for a notification's link, inside a request or not (a service
    called from the command line or a test has no request to build URLs from)."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config["APPLICATION_ROOT"]
    )
    return adapter.build(endpoint, values)


def notify(user: User | int, text: str, link: str) -> Notification:
    """Add a notification for ``user`` (a User or a user id). Does not commit.

    ``link`` must be a path inside the app (``link_to(...)``), never an outside address.
    """
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError("a notification links to a path inside the app")
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1] + "…"
    user_id = user if isinstance(user, int) else user.id
    notification = Notification(user_id=user_id, text=text, link=link)
    db.session.add(notification)
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user as read; returns how many were."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount
