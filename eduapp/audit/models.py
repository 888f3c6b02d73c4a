"""The audit log: who did what to which content, and when. Append-only."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.accounts.models import User
from eduapp.content.models import Document
from eduapp.extensions import UTCDateTime, db, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Null for events from the command line (a course loaded from files).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: created, edited, restored, invited, removed, signed_off, requested_changes, published, loaded
    action: Mapped[str] = mapped_column(sa.String(32))
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    revision_number: Mapped[int | None]
    detail: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(lazy="joined")
    document: Mapped[Document | None] = relationship(lazy="joined")
