"""Reads of notifications."""

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.extensions import db, prepared
from eduapp.notifications.models import Notification

PAGE_SIZE = 50


def unread_of(user_id: sa.ColumnElement[int] | sa.BindParameter) -> sa.ScalarSelect[int]:
    """A user's unread notifications: one COUNT on the (user_id, read_at) index, cheap enough
    for every page's header (asked with the signed-in user, security/sessions.py)."""
    table = Notification.__table__
    return (
        sa.select(sa.func.count())
        .select_from(table)
        .where(table.c.user_id == user_id, table.c.read_at.is_(None))
        .scalar_subquery()
    )


@prepared
def _unread(_insert) -> sa.Select:
    return sa.select(unread_of(sa.bindparam("user_id")))


def unread_count(user_id: int) -> int:
    return db.session.execute(_unread(), {"user_id": user_id}).scalar_one()


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
