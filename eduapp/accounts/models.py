"""Users, their roles and their signed-in sessions."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.extensions import UTCDateTime, db, enum_column, utcnow
from eduapp.privacy import Erasure, Names, Personal


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
    profession: Mapped[Profession | None] = mapped_column(
        enum_column(Profession, "profession_known", 32)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the owner of the address proved it is theirs. Anything tied to an address (a cohort
    #: or studio invitation) applies only to a verified owner (SECURITY.md row 30).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when the learner's data was erased: the row stays for counts, identifying nothing.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        # Rosters are listed by name a page at a time: the page comes off this index.
        sa.Index("ix_users_display_name", "display_name", "id"),
    )

    personal_data = (
        Personal(
            owner="id",
            erasure=Erasure.PSEUDONYMISE,
            section="account",
            shows=("email", "display_name", "profession"),
            blank=("email", "display_name", "password_hash"),
            why="The row keeps its id, so the learner's attempts still count; their address, "
            "name and password are replaced. The profession stays: cohort figures are split by "
            "it, and alone it names nobody.",
        ),
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
    role: Mapped[Role] = mapped_column(enum_column(Role, "role_known", 32), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.DELETE,
            section="account",
            shows=("role",),
            why="What the account may do; an erased account does nothing.",
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
    #: The last request made with it; a session idle for longer than its idle lifetime ends.
    last_seen_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=sa.func.current_timestamp()
    )

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.DELETE,
            withheld=("token_hash",),
            why="Signed-in browsers: a secret, kept out of the download; erasure signs the "
            "account out everywhere.",
        ),
    )


class LoginAttempt(db.Model):
    """One event a throttle counts: a wrong password, a wrong current password, a sign-up.

    Kept in the database so that every worker process counts the same (accounts/throttle.py).
    """

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: HMAC of what is counted ("account:<e-mail>", "address:<ip>", ...) under a key derived
    #: from SECRET_KEY: no e-mail or address is stored, nor can one be tested against it.
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    #: False for a sign-up, which is counted but is no failure.
    is_failure: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.Index("ix_login_attempts_key_time", "key_hash", "created_at"),
        # Rows older than every window are deleted by time, whatever their key.
        sa.Index("ix_login_attempts_created_at", "created_at"),
    )

    personal_data = (
        Personal(
            owner="key_hash",
            names=Names.ACCOUNT_KEY,
            erasure=Erasure.DELETE,
            why="Keyed hashes nobody can read back, so not in the download. Erasure deletes "
            "those that name the account; the rest (an address, an account with a network) "
            "name no account that can be found and go by themselves after the throttle's window.",
        ),
    )


class AddressConfirmation(db.Model):
    """A link mailed to an address to prove that whoever follows it reads that mailbox.

    Three kinds: a sign-up waiting for its address to be confirmed (the account is created only
    then, so nobody can take an address that is not theirs), an existing account confirming its
    address, and an account moving to a new address (which it gets only then). Used once, then
    deleted; it expires after ``CONFIRMATION_LIFETIME_SECONDS``.
    """

    __tablename__ = "address_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the link; the token itself is only in the mail.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: Lower-cased, as users' addresses are.
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    #: The account confirming its address; None for a sign-up in waiting.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: For an account moving to this address: the address it had when the move was asked;
    #: the link moves it only if it still has that one. None for any other confirmation.
    replaces_email: Mapped[str | None] = mapped_column(sa.String(254))
    #: The sign-up's details, kept until the address is confirmed (empty for an account).
    display_name: Mapped[str] = mapped_column(sa.String(80), default="")
    profession: Mapped[str | None] = mapped_column(sa.String(32))
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint(
            "user_id IS NOT NULL OR password_hash <> ''", name="sign_up_has_password"
        ),
    )

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.DELETE,
            withheld=("token_hash",),
            why="A link waiting to be followed: a secret that lives an hour or so, kept out of "
            "the download; erasure deletes it.",
        ),
        Personal(
            owner="email",
            names=Names.EMAIL,
            erasure=Erasure.DELETE,
            withheld=(
                "token_hash",
                "display_name",
                "profession",
                "password_hash",
                "replaces_email",
            ),
            why="A confirmation sent to the address (a sign-up in waiting, or the account's): "
            "a secret, kept out of the download; erasure deletes it.",
        ),
    )

    @property
    def is_sign_up(self) -> bool:
        return self.user_id is None

    @property
    def is_address_change(self) -> bool:
        return self.replaces_email is not None


class PasswordReset(db.Model):
    """A link mailed to an account's address to choose a new password ("Forgot your
    password?"). Used once: choosing the password deletes every reset of the account; it
    expires after ``PASSWORD_RESET_LIFETIME_SECONDS``."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the link; the token itself is only in the mail.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.DELETE,
            withheld=("token_hash",),
            why="A link waiting to be followed: a secret that lives an hour, kept out of the "
            "download; erasure deletes it.",
        ),
    )
