"""Writes for accounts: sign-in sessions, profile, passwords and roles (signing up: signup.py)."""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from eduapp.accounts.models import LoginSession, Role, User, UserRole
from eduapp.accounts.passwords import dummy_verify, hash_password, verify_password
from eduapp.accounts.signals import profession_changing
from eduapp.extensions import UTCDateTime, db, prepared, utcnow
from eduapp.transaction import separate_transaction

#: A session's last_seen_at is written only when it is older than this, so that a click does not
#: cost a write; the idle lifetime is then honoured to within this much.
LAST_SEEN_STEP = timedelta(minutes=1)


class SessionExpired(Exception):
    """The login session outlived its absolute or its idle lifetime, and is now deleted."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_hash(token: str) -> str:
    """How a secret token (a session's, a mailed link's) is kept in the database."""
    # A plain SHA-256 is enough here, unlike for e-mails and addresses (accounts/throttle.py):
    # the token is 256 random bits, so nobody can find it by hashing guesses, and a key would
    # sign everyone out whenever SECRET_KEY changes.
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None; both failures take the same time."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        dummy_verify(password)
        return None
    return user if verify_password(user.password_hash, password) else None


def open_session(user: User) -> str:
    """Record a new signed-in browser for this user and return its token for the cookie.

    Sessions that have expired, anyone's, are deleted on the way: nobody will come back for them.
    """
    token = secrets.token_urlsafe(32)
    db.session.execute(sa.delete(LoginSession).where(HAS_EXPIRED), _expiry(utcnow()))
    db.session.add(LoginSession(token_hash=token_hash(token), user_id=user.id))
    db.session.flush()
    user.session_token = token
    return token


#: Sessions past SESSION_ABSOLUTE_LIFETIME since sign-in or SESSION_IDLE_LIFETIME since their
#: last request (SECURITY.md row 36), with the parameters of ``_expiry(now)``.
HAS_EXPIRED = sa.or_(
    LoginSession.created_at < sa.bindparam("signed_in_before", type_=UTCDateTime),
    LoginSession.last_seen_at < sa.bindparam("seen_before", type_=UTCDateTime),
)


def _expiry(now: datetime) -> dict[str, datetime]:
    config = current_app.config
    return {
        "signed_in_before": now - timedelta(seconds=config["SESSION_ABSOLUTE_LIFETIME"]),
        "seen_before": now - timedelta(seconds=config["SESSION_IDLE_LIFETIME"]),
    }


def signed_in_query() -> sa.Select:
    """The user behind a session's token (the parameter ``token_hash``), with their roles (every
    page asks for them), the session's id, whether it has expired and when it was last seen.
    A caller may add columns that every page needs (``user_for_token``)."""
    return (
        sa.select(User, LoginSession.id, HAS_EXPIRED, LoginSession.last_seen_at)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == sa.bindparam("token_hash"))
        .options(joinedload(User.roles))
    )


def user_for_token(token: str, query: sa.Select) -> tuple[User, tuple] | None:
    """The user signed in with this token and the values of the columns ``query`` adds to
    ``signed_in_query()``, or None if the session was ended.

    An expired session is deleted and raises SessionExpired. Otherwise the request is noted in
    last_seen_at, at most once every LAST_SEEN_STEP. Both are the session's own bookkeeping,
    written on a connection of their own and committed at once, whatever becomes of the request
    (eduapp/transaction.py): the request's transaction holds no lock for them, and a GET writes
    nothing of its own.
    """
    now = utcnow()
    found = (
        db.session.execute(query, {"token_hash": token_hash(token)} | _expiry(now))
        .unique()
        .one_or_none()
    )
    if found is None:
        return None
    user, session_id, has_expired, last_seen_at, *added = found
    if has_expired:
        with separate_transaction() as connection:
            connection.execute(sa.delete(LoginSession).where(LoginSession.id == session_id))
        raise SessionExpired
    if last_seen_at < now - LAST_SEEN_STEP:
        with separate_transaction() as connection:
            connection.execute(
                sa.update(LoginSession)
                .where(LoginSession.id == session_id)
                .values(last_seen_at=now)
            )
    user.session_token = token
    return user, tuple(added)


@prepared
def _lock_learner(_insert) -> sa.Select:
    users = User.__table__
    return (
        sa.select(users.c.profession)
        .where(users.c.id == sa.bindparam("user_id"))
        .with_for_update(key_share=True)
    )


def lock_learner(user_id: int) -> str | None:
    """Hold the learner's row until commit (PostgreSQL; SQLite has one writer at a time), and
    return their profession. Every write about a learner's play, cohorts or profession takes it
    first, so they never interleave (docs/architecture.md, "Running counts"); taking it again in
    a transaction is free. The player takes it with the attempt it records a choice on
    (``player.queries.recording``).

    ``FOR NO KEY UPDATE`` does not conflict with the key-share locks that inserts referencing
    the user take, so a learner's own concurrent inserts never deadlock against it.
    """
    return db.session.execute(_lock_learner(), {"user_id": user_id}).scalar()


def close_session(token: str) -> None:
    db.session.execute(sa.delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of this user."""
    user.password_hash = hash_password(new_password)
    db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.user_id == user.id,
            LoginSession.token_hash != token_hash(user.session_token or ""),
        )
    )


def update_profile(user: User, display_name: str, profession: str | None) -> None:
    user.display_name = display_name.strip()
    set_profession(user, profession)
    db.session.flush()


def set_profession(user: User, profession: str | None) -> None:
    """Change a user's profession; the cohorts' per-profession figures move with them (told
    before the row changes, so that receivers read the old one under their lock)."""
    if user.id is not None:
        profession_changing.send(
            current_app._get_current_object(), user_id=user.id, profession=profession
        )
    user.profession = profession or None


class SelfRoleChange(PermissionError):
    """Nobody changes their own roles, admins included."""


def set_roles(actor: User, user: User, roles: set[Role]) -> None:
    """Replace a user's roles. The actor must be an admin other than the user."""
    if actor.id == user.id:
        raise SelfRoleChange
    current = {Role(r.role): r for r in user.roles}
    for role, row in current.items():
        if role not in roles:
            user.roles.remove(row)
    for role in roles - current.keys():
        user.roles.append(UserRole(role=role.value))
    db.session.flush()


def create_or_update_account(
    email: str, display_name: str, password: str, roles: set[Role], profession: str | None
) -> tuple[User, bool]:
    """Make sure an account exists with these details (demo accounts). Returns (user, created).

    Its address counts as confirmed: demo addresses are made up, and invitations in a demo should
    work as they do for people who confirmed theirs.
    """
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    created = user is None
    if created:
        user = User(email=normalise_email(email), display_name=display_name, password_hash="")
        db.session.add(user)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    user.display_name = display_name
    set_profession(user, profession)
    if created or not verify_password(user.password_hash, password):
        user.password_hash = hash_password(password)
    have = {Role(r.role) for r in user.roles}
    for role in roles - have:
        user.roles.append(UserRole(role=role.value))
    db.session.flush()
    return user, created
