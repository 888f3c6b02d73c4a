"""What the scenario, module and assessment parsers read alike.

The ``key: value`` header at the top of every file, and in scenarios and assessments each
``::`` section's ``:: id | Title`` line and the ``key: value`` attributes under it.
"""

import re

from ._text import ID_RE, split_key
from .problems import Problem
from .scenario import AUTHOR_KINDS, Author

Entries = dict[str, list[tuple[int, str]]]

#: The longest title of a scenario, module or assessment: the size of the title columns that
#: every revision and published version keeps it in (the studio's title fields share it).
MAX_TITLE_CHARS = 200
#: Header values that are stored in a column of limited size, with that size.
_MAX_CHARS = {"title": MAX_TITLE_CHARS}
#: The id after ``::`` of a scenario's node or an assessment's question.
SECTION_ID_RE = re.compile(r"[a-z0-9_-]{1,64}")
_ATTRIBUTE_RE = re.compile(r"[a-z]+:(\s|$)")


def read_header(
    lines: list[str],
    filename: str,
    problems: list[Problem],
    single: tuple[str, ...],
    repeatable: tuple[str, ...],
) -> Entries:
    """Collect header entries by key, reporting unknown, repeated and empty ones.

    ``var name = value`` lines have no colon after the key and are read as key ``var``.
    """
    entries: Entries = {}
    known = single + repeatable
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pair = ("var", line[4:].strip()) if line.startswith("var ") else split_key(line)
        if pair is None or not pair[0]:
            problems.append(
                Problem(filename, number, "A header line should look like 'key: value'.")
            )
            continue
        key, value = pair
        if key not in known:
            listed = ", ".join(known)
            problems.append(
                Problem(filename, number, f"Unknown header key '{key}' (known: {listed}).")
            )
            continue
        if key in single and key in entries:
            first = entries[key][0][0]
            problems.append(
                Problem(filename, number, f"'{key}:' appears twice (first on line {first}).")
            )
            continue
        limit = _MAX_CHARS.get(key)
        if not value:
            problems.append(Problem(filename, number, f"'{key}:' is empty."))
        elif limit is not None and len(value) > limit:
            message = f"'{key}:' is {len(value):,} characters long; the limit is {limit}."
            problems.append(Problem(filename, number, message))
        entries.setdefault(key, []).append((number, value))
    return entries


def require(
    entries: Entries, keys: tuple[str, ...], filename: str, problems: list[Problem]
) -> None:
    """Report each of ``keys`` that the header lacks."""
    for key in keys:
        if key not in entries:
            problems.append(Problem(filename, 1, f"The header has no '{key}:' line."))


def first(entries: Entries, key: str) -> str:
    """The value of a single key, or "" when it is missing."""
    return entries[key][0][1] if key in entries else ""


def check_id(entries: Entries, filename: str, problems: list[Problem]) -> None:
    """Report an id that is not 3 to 64 lowercase letters, digits and '-'."""
    for number, value in entries.get("id", []):
        if value and not ID_RE.fullmatch(value):
            problems.append(
                Problem(
                    filename,
                    number,
                    f"The id '{value}' may use only lowercase letters, digits and '-', "
                    "3 to 64 characters.",
                )
            )


def read_authors(entries: Entries, filename: str, problems: list[Problem]) -> tuple[Author, ...]:
    """Parse every ``author: kind | credit`` line."""
    authors = []
    for number, value in entries.get("author", []):
        kind, bar, credit = (part.strip() for part in value.partition("|"))
        if not bar or not credit:
            problems.append(
                Problem(filename, number, "Write an author as 'author: kind | credit by role'.")
            )
        elif kind not in AUTHOR_KINDS:
            allowed = ", ".join(AUTHOR_KINDS)
            problems.append(
                Problem(filename, number, f"Unknown author kind '{kind}' (use one of: {allowed}).")
            )
        else:
            authors.append(Author(kind, credit))
    if "author" not in entries:
        problems.append(Problem(filename, 1, "The header has no 'author:' line; add at least one."))
    return tuple(authors)


class SectionReader:
    """Reads the start of a ``::`` section: its ``:: id | Title`` line and attributes.

    Problems are reported at 0-based line indexes into ``lines``. A subclass says what its
    sections are (``noun``), which attributes they take, what its text is called in messages
    and which lines end the attributes although they look like one.
    """

    noun = "section"
    attribute_names: tuple[str, ...] = ()
    text_name = "text"

    def __init__(self, lines: list[str], filename: str, problems: list[Problem]) -> None:
        self.lines = lines
        self.filename = filename
        self.problems = problems

    def report(self, index: int, message: str) -> None:
        self.problems.append(Problem(self.filename, index + 1, message))

    def ends_attributes(self, line: str) -> bool:
        """Whether a line shaped like ``key: value`` starts the section's content instead."""
        return False

    def head(self, begin: int) -> tuple[str, str]:
        """The section's id and title, from its ``:: id | Title`` line."""
        section_id, bar, title = (part.strip() for part in self.lines[begin][2:].partition("|"))
        if not SECTION_ID_RE.fullmatch(section_id):
            self.report(
                begin,
                f"The {self.noun} id '{section_id}' may use only lowercase letters, digits, "
                "'-' and '_' (1 to 64 characters).",
            )
        if not bar or not title:
            self.report(
                begin,
                f"{self.noun.capitalize()} '{section_id}' needs a title: "
                f"write ':: {section_id} | Title'.",
            )
        return section_id, title

    def attributes(self, index: int, end: int) -> tuple[int, dict[str, tuple[int, str]]]:
        """The index of the line after the attributes, and each by name: (line index, value)."""
        found: dict[str, tuple[int, str]] = {}
        while index < end and self.lines[index].strip():
            line = self.lines[index]
            if not _ATTRIBUTE_RE.match(line) or self.ends_attributes(line):
                break
            key, value = split_key(line) or ("", "")
            if key not in self.attribute_names:
                *others, last = self.attribute_names
                self.report(
                    index,
                    f"Unknown {self.noun} attribute '{key}:' (use {', '.join(others)} or {last}). "
                    f"To start the {self.text_name} with it, leave a blank line first.",
                )
            elif key in found:
                self.report(index, f"'{key}:' appears twice in this {self.noun}.")
            elif not value:
                self.report(index, f"'{key}:' is empty.")
            else:
                found[key] = (index, value)
            index += 1
        return index, found
