"""Forgot your password? A link mailed to the account's address lets whoever reads that mailbox
choose a new password (issue 12; SECURITY.md rows 13 and 33).

Asking never says whether the address has an account: the page answers "we sent a link if it
has one" either way, and the mail tells the owner which it is (a link, or a note that the
address has no account). A link works once, for ``PASSWORD_RESET_LIFETIME_SECONDS``; choosing
the password ends every session of the account, deletes every other link it was sent (a move
to another address too), and confirms the address (whoever chose it read the mail). The
request is throttled per address and per e-mail address (accounts/throttle.py), so nobody can
flood someone's inbox.
"""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for

from eduapp.accounts import signals
from eduapp.accounts.models import AddressConfirmation, LoginSession, PasswordReset, User
from eduapp.accounts.passwords import hash_password
from eduapp.accounts.services import normalise_email, token_hash
from eduapp.extensions import db, utcnow

EXPIRED = "This link has expired or was used already. You can ask for a new one."


class ResetError(ValueError):
    """A reset link that cannot be used, with a message for its holder."""


def _lifetime() -> timedelta:
    return timedelta(seconds=current_app.config["PASSWORD_RESET_LIFETIME_SECONDS"])


def request_reset(email: str) -> None:
    """Mail the address a link to choose a new password, or, if it has no account, a note
    saying so. The same work and the same answer either way."""
    email = normalise_email(email)
    app = current_app._get_current_object()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or user.erased_at is not None:
        signals.password_reset_unknown.send(app, email=email)
        return
    db.session.execute(
        sa.delete(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.created_at < utcnow() - _lifetime()
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(token_hash=token_hash(token), user_id=user.id))
    db.session.flush()
    signals.password_reset_requested.send(
        app,
        email=email,
        name=user.display_name,
        link=url_for("accounts.reset_password", token=token, _external=True),
        minutes=int(_lifetime().total_seconds()) // 60,
    )


def reset_for(token: str) -> PasswordReset:
    """The unexpired reset behind a link, or ResetError."""
    reset = db.session.scalar(
        sa.select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    )
    if reset is None or reset.created_at < utcnow() - _lifetime():
        raise ResetError(EXPIRED)
    return reset


def choose_password(reset: PasswordReset, new_password: str) -> User:
    """Set the new password; end every session of the account and every link it was sent.

    Two tabs sending the same link at once: the second deletes no reset row and is refused, so
    a link is used once.
    """
    user = reset.user
    used = db.session.execute(sa.delete(PasswordReset).where(PasswordReset.id == reset.id)).rowcount
    if used != 1:
        raise ResetError(EXPIRED)
    db.session.execute(sa.delete(PasswordReset).where(PasswordReset.user_id == user.id))
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))
    # A move to another address asked meanwhile may be whoever knew the old password's.
    db.session.execute(sa.delete(AddressConfirmation).where(AddressConfirmation.user_id == user.id))
    user.password_hash = hash_password(new_password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    db.session.flush()
    return user
