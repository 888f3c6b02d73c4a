"""Course content as versioned documents.

A document (a scenario or a module) has revisions, one per save, and published versions.
A published version is immutable: learners' attempts point at the version they played, so
their records stay meaningful whatever happens to the draft.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.accounts.models import User
from eduapp.extensions import UTCDateTime, db, enum_column, utcnow
from eduapp.privacy import Erasure, NotPersonal, Personal


class DocumentKind(enum.StrEnum):
    SCENARIO = "scenario"
    MODULE = "module"
    ASSESSMENT = "assessment"


class Document(db.Model):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "kind_known", 16))
    #: The id written in the source file; stable for the document's whole life.
    slug: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("kind", "slug"),)

    personal_data = (
        NotPersonal(("kind", "slug"), "Which piece of course content: ids from its files."),
    )


class Revision(db.Model):
    """One saved state of a document's source, with who saved it and why."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    number: Mapped[int]
    source: Mapped[str] = mapped_column(sa.Text)
    message: Mapped[str] = mapped_column(sa.String(200))
    #: The title as written in this revision (for lists; the source is the truth).
    title: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    #: Null when the revision came from a file on disk rather than a person in the studio.
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship()
    author: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)

    personal_data = (
        Personal(
            owner="author_id",
            erasure=Erasure.BLANK,
            section="studio_revisions",
            shows=("message",),
            blank=("message",),
            why="A draft's history stays for its co-authors; the author's message is replaced, "
            "and their name is read from the erased account.",
        ),
        NotPersonal(
            ("source", "title"),
            "Course content, written for publication under the course licence (co-authors are "
            "credited by role in memberships); erasure never rewrites the course.",
        ),
    )

    @property
    def author_name(self) -> str:
        return self.author.display_name if self.author else "a course file"


class Version(db.Model):
    """A published, immutable version of a document, as learners see it."""

    __tablename__ = "versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    number: Mapped[int]
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("revisions.id"))
    source: Mapped[str] = mapped_column(sa.Text)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    #: A module's place in the course; null for scenarios.
    sort_order: Mapped[int | None]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)

    personal_data = (
        NotPersonal(
            ("source", "title", "summary"),
            "Published course content, immutable: learners' records point at it.",
        ),
    )

    @property
    def slug(self) -> str:
        return self.document.slug
