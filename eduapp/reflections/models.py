"""What tutors and peers do with a shared reflection: replies, themes and peer review."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.accounts.models import User
from eduapp.extensions import UTCDateTime, db, utcnow

#: Themes every tutor can tag with; tutors add their own beside them.
BUILTIN_THEMES = (
    "hidden curriculum",
    "power and hierarchy",
    "equity",
    "shared decision making",
    "teamwork",
)


class ReflectionReply(db.Model):
    __tablename__ = "reflection_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(sa.ForeignKey("reflections.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class ReflectionTheme(db.Model):
    __tablename__ = "reflection_themes"

    reflection_id: Mapped[int] = mapped_column(sa.ForeignKey("reflections.id"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id"), primary_key=True)
    tagged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    tagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    theme: Mapped[Theme] = relationship(lazy="joined")


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
