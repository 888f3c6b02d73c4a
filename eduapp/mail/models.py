"""The outbox: one row per message, from the moment it is queued until it is sent."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eduapp.extensions import UTCDateTime, db, utcnow
from eduapp.privacy import Erasure, Names, NotPersonal, Personal


class OutboxMail(db.Model):
    """A message waiting to be sent, or sent. Written in the transaction of what it reports,
    so a message exists exactly when what it tells about happened."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The sender takes a message by moving this into the future (a lease): a sender that dies
    #: mid-send leaves it to be tried again once the lease runs out; a failure backs off.
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tries: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Why the last try failed, in the mail server's words (never the message itself).
    last_error: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # The sender's one query: unsent messages that are due, oldest first.
        sa.Index(
            "ix_outbox_mail_due",
            "next_try_at",
            sqlite_where=sa.text("sent_at IS NULL"),
            postgresql_where=sa.text("sent_at IS NULL"),
        ),
        sa.CheckConstraint("tries >= 0", name="tries_not_negative"),
    )

    personal_data = (
        Personal(
            owner="to_address",
            names=Names.EMAIL,
            erasure=Erasure.DELETE,
            withheld=("subject", "text_body", "html_body"),
            why="Mail to the person's address, sent or waiting; it may hold a one-use link, so "
            "it stays out of the download. Erasure deletes it, so nothing more is sent.",
        ),
        NotPersonal(("last_error",), "The mail server's words about a failed try."),
    )
