"""In-app notifications: a line of text and a link, read or not."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eduapp.extensions import UTCDateTime, db, utcnow
from eduapp.privacy import Erasure, Personal


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(sa.String(300))
    #: A path inside the app (never an outside address).
    link: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.DELETE,
            section="notifications",
            shows=("text", "link", "created_at"),
            why="Addressed to the person alone. Texts name a scenario or a cohort, never another "
            "person, so deleting a person's own notifications is all erasure does here.",
        ),
    )


class DigestSetting(db.Model):
    """Whether someone wants the daily e-mail digest of their unread notifications, and up to
    when the last one went. No row: they want it, and none went yet."""

    __tablename__ = "notification_digests"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    wanted: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: The moment the last digest was made: the next lists what came after it.
    sent_through: Mapped[datetime | None] = mapped_column(UTCDateTime)

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.DELETE,
            section="notification_digest",
            shows=("wanted", "sent_through"),
            why="The person's own choice about mail, deleted with their notifications.",
        ),
    )
