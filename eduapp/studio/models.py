"""Co-authoring: who works on a document in which role, their sign-offs and their comments."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.accounts.models import User
from eduapp.content.models import Document
from eduapp.extensions import UTCDateTime, db, enum_column, utcnow
from eduapp.privacy import Erasure, NotPersonal, Personal


class MemberRole(enum.StrEnum):
    PATIENT_PARTNER = "patient_partner"
    PEER_STUDENT = "peer_student"
    STAFF = "staff"
    #: Reads, comments and signs off; does not edit.
    REVIEWER = "reviewer"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Membership(db.Model):
    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole, "role_known", 32))
    #: How the published module credits this person, by role: "nursing student", "medical tutor".
    credit: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("document_id", "user_id"),)

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.BLANK,
            section="studio_memberships",
            shows=("role", "credit"),
            blank=("credit",),
            replacement="co-author",
            why="The draft keeps its co-author, so its sign-offs and credits hold; the credit "
            "they wrote becomes “co-author”.",
        ),
    )

    @property
    def role_label(self) -> str:
        return MemberRole(self.role).label

    @property
    def can_edit(self) -> bool:
        return self.role != MemberRole.REVIEWER.value

    @property
    def can_manage(self) -> bool:
        """Invite and remove members: the draft's staff and patient partners."""
        return self.role in (MemberRole.STAFF.value, MemberRole.PATIENT_PARTNER.value)


class Decision(enum.StrEnum):
    APPROVE = "approve"
    CHANGES = "changes"


class SignOff(db.Model):
    """A member's decision on one exact revision. A later revision has none until given again."""

    __tablename__ = "sign_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("revisions.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, "decision_known", 16))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("revision_id", "user_id"),)

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.BLANK,
            section="studio_sign_offs",
            shows=("decision", "note"),
            blank=("note",),
            why="The decision stays, so what was approved stays approved; the note is replaced.",
        ),
    )


class Comment(db.Model):
    """A comment anchored to a node ("node:<id>"), the module's reading ("reading"), or general."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    #: The revision the author was looking at when writing.
    revision_number: Mapped[int]
    anchor: Mapped[str] = mapped_column(sa.String(80))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(sa.Text)
    is_resolved: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    resolved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    replies: Mapped[list["Comment"]] = relationship(order_by="Comment.id", lazy="selectin")

    personal_data = (
        Personal(
            owner="author_id",
            erasure=Erasure.BLANK,
            section="studio_comments",
            shows=("anchor", "body"),
            blank=("body",),
            why="Others reply in the same thread; the comment stays, its text replaced.",
        ),
        NotPersonal(("resolved_by_id",), "Who marked the thread resolved, by id."),
    )


class ProposalStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ModuleProposal(db.Model):
    """A scenario's author asks a module to list it: the way a published scenario reaches
    learners. Accepting it adds a revision of the module's draft listing the scenario, which the
    module's own review rule then signs off and publishes (docs/studio.md)."""

    __tablename__ = "module_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    scenario_document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    proposer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: Why the scenario belongs in the module, for the module's co-authors.
    note: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus, "proposal_status_known", 16), default=ProposalStatus.OPEN
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The module revision that accepting it made.
    revision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("revisions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposer: Mapped[User] = relationship(foreign_keys=[proposer_id], lazy="joined")
    module: Mapped[Document] = relationship(foreign_keys=[module_document_id], lazy="joined")
    scenario: Mapped[Document] = relationship(foreign_keys=[scenario_document_id], lazy="joined")

    personal_data = (
        Personal(
            owner="proposer_id",
            erasure=Erasure.BLANK,
            section="studio_module_proposals",
            shows=("status", "note", "created_at"),
            blank=("note",),
            why="The module's co-authors decided on it and its revision stays; the note is "
            "replaced.",
        ),
        NotPersonal(("decided_by_id",), "Which co-author accepted or declined it, by id."),
    )
