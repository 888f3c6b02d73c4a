"""The personal-data registry (``eduapp.privacy``) as the download and erasure read it: every
entry with its table, the download's sections, and the rows of a table that are one person's."""

from collections import defaultdict

import sqlalchemy as sa

from eduapp.accounts import throttle
from eduapp.accounts.models import User
from eduapp.accounts.queries import has_verified_address
from eduapp.extensions import db
from eduapp.models import metadata
from eduapp.privacy import Names, Personal, personal_entries


def models_by_table() -> dict[str, type]:
    """Table name -> its model, for every mapped model."""
    return {mapper.local_table.name: mapper.class_ for mapper in db.Model.registry.mappers}


def entries() -> list[tuple[sa.Table, Personal]]:
    """Every Personal entry with its table, parents before children."""
    models = models_by_table()
    return [
        (table, entry)
        for table in metadata.sorted_tables
        if table.name in models
        for entry in personal_entries(models[table.name])
    ]


def sections() -> dict[str, list[tuple[sa.Table, Personal]]]:
    """The download's sections, in the order their first table comes, with their entries."""
    grouped = defaultdict(list)
    for table, entry in entries():
        if entry.section is not None:
            grouped[entry.section].append((table, entry))
    return dict(grouped)


def throttle_keys(user: User) -> list[str]:
    """The sign-in throttle's keys that name this account."""
    return throttle.keys_naming(user.email, user.id)


def owned_by(table: sa.Table, entry: Personal, user: User) -> sa.ColumnElement[bool]:
    """The rows of ``table`` that belong to ``user`` through ``entry``."""
    column = table.c[entry.owner]
    if entry.names is Names.EMAIL:
        return column == user.email
    if entry.names is Names.CONFIRMED_EMAIL:
        return column == user.email if has_verified_address(user) else sa.false()
    if entry.names is Names.ACCOUNT_KEY:
        return column.in_(throttle_keys(user))
    users = User.__table__
    if column is users.c.id or column.references(users.c.id):
        return column == user.id
    [key] = column.foreign_keys
    parent = key.column.table
    parent_entries = list(personal_entries(models_by_table()[parent.name]))
    if not parent_entries:
        raise LookupError(f"{table.name}.{entry.owner}: {parent.name} says nothing of whose it is")
    return column.in_(
        sa.select(key.column).where(sa.or_(*(owned_by(parent, e, user) for e in parent_entries)))
    )
