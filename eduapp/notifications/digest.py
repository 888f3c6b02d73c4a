"""The daily e-mail digest of unread notifications (issue 12; docs/mail.md).

``flask notifications digest``, run once a day (a systemd timer or cron, docs/mail.md), writes
one message to the outbox for each person with unread notifications that came since their last
digest (on a first digest, within the last day): their texts and links, at most
``MAX_LISTED`` of them. Nobody who turned it off on their notifications page, whose account is
erased or whose address is not confirmed is mailed. Each person's digest is claimed with a
guarded upsert of when it was made, so two runs at once mail them once.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.extensions import db, dialect_insert, utcnow
from eduapp.mail.services import queue_mail
from eduapp.notifications.models import DigestSetting, Notification
from eduapp.urls import absolute_url, external_url

#: How far back a first digest looks.
FIRST_DIGEST_WINDOW = timedelta(days=1)
#: Notifications listed in one message; the rest are counted, with the link to the page.
MAX_LISTED = 20


def wants_digest(user: User) -> bool:
    setting = db.session.get(DigestSetting, user.id)
    return setting is None or setting.wanted


def set_digest(user: User, wanted: bool) -> None:
    statement = dialect_insert(DigestSetting).values(user_id=user.id, wanted=wanted)
    db.session.execute(
        statement.on_conflict_do_update(index_elements=["user_id"], set_={"wanted": wanted})
    )


def send_digests(now: datetime | None = None) -> int:
    """Queue today's digests; how many people were mailed."""
    now = now or utcnow()
    since = sa.func.coalesce(DigestSetting.sent_through, now - FIRST_DIGEST_WINDOW)
    rows = db.session.execute(
        sa.select(Notification, User, DigestSetting.sent_through)
        .join(User, User.id == Notification.user_id)
        .outerjoin(DigestSetting, DigestSetting.user_id == Notification.user_id)
        .where(
            Notification.read_at.is_(None),
            Notification.created_at > since,
            Notification.created_at <= now,
            sa.func.coalesce(DigestSetting.wanted, sa.true()),
            User.erased_at.is_(None),
            User.email_verified_at.is_not(None),
        )
        .order_by(Notification.user_id, Notification.created_at.desc(), Notification.id.desc())
    ).all()
    waiting: dict[int, tuple[User, datetime | None, list[Notification]]] = {}
    for notification, user, sent_through in rows:
        waiting.setdefault(user.id, (user, sent_through, []))[2].append(notification)
    mailed = 0
    for user, sent_through, notifications in waiting.values():
        if _claim(user.id, sent_through, now):
            _queue(user, notifications)
            mailed += 1
    return mailed


def _claim(user_id: int, seen: datetime | None, now: datetime) -> bool:
    """Record that this person's digest was made now, if nobody else made one since we read."""
    statement = dialect_insert(DigestSetting).values(user_id=user_id, wanted=True, sent_through=now)
    claimed = db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"],
            set_={"sent_through": now},
            where=DigestSetting.sent_through.is_not_distinct_from(seen),
        ).returning(DigestSetting.user_id)
    ).first()
    return claimed is not None


def _queue(user: User, notifications: list[Notification]) -> None:
    count = len(notifications)
    queue_mail(
        user.email,
        f"{count} new notification{'s' if count != 1 else ''}",
        "notification_digest",
        name=user.display_name,
        items=[(n.text, absolute_url(n.link)) for n in notifications[:MAX_LISTED]],
        more=max(0, count - MAX_LISTED),
        notifications_link=external_url("notifications.index"),
    )
