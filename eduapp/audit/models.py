"""The audit log: who did what to which content, and when. Append-only."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.accounts.models import User
from eduapp.content.models import Document
from eduapp.extensions import UTCDateTime, db, utcnow
from eduapp.privacy import Erasure, Personal


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Null for events from the command line (a course loaded from files).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: created, edited, restored, invited, removed, signed_off, requested_changes, published,
    #: loaded, erased
    action: Mapped[str] = mapped_column(sa.String(32))
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    revision_number: Mapped[int | None]
    #: The person the event is about (someone invited, removed or erased). Stored by id and named at
    #: read time, so erasing that person never edits the log (SECURITY.md row 28).
    subject_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id], lazy="joined")
    document: Mapped[Document | None] = relationship(lazy="joined")

    personal_data = (
        Personal(
            owner="actor_id",
            erasure=Erasure.KEEP,
            section="audit_log",
            shows=("action", "detail"),
            why="Append-only: who did what to which content, naming people by id and holding "
            "only facts the app states, never anyone's words; names are read at display time, "
            "so erasure never edits the log (SECURITY.md row 28).",
        ),
        Personal(
            owner="subject_id",
            erasure=Erasure.KEEP,
            section="audit_log",
            shows=("action", "detail"),
            why="The person an event is about (invited, removed, erased), by id: an erased "
            "person shows as erased, and the log is never edited.",
        ),
    )
