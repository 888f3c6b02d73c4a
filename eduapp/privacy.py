"""The registry of personal data: every table that holds a person's words or identity says so.

Each model declares, next to its columns, a ``personal_data`` tuple:

- ``Personal`` entries: rows that belong to a person through the ``owner`` column; which columns
  their download shows, in which section; and what erasure does to those rows, and why;
- ``NotPersonal`` entries: columns that hold nobody's words or identity, and why.

The data download (``mydata.export``) builds its sections from these entries, and erasure
(``mydata.services.erase_learner``) applies every one of them. A test walks the metadata: a
table or column holding a user id or text without an entry fails it (SECURITY.md row 27).
This module imports nothing of the app's, so that every model module can use it.
"""

import enum
from collections.abc import Iterator
from dataclasses import dataclass

#: What erasure writes over a person's words (an empty text stays empty).
ERASED_TEXT = "[erased]"


class Erasure(enum.StrEnum):
    """What erasure does to the rows a person owns through an entry."""

    #: The rows are theirs alone (a reflection, a notification to them): they are deleted.
    DELETE = "delete"
    #: The rows stay, because others' records hang on them (a comment thread, a draft's history,
    #: a sign-off); the ``blank`` columns, their words, are replaced.
    BLANK = "blank"
    #: The account row: it keeps its id, so that counts stay true, and its ``blank`` columns get
    #: values that name nobody (``mydata.services`` says which).
    PSEUDONYMISE = "pseudonymise"
    #: The rows stay as they are: ids, numbers, times and course identifiers, which name nobody
    #: once the account row is erased.
    KEEP = "keep"


class Names(enum.StrEnum):
    """How the owner column names the person."""

    #: Their user id, or a foreign key to a row whose own entry says whose it is.
    ID = "id"
    #: Their e-mail address (lower-cased, as accounts store it).
    EMAIL = "email"
    #: Their e-mail address, once they proved it is theirs: what is addressed to it (an
    #: invitation) belongs to the address's confirmed owner (SECURITY.md row 30).
    CONFIRMED_EMAIL = "confirmed email"
    #: The sign-in throttle's keyed hash of their address (``accounts.throttle``).
    ACCOUNT_KEY = "account key"


@dataclass(frozen=True)
class Personal:
    """Rows of the table that belong to a person, and what becomes of them."""

    owner: str
    erasure: Erasure
    #: Why this treatment: what the rows are for, and what is left of the person afterwards.
    why: str
    #: The download's section that holds these rows; None: not in the download (``why`` says why).
    section: str | None = None
    #: Columns the download shows.
    shows: tuple[str, ...] = ()
    #: Columns that erasure replaces (BLANK and PSEUDONYMISE).
    blank: tuple[str, ...] = ()
    #: What BLANK writes over each ``blank`` text (text inside JSON too).
    replacement: str = ERASED_TEXT
    #: Columns of the person's rows kept out of the download (secrets), gone with the rows.
    withheld: tuple[str, ...] = ()
    names: Names = Names.ID


@dataclass(frozen=True)
class NotPersonal:
    """Columns that hold neither a person's words nor their identity."""

    columns: tuple[str, ...]
    why: str


def declarations(model) -> tuple:
    """A model's entries: Personal and NotPersonal. Empty for a model that declares none."""
    return tuple(getattr(model, "personal_data", ()))


def personal_entries(model) -> Iterator[Personal]:
    return (entry for entry in declarations(model) if isinstance(entry, Personal))


def said_columns(model) -> set[str]:
    """Every column the model's entries account for."""
    said = set()
    for entry in declarations(model):
        if isinstance(entry, NotPersonal):
            said.update(entry.columns)
        else:
            said.update((entry.owner, *entry.shows, *entry.blank, *entry.withheld))
    return said
