"""A learner's reflections, and what tutors and peers do with a shared one: replies, themes and
peer review."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.accounts.models import User
from eduapp.extensions import UTCDateTime, db, enum_column, utcnow
from eduapp.privacy import Erasure, NotPersonal, Personal

#: Themes every tutor can tag with; tutors add their own beside them.
BUILTIN_THEMES = (
    "hidden curriculum",
    "power and hierarchy",
    "equity",
    "shared decision making",
    "teamwork",
)


class Visibility(enum.StrEnum):
    PRIVATE = "private"
    TUTORS = "tutors"

    @property
    def label(self) -> str:
        return {"private": "Only me", "tutors": "Me and my tutors"}[self.value]


class Reflection(db.Model):
    """What a learner wrote at a node of their attempt, for themselves or for their tutors."""

    __tablename__ = "reflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The attempt's step while the learner was at the node: one reflection per visit.
    step: Mapped[int]
    node_id: Mapped[str] = mapped_column(sa.String(64))
    prompt: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, "visibility_known", 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Named, not imported: eduapp.player.models imports this module (its Attempt.reflections),
    # and the mapper registry resolves the name.
    attempt: Mapped["Attempt"] = relationship(back_populates="reflections")  # noqa: F821
    #: The tutors' replies, oldest first.
    replies: Mapped[list["ReflectionReply"]] = relationship(
        back_populates="reflection", order_by="ReflectionReply.created_at, ReflectionReply.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "step"),
        # The tutors' queue reads shared reflections oldest first, a page at a time.
        sa.Index(
            "ix_reflections_shared_created",
            "created_at",
            "id",
            postgresql_where=sa.text("visibility = 'tutors'"),
            sqlite_where=sa.text("visibility = 'tutors'"),
        ),
    )

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.DELETE,
            section="reflections",
            shows=("node_id", "prompt", "body", "visibility"),
            why="The learner's own words, deleted with every reply, tag and review of them.",
        ),
    )

    @property
    def visibility_label(self) -> str:
        return Visibility(self.visibility).label


class ReflectionReply(db.Model):
    __tablename__ = "reflection_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(sa.ForeignKey("reflections.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reflection: Mapped[Reflection] = relationship(back_populates="replies")
    author: Mapped[User | None] = relationship(lazy="joined")

    personal_data = (
        Personal(
            owner="reflection_id",
            erasure=Erasure.DELETE,
            section="reflections",
            shows=("body",),
            why="A reply belongs with the reflection it answers, and goes with it.",
        ),
        Personal(
            owner="author_id",
            erasure=Erasure.BLANK,
            section="replies_written",
            shows=("body", "created_at"),
            blank=("body",),
            why="The tutor's words: in their download, and replaced if their account is erased; "
            "the reply stays with the learner's reflection.",
        ),
    )


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    personal_data = (
        NotPersonal(
            ("name", "created_by_id"),
            "A label of the tutors' shared vocabulary, tagged on many reflections; who added it "
            "is an id.",
        ),
    )


class ReflectionTheme(db.Model):
    __tablename__ = "reflection_themes"

    reflection_id: Mapped[int] = mapped_column(sa.ForeignKey("reflections.id"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id"), primary_key=True)
    tagged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    tagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    theme: Mapped[Theme] = relationship(lazy="joined")

    personal_data = (
        Personal(
            owner="reflection_id",
            erasure=Erasure.DELETE,
            section="reflections",
            why="A tag on the reflection goes with it.",
        ),
        NotPersonal(("tagged_by_id",), "The tutor who tagged it, by id."),
    )


class PeerReview(db.Model):
    """A tutor opened a reflection for anonymous peer review within one cohort."""

    __tablename__ = "peer_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(sa.ForeignKey("reflections.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    allocations: Mapped[list["PeerReviewAllocation"]] = relationship(
        back_populates="peer_review", lazy="selectin", order_by="PeerReviewAllocation.id"
    )

    __table_args__ = (sa.UniqueConstraint("reflection_id", "cohort_id"),)

    personal_data = (
        Personal(
            owner="reflection_id",
            erasure=Erasure.DELETE,
            section="reflections",
            why="A peer review of the reflection goes with it.",
        ),
        NotPersonal(("opened_by_id",), "The tutor who opened it, by id."),
    )


class PeerReviewAllocation(db.Model):
    """One reviewer drawn at random for a peer review, and their answers to the rubric."""

    __tablename__ = "peer_review_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_review_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_reviews.id"))
    reviewer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Rubric criterion -> score (1 to 4), once submitted.
    scores: Mapped[dict | None] = mapped_column(sa.JSON)
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    peer_review: Mapped[PeerReview] = relationship(back_populates="allocations")

    __table_args__ = (sa.UniqueConstraint("peer_review_id", "reviewer_id"),)

    personal_data = (
        Personal(
            owner="peer_review_id",
            erasure=Erasure.DELETE,
            section="reflections",
            shows=("scores", "comment"),
            why="A review of the learner's reflection goes with it; its reviewer stays "
            "anonymous in the download, as in the app.",
        ),
        Personal(
            owner="reviewer_id",
            erasure=Erasure.BLANK,
            section="peer_reviews_written",
            shows=("scores", "comment", "allocated_at", "submitted_at"),
            blank=("comment",),
            why="The reviewer's comment is replaced; the scores stay for the author reviewed, "
            "who never learns who gave them.",
        ),
    )
