"""Cohorts: a tutor's group of learners from several professions, and the modules set for them."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.accounts.models import User
from eduapp.content.models import Document
from eduapp.extensions import UTCDateTime, db, utcnow
from eduapp.privacy import Erasure, Names, NotPersonal, Personal


class Cohort(db.Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: Shared with learners so they can join; random, and can be replaced by a tutor.
    join_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tutors: Mapped[list["CohortTutor"]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", lazy="selectin"
    )
    modules: Mapped[list["CohortModule"]] = relationship(
        back_populates="cohort",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="CohortModule.assigned_at",
    )

    personal_data = (
        NotPersonal(
            ("name", "join_code"), "A group's name and code, set by its tutors for everyone in it."
        ),
    )


class CohortTutor(db.Model):
    """A tutor of the cohort; every tutor of a cohort, its creator included, has equal rights."""

    __tablename__ = "cohort_tutors"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="tutors")
    user: Mapped[User] = relationship(lazy="joined")

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.KEEP,
            section="cohorts_taught",
            why="Which cohorts a tutor teaches: ids and a date, naming nobody once the account "
            "is erased.",
        ),
    )


class CohortMember(db.Model):
    __tablename__ = "cohort_members"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.KEEP,
            section="cohorts",
            why="Membership counts in the cohort's figures, which erasure must not change; "
            "ids and a date.",
        ),
    )


class CohortInvite(db.Model):
    """An e-mail address a tutor invited; the learner with that address sees it and may join."""

    __tablename__ = "cohort_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    #: Lower-cased, as users' e-mail addresses are.
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("cohort_id", "email"),)

    personal_data = (
        Personal(
            owner="email",
            names=Names.CONFIRMED_EMAIL,
            erasure=Erasure.DELETE,
            section="cohort_invitations",
            why="An invitation to the address the learner proved theirs is of no use once the "
            "account is erased; one to an address never proved theirs is left for its owner.",
        ),
    )


class CohortModule(db.Model):
    """A module set for the cohort, with an optional due date."""

    __tablename__ = "cohort_modules"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), primary_key=True)
    #: The module's document: the assignment follows the module through its versions.
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), primary_key=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="modules")
    document: Mapped[Document] = relationship(lazy="joined")
