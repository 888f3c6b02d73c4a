"""Writes for a learner's own data: asking for erasure, and an admin carrying it out."""

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.audit.services import record
from eduapp.extensions import db, utcnow
from eduapp.mydata import registry
from eduapp.mydata.models import ErasureRequest
from eduapp.mydata.queries import pending_erasure_request
from eduapp.privacy import Erasure, Personal

ERASED_NAME = "Erased learner"
#: Not an argon2 hash: no password ever verifies against it.
UNUSABLE_HASH = "!erased"


class ErasureError(ValueError):
    """An erasure refused, with a message for the admin."""


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@invalid.example"


def request_erasure(user: User) -> bool:
    """Ask for this learner's data to be erased. False if a request is pending already."""
    if pending_erasure_request(user) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(ErasureRequest(user_id=user.id))
    except sa.exc.IntegrityError:  # a second request raced this one: one is pending
        return False
    return True


def erase_learner(user: User, admin: User) -> None:
    """Apply every entry of the personal-data registry to this learner, in one transaction.

    Their rows are deleted, their words blanked, and the account row keeps its id (and
    profession) under values that name nobody, so their attempts still count in cohort
    figures and "how others chose". Nobody else's records change (SECURITY.md rows 27-28).
    """
    if user.id == admin.id:
        raise ErasureError("Nobody erases their own account; ask another administrator.")
    if user.erased_at is not None:
        raise ErasureError("This account was erased already.")
    now = utcnow()
    entries = registry.entries()
    # Children before parents, so that a row goes before the row it hangs on.
    for table, entry in reversed(entries):
        if entry.erasure is Erasure.DELETE:
            db.session.execute(sa.delete(table).where(registry.owned_by(table, entry, user)))
        elif entry.erasure is Erasure.BLANK:
            _blank(table, entry, user)
    # Last, as rows are found by the learner's address until then.
    for _, entry in entries:
        if entry.erasure is Erasure.PSEUDONYMISE:
            _pseudonymise(entry, user)
    user.erased_at = now
    db.session.execute(
        sa.update(ErasureRequest)
        .where(ErasureRequest.user_id == user.id, ErasureRequest.carried_out_at.is_(None))
        .values(carried_out_at=now, carried_out_by_id=admin.id)
    )
    record("erased", actor=admin, subject=user)
    db.session.flush()


def _pseudonymise(entry: Personal, user: User) -> None:
    """The account row's identifying columns, as the registry lists them."""
    values = {
        "email": erased_email(user.id),
        "display_name": ERASED_NAME,
        "password_hash": UNUSABLE_HASH,
    }
    for column in entry.blank:
        setattr(user, column, values[column])


def _blank(table: sa.Table, entry: Personal, user: User) -> None:
    """Replace the entry's columns in the learner's rows: text whole, JSON piece by piece
    (numbers and indices stay, so scores still add up)."""
    owned = registry.owned_by(table, entry, user)
    texts = {}
    for name in entry.blank:
        column = table.c[name]
        if isinstance(column.type, sa.JSON):
            _blank_json(table, column, owned, entry.replacement)
        else:
            empty = sa.or_(column.is_(None), column == "")
            texts[name] = sa.case((empty, column), else_=sa.literal(entry.replacement))
    if texts:
        db.session.execute(sa.update(table).where(owned).values(texts))


def _blank_json(table: sa.Table, column: sa.Column, owned, replacement: str) -> None:
    key = list(table.primary_key.columns)
    for *ids, value in db.session.execute(sa.select(*key, column).where(owned)).all():
        erased = _erase_strings(value, replacement)
        if erased != value:
            match = [part == id_ for part, id_ in zip(key, ids, strict=True)]
            db.session.execute(sa.update(table).where(*match).values({column.name: erased}))


def _erase_strings(value, replacement: str):
    """The same value with every piece of text replaced."""
    if isinstance(value, str):
        return replacement
    if isinstance(value, dict):
        return {key: _erase_strings(item, replacement) for key, item in value.items()}
    if isinstance(value, list):
        return [_erase_strings(item, replacement) for item in value]
    return value
