"""Writes for notifications. ``notify`` only adds a row to the request's transaction, so a
notification is written with the event it tells about."""

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.extensions import db, utcnow
from eduapp.notifications.models import Notification

#: The column's length; longer texts are cut with an ellipsis rather than refused.
TEXT_LIMIT = 300


def notify(user: User | int, text: str, link: str) -> Notification:
    """Add a notification for ``user`` (a User or a user id). Does not commit.

    ``link`` must be a path inside the app (``eduapp.urls.path_to(...)``), never an outside address.
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
