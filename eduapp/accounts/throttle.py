"""Throttles for guessing and for mass sign-up (SECURITY.md rows 12 and 36).

Each counter counts events of one kind for one key within a window: wrong passwords for an
account from one address, for an account from every address, and from one address for any
account; wrong current passwords at the password change; sign-ups from one address. The first
events of a window pass (the allowance is in config.py); after that every try waits 2, 4, 8 ...
seconds after the last event, up to ``THROTTLE_MAX_DELAY_SECONDS``, and is answered 429 with how
long to wait. Someone who mistypes is never slowed, a guesser soon waits minutes per guess, and
nothing stays locked: the wait is only ever counted from the last failure.

- Only failures count at sign-in, and signing in clears that address's failures for the
  account, so a class behind one NAT signing in correctly is never slowed.
- An account's failures slow only the addresses that have failed for it: from an address that
  has not been guessing, the right password always gets in, so no stranger can lock anyone out.
  The per-account ceiling, much higher than the per-address one, still slows a botnet that
  spreads its guesses over many addresses: each of them, once it has guessed, waits.
- Counts are written in a short transaction of their own, on a connection of their own, and
  committed at once (``transaction.separate_transaction``): a failed sign-in is counted even
  though its request answers 401 or 429 and so rolls back its own work. They are written
  before the request writes anything itself (SQLite has one writer at a time).
- Events are rows of ``login_attempts``, so every worker process counts the same. Keys are
  HMAC-SHA256 under a key derived from SECRET_KEY: no e-mail or address is stored, and a copy of
  the table cannot be matched against a list of them. Rows go once older than every window.
- An IPv6 address counts by its /64 network, which one subscriber usually holds whole.
"""

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from eduapp.accounts.models import LoginAttempt
from eduapp.accounts.services import normalise_email
from eduapp.extensions import db, utcnow
from eduapp.transaction import separate_transaction

#: Doubling stops long before this; it only keeps the power small.
_MAX_DOUBLINGS = 30


@dataclass(frozen=True)
class _Counter:
    """One throttle's key, and the config names of its allowance and window."""

    key_hash: str
    allowance: str
    window: str = "THROTTLE_WINDOW_SECONDS"


def _keyed_hash(kind: str, value: str) -> str:
    """HMAC of a kind and a value (an e-mail, an address) under a key kept for this purpose."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    key = hmac.new(secret, b"eduapp.accounts.throttle", hashlib.sha256).digest()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _network(address: str) -> str:
    """The address as counted: IPv4 as it is, IPv6 by its /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _account_address(email: str, address: str) -> _Counter:
    value = f"{normalise_email(email)} {_network(address)}"
    return _Counter(_keyed_hash("account-address", value), "LOGIN_FAILURES_PER_ACCOUNT_ADDRESS")


def _account(email: str) -> _Counter:
    return _Counter(_keyed_hash("account", normalise_email(email)), "LOGIN_FAILURES_PER_ACCOUNT")


def _address(address: str) -> _Counter:
    return _Counter(_keyed_hash("address", _network(address)), "LOGIN_FAILURES_PER_ADDRESS")


def _password_change(user_id: int) -> _Counter:
    return _Counter(_keyed_hash("password-change", str(user_id)), "PASSWORD_CHANGE_FAILURES")


def _sign_up(address: str) -> _Counter:
    return _Counter(
        _keyed_hash("sign-up", _network(address)), "SIGNUPS_PER_ADDRESS", "SIGNUP_WINDOW_SECONDS"
    )


def _reset_from(address: str) -> _Counter:
    return _Counter(_keyed_hash("reset-from", _network(address)), "PASSWORD_RESETS_PER_ADDRESS")


def _reset_for(email: str) -> _Counter:
    return _Counter(_keyed_hash("reset-for", normalise_email(email)), "PASSWORD_RESETS_PER_EMAIL")


def _state(counter: _Counter) -> tuple[int, int]:
    """(events in the window, whole seconds still to wait) for one counter."""
    config = current_app.config
    now = utcnow()
    events, last = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(LoginAttempt.created_at)).where(
            LoginAttempt.key_hash == counter.key_hash,
            LoginAttempt.created_at >= now - timedelta(seconds=config[counter.window]),
        )
    ).one()
    over = events - config[counter.allowance]
    if over < 0 or last is None:
        return events, 0
    delay = min(config["THROTTLE_MAX_DELAY_SECONDS"], 2 ** min(over + 1, _MAX_DOUBLINGS))
    return events, max(0, math.ceil((last + timedelta(seconds=delay) - now).total_seconds()))


def _count(*counters: _Counter, is_failure: bool = True) -> None:
    """Record one event on each counter and drop rows older than every window, committed at
    once on a connection of their own: the count must stand even if the request fails."""
    config = current_app.config
    now = utcnow()
    longest = max(config["THROTTLE_WINDOW_SECONDS"], config["SIGNUP_WINDOW_SECONDS"])
    with separate_transaction() as connection:
        connection.execute(
            sa.insert(LoginAttempt),
            [
                {"key_hash": c.key_hash, "is_failure": is_failure, "created_at": now}
                for c in counters
            ],
        )
        connection.execute(
            sa.delete(LoginAttempt).where(
                LoginAttempt.created_at < now - timedelta(seconds=longest)
            )
        )


def _clear(counter: _Counter) -> None:
    with separate_transaction() as connection:
        connection.execute(sa.delete(LoginAttempt).where(LoginAttempt.key_hash == counter.key_hash))


def sign_in_wait(email: str, address: str) -> int:
    """Seconds before this address may try a password for this account again; 0: now.

    The same for an unknown e-mail as for a known one (SECURITY.md row 13).
    """
    pair_failures, pair_wait = _state(_account_address(email, address))
    waits = [pair_wait, _state(_address(address))[1]]
    if pair_failures:  # an account's failures slow only the addresses that failed for it
        waits.append(_state(_account(email))[1])
    return max(waits)


def sign_in_failed(email: str, address: str) -> None:
    _count(_account_address(email, address), _account(email), _address(address))


def sign_in_succeeded(email: str, address: str) -> None:
    """The right password from this address: its failures for this account are forgotten."""
    _clear(_account_address(email, address))


def password_change_wait(user_id: int) -> int:
    return _state(_password_change(user_id))[1]


def password_change_failed(user_id: int) -> None:
    _count(_password_change(user_id))


def password_change_succeeded(user_id: int) -> None:
    _clear(_password_change(user_id))


def sign_up_wait(address: str) -> int:
    return _state(_sign_up(address))[1]


def signed_up(address: str) -> None:
    _count(_sign_up(address), is_failure=False)


def password_reset_wait(email: str, address: str) -> int:
    """Seconds before this address may ask for a reset link, or anyone for this e-mail again:
    the same for an address without an account as for one with (SECURITY.md row 33)."""
    return max(_state(_reset_from(address))[1], _state(_reset_for(email))[1])


def password_reset_asked(email: str, address: str) -> None:
    _count(_reset_from(address), _reset_for(email), is_failure=False)


def keys_naming(email: str, user_id: int) -> list[str]:
    """The keys that name one account (by its address or its id), for erasing its rows.

    Keys of an account *and* a network cannot be found without the network; they go by
    themselves once older than the window.
    """
    return [
        _account(email).key_hash,
        _password_change(user_id).key_hash,
        _reset_for(email).key_hash,
    ]


def describe_wait(seconds: int) -> str:
    """A wait in words: "2 seconds", "1 minute", "15 minutes"."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
