"""Signing in: the rules one sign-in goes through, in their order.

1. An account or an address that failed too often waits (accounts/throttle.py): refused before
   its password is even looked at, and logged.
2. The password is checked; an unknown address takes as long as a wrong password.
3. A failure is counted on a connection of its own, so it stands although the request answers
   401 and rolls back; a success clears what this account failed from this address.
4. A success starts afresh: the cookie session is cleared (nothing planted before sign-in
   survives), a login session row is recorded, and Flask-Login remembers its token.

The view parses the form and shows what came of it (eduapp/accounts/views.py). A signed-in
user asked for their password again (to change it, or to move the account to another address)
goes through ``check_current_password``: the same throttle, counted per account.
"""

import logging
from dataclasses import dataclass

from flask import session
from flask_login import login_user

from eduapp.accounts import services, throttle
from eduapp.accounts.models import User
from eduapp.accounts.passwords import verify_password

log = logging.getLogger("eduapp.access")


@dataclass(frozen=True)
class SignIn:
    """What came of a sign-in: the user now signed in, or none (and how long to wait, if the
    tries were throttled)."""

    user: User | None = None
    #: Seconds to wait before trying again; 0 unless throttled.
    wait: int = 0


def sign_in(email: str, password: str, address: str) -> SignIn:
    """Sign in with these credentials from ``address`` (the client's IP address), by the rules
    above."""
    if wait := throttle.sign_in_wait(email, address):
        log.warning("refused: sign-in throttled")
        return SignIn(wait=wait)
    user = services.authenticate(email, password)
    if user is None:
        throttle.sign_in_failed(email, address)
        return SignIn()
    throttle.sign_in_succeeded(email, address)
    start_session(user)
    return SignIn(user)


def start_session(user: User) -> None:
    """Sign ``user`` in on this browser, in a fresh cookie session (after a password, or after
    following the link that confirms a sign-up)."""
    session.clear()
    services.open_session(user)
    login_user(user)


@dataclass(frozen=True)
class PasswordCheck:
    """What came of asking a signed-in user for their password again: right or not, or how long
    to wait first."""

    right: bool
    wait: int = 0


def check_current_password(user: User, password: str) -> PasswordCheck:
    """The password asked again before changing it or the account's address: wrong ones are
    counted per account, on a connection of their own, and past an allowance each try waits."""
    if wait := throttle.password_change_wait(user.id):
        log.warning("refused: current password throttled")
        return PasswordCheck(right=False, wait=wait)
    if verify_password(user.password_hash, password):
        throttle.password_change_succeeded(user.id)
        return PasswordCheck(right=True)
    throttle.password_change_failed(user.id)
    return PasswordCheck(right=False)
