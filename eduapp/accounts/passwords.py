"""Password hashing (argon2id) and the strength rule."""

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 256
#: zxcvbn refuses to judge more than 72 characters (SECURITY.md row 32), so strength is judged
#: on the first 72: the rest of a longer passphrase can only add to it.
_STRENGTH_WINDOW = 72


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str) -> None:
    """Spend the time a real check would, so an unknown e-mail is not told apart by timing."""
    verify_password(_dummy_hash(), password)


_dummy_cache: dict[tuple, str] = {}


def _dummy_hash() -> str:
    key = (current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_COST"])
    if key not in _dummy_cache:
        _dummy_cache[key] = hash_password("not-a-real-password-for-timing")
    return _dummy_cache[key]


def password_problem(password: str, *context: str) -> str | None:
    """Why this password is refused, or None. Common and guessable passwords are refused;
    anything from MIN_LENGTH to MAX_LENGTH characters that is not gets through."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters; a few unrelated words work well."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    result = zxcvbn(password[:_STRENGTH_WINDOW], user_inputs=[c for c in context if c])
    if result["score"] < 3:
        return (
            "This password is too common or easy to guess. "
            "Try a passphrase of three or four unrelated words."
        )
    return None
