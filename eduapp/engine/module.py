"""Course modules: a header of outcomes and scenario ids, then a reading and references."""

from dataclasses import dataclass

from ._header import check_id, first, read_authors, read_header, require
from ._text import blocks, check_size, clean_text, parse_number, split_lines, unescape
from .problems import ContentError, Problem
from .scenario import Author

_SINGLE_KEYS = ("id", "title", "order", "summary", "licence")
_REPEATABLE_KEYS = ("outcome", "scenario", "author")
_SECTIONS = ("reading", "references")
#: In a section only a line starting with "::" means something, so only that is escaped.
SECTION_SPECIALS = ("::",)


@dataclass(frozen=True)
class Module:
    """One module of the course, in the order given by ``order``."""

    id: str
    title: str
    order: int
    summary: str
    outcomes: tuple[str, ...]
    scenarios: tuple[str, ...]
    authors: tuple[Author, ...]
    licence: str
    reading: str
    references: str = ""


def parse_module(text: str, filename: str = "<text>") -> Module:
    """Parse a module file; raise ContentError listing every problem."""
    check_size(text, filename)
    lines = split_lines(text)
    problems: list[Problem] = []
    starts = [index for index, line in enumerate(lines) if line.startswith("::")]
    header_end = starts[0] if starts else len(lines)
    entries = read_header(lines[:header_end], filename, problems, _SINGLE_KEYS, _REPEATABLE_KEYS)
    require(entries, ("id", "title", "order", "summary", "licence", "outcome"), filename, problems)
    check_id(entries, filename, problems)
    order = 0
    for number, value in entries.get("order", []):
        parsed = parse_number(value)
        if parsed is None and value:
            problems.append(
                Problem(filename, number, f"'order:' must be a whole number, not '{value}'.")
            )
        order = parsed or 0
    authors = read_authors(entries, filename, problems)
    sections = _sections(lines, starts, filename, problems)
    if "reading" not in sections:
        problems.append(
            Problem(filename, header_end + 1, "The module has no ':: reading' section.")
        )
    elif not sections["reading"][1]:
        problems.append(
            Problem(filename, sections["reading"][0], "The ':: reading' section is empty.")
        )
    if problems:
        raise ContentError(sorted(problems, key=lambda problem: problem.line))
    return Module(
        id=first(entries, "id"),
        title=first(entries, "title"),
        order=order,
        summary=first(entries, "summary"),
        outcomes=tuple(value for _, value in entries.get("outcome", [])),
        scenarios=tuple(value for _, value in entries.get("scenario", [])),
        authors=authors,
        licence=first(entries, "licence"),
        reading=sections["reading"][1],
        references=sections.get("references", (0, ""))[1],
    )


def _sections(
    lines: list[str], starts: list[int], filename: str, problems: list[Problem]
) -> dict[str, tuple[int, str]]:
    """Each section's header line number and text, by name."""
    sections: dict[str, tuple[int, str]] = {}
    for begin, end in blocks(starts, len(lines)):
        name = lines[begin][2:].strip()
        if name not in _SECTIONS:
            problems.append(
                Problem(
                    filename, begin + 1, f"Unknown section ':: {name}' (use reading or references)."
                )
            )
        elif name in sections:
            problems.append(Problem(filename, begin + 1, f"The section ':: {name}' appears twice."))
        else:
            text = clean_text(unescape(line, SECTION_SPECIALS) for line in lines[begin + 1 : end])
            sections[name] = (begin + 1, text)
    return sections
