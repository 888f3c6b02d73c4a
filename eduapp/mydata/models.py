"""A learner's request to erase their data, carried out by an admin."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.accounts.models import User
from eduapp.extensions import UTCDateTime, db, utcnow
from eduapp.privacy import Erasure, NotPersonal, Personal


class ErasureRequest(db.Model):
    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The account to erase; after erasure the row stays, holding nothing that identifies anyone.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    carried_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    carried_out_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    carried_out_by: Mapped[User | None] = relationship(foreign_keys=[carried_out_by_id])

    __table_args__ = (
        # At most one pending request per learner, even when two requests race.
        sa.Index(
            "uq_erasure_requests_pending_user_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("carried_out_at IS NULL"),
            postgresql_where=sa.text("carried_out_at IS NULL"),
        ),
    )

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.KEEP,
            section="erasure_requests",
            shows=("requested_at", "carried_out_at"),
            why="The record that erasure was asked for and carried out: ids and times.",
        ),
        NotPersonal(("carried_out_by_id",), "The admin who carried it out, by id."),
    )
