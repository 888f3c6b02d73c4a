"""Sign-in throttling (SECURITY.md row 12): too many failures for one account, or too many
attempts from one address, within a window, and sign-in is refused with 429 for a while.

Counted in the database, so every worker process sees the same numbers.
"""

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from eduapp.accounts.models import LoginAttempt
from eduapp.accounts.services import normalise_email
from eduapp.extensions import db, utcnow


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _keys(email: str, address: str) -> tuple[str, str]:
    return _key("account", normalise_email(email)), _key("address", address or "unknown")


def _window_start():
    return utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])


def is_throttled(email: str, address: str) -> bool:
    account, place = _keys(email, address)
    since = _window_start()
    failures = db.session.scalar(
        sa.select(sa.func.count()).where(
            LoginAttempt.key_hash == account,
            LoginAttempt.is_failure.is_(True),
            LoginAttempt.created_at >= since,
        )
    )
    attempts = db.session.scalar(
        sa.select(sa.func.count()).where(
            LoginAttempt.key_hash == place, LoginAttempt.created_at >= since
        )
    )
    config = current_app.config
    return (
        failures >= config["LOGIN_FAILURES_PER_ACCOUNT"]
        or attempts >= config["LOGIN_ATTEMPTS_PER_ADDRESS"]
    )


def record(email: str, address: str, *, succeeded: bool) -> None:
    """Count this attempt; a success clears the account's failures; old rows are dropped."""
    account, place = _keys(email, address)
    if succeeded:
        db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.key_hash == account))
    else:
        db.session.add(LoginAttempt(key_hash=account, is_failure=True))
    db.session.add(LoginAttempt(key_hash=place, is_failure=not succeeded))
    db.session.execute(
        sa.delete(LoginAttempt).where(
            LoginAttempt.key_hash.in_((account, place)),
            LoginAttempt.created_at < _window_start(),
        )
    )
    db.session.commit()
