"""Users, their roles and their signed-in sessions."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.extensions import UTCDateTime, db, utcnow


class Role(enum.StrEnum):
    LEARNER = "learner"
    PATIENT_EDUCATOR = "patient_educator"
    TUTOR = "tutor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Profession(enum.StrEnum):
    MEDICINE = "medicine"
    NURSING = "nursing"
    PHARMACY = "pharmacy"
    PHYSIOTHERAPY = "physiotherapy"
    DIETETICS = "dietetics"
    OCCUPATIONAL_THERAPY = "occupational_therapy"
    SOCIAL_WORK = "social_work"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so that lookups and the unique constraint ignore case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: The learner's profession; cohort insight is split by it.
    profession: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the learner's data was erased: the row stays for counts, identifying nothing.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "profession IS NULL OR profession IN "
            "('medicine','nursing','pharmacy','physiotherapy','dietetics',"
            "'occupational_therapy','social_work','other')",
            name="profession_known",
        ),
        # Rosters are listed by name a page at a time: the page comes off this index.
        sa.Index("ix_users_display_name", "display_name", "id"),
    )

    # Flask-Login: the id kept in the cookie is the login session's token, not the user's id,
    # so that ending a session on the server ends it everywhere.
    session_token = None
    is_active = True
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.roles)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def profession_label(self) -> str:
        return Profession(self.profession).label if self.profession else ""


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")

    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('learner','patient_educator','tutor','admin')", name="role_known"
        ),
    )


class LoginSession(db.Model):
    """One signed-in browser. Deleting the row signs that browser out, whatever its cookie says."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the cookie; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginAttempt(db.Model):
    """One sign-in attempt, counted per account and per address to throttle guessing.

    Kept in the database so that every worker process counts the same attempts.
    """

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of "account:<e-mail>" or "address:<ip>": no e-mail or address is stored.
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    is_failure: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_login_attempts_key_time", "key_hash", "created_at"),)
