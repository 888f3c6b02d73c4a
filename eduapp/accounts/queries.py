"""Reads about accounts, and the one rule for e-mail addresses: anything tied to an address (a
cohort invitation, a studio invitation, a co-tutor added by address) applies only to an account
whose owner proved the address is theirs (SECURITY.md row 30). Otherwise whoever signed up with
an invited address first would be let in as the person invited.
"""

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.accounts.services import normalise_email
from eduapp.extensions import db


def has_verified_address(user: User) -> bool:
    """True once the user proved they own their address (a mailed link, or an admin's check)."""
    return user.email_verified_at is not None


def is_verified_owner(user: User, email: str) -> bool:
    """True when ``email`` is the user's address and they proved it is theirs."""
    return has_verified_address(user) and user.email == normalise_email(email)


def verified_account_for(email: str) -> User | None:
    """The account whose verified address this is; None if there is none or it is unverified."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    return user if user is not None and is_verified_owner(user, email) else None
