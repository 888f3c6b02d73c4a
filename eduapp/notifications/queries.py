"""Reads of notifications."""

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.extensions import db
from eduapp.notifications.models import Notification

PAGE_SIZE = 50


def unread_count(user_id: int) -> int:
    """One COUNT on the (user_id, read_at) index: cheap enough for every page's header."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def notifications_page(user: User, page: int):
    """The user's own notifications, newest first."""
    return db.paginate(
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=page,
        per_page=PAGE_SIZE,
        error_out=False,
    )
