"""Writes for accounts: sign-up, sign-in sessions, profile, passwords and roles."""

import hashlib
import secrets

import sqlalchemy as sa

from eduapp.accounts.models import LoginSession, Role, User, UserRole
from eduapp.accounts.passwords import dummy_verify, hash_password, verify_password
from eduapp.extensions import db
from eduapp.tallies import services as tallies


class EmailTaken(ValueError):
    """Another account already uses this e-mail address."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register_learner(email: str, display_name: str, password: str, profession: str) -> User:
    """Create a learner account. Everyone starts as a learner; other roles come from an admin."""
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        profession=profession,
    )
    user.roles.append(UserRole(role=Role.LEARNER.value))
    db.session.add(user)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise EmailTaken(email) from None
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None; both failures take the same time."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        dummy_verify(password)
        return None
    return user if verify_password(user.password_hash, password) else None


def open_session(user: User) -> str:
    """Record a new signed-in browser for this user and return its token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token_hash=_token_hash(token), user_id=user.id))
    db.session.commit()
    user.session_token = token
    return token


def user_for_token(token: str) -> User | None:
    """The user signed in with this token, or None if the session was ended."""
    user = db.session.scalar(
        sa.select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == _token_hash(token))
    )
    if user is not None:
        user.session_token = token
    return user


def close_session(token: str) -> None:
    db.session.execute(sa.delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    db.session.commit()


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of this user."""
    user.password_hash = hash_password(new_password)
    db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.user_id == user.id,
            LoginSession.token_hash != _token_hash(user.session_token or ""),
        )
    )
    db.session.commit()


def update_profile(user: User, display_name: str, profession: str | None) -> None:
    user.display_name = display_name.strip()
    set_profession(user, profession)
    db.session.commit()


def set_profession(user: User, profession: str | None) -> None:
    """Change a user's profession; the cohorts' per-profession figures move with them."""
    if user.id is not None:
        tallies.profession_changing(user.id, profession)
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
    db.session.commit()


def create_or_update_account(
    email: str, display_name: str, password: str, roles: set[Role], profession: str | None
) -> tuple[User, bool]:
    """Make sure an account exists with these details (demo accounts). Returns (user, created)."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    created = user is None
    if created:
        user = User(email=normalise_email(email), display_name=display_name, password_hash="")
        db.session.add(user)
    user.display_name = display_name
    set_profession(user, profession)
    if created or not verify_password(user.password_hash, password):
        user.password_hash = hash_password(password)
    have = {Role(r.role) for r in user.roles}
    for role in roles - have:
        user.roles.append(UserRole(role=role.value))
    db.session.commit()
    return user, created
