"""Line-level helpers shared by the scenario, module and assessment parsers and the serializer."""

import re
from collections.abc import Iterable

from .problems import ContentError, Problem

#: Files above this size are refused before any parsing (SECURITY.md row 22): room for a
#: scenario of MAX_NODES nodes of a few sentences each (docs/performance.md, "Big scenarios").
MAX_FILE_BYTES = 2 * 1024 * 1024
#: MAX_FILE_BYTES as the refusals say it.
MAX_FILE_SIZE_TEXT = "2 MB"
#: Whole numbers in content are kept short so no conversion or arithmetic can blow up.
MAX_DIGITS = 9

ID_RE = re.compile(r"[a-z0-9-]{3,64}")
NUMBER_RE = re.compile(r"-?[0-9]+")

#: Starts of lines that mean something in a body, debrief or reading, so must be escaped.
BODY_SPECIALS = ("[[", "::", "debrief:")
#: Starts of indented lines that mean something under a choice.
CHOICE_SPECIALS = ("if:", "set:", "feedback:")
#: Starts of an assessment question's option lines: a correct one, or not.
OPTION_MARKS = ("- [x]", "- [X]", "- [ ]")
#: Named parts of an assessment question, each starting with ``name:`` at the start of a line.
QUESTION_PARTS = (
    "rubric",
    "model answer",
    "situation",
    "hypothesis",
    "new information",
    "panel",
    "feedback",
)
#: Starts of lines that mean something in a question's Markdown, so must be escaped there.
QUESTION_SPECIALS = ("::", *OPTION_MARKS, *(f"{name}:" for name in QUESTION_PARTS))
#: Starts of indented lines that mean something under an option.
OPTION_SPECIALS = ("feedback:",)


def split_lines(text: str) -> list[str]:
    """Split on ``\\n`` only (never on other Unicode breaks), dropping ``\\r`` and a BOM."""
    text = text.removeprefix("\ufeff")
    return [line.removesuffix("\r") for line in text.split("\n")]


def check_size(text: str, filename: str) -> None:
    """Refuse oversized text before spending any work on it."""
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ContentError(
            [
                Problem(
                    filename,
                    1,
                    f"This file is larger than {MAX_FILE_SIZE_TEXT}; split it into smaller files.",
                )
            ]
        )


def blocks(starts: list[int], total: int) -> list[tuple[int, int]]:
    """(begin, end) line indexes of each block that starts at one of ``starts``."""
    return list(zip(starts, [*starts[1:], total][: len(starts)], strict=True))


def clean_text(lines: Iterable[str]) -> str:
    """Join lines, dropping trailing spaces and blank lines at either end, keeping inner ones."""
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def escape(line: str, specials: tuple[str, ...]) -> str:
    """Add one backslash to a line that would otherwise read as syntax (or as an escape)."""
    if line.lstrip("\\").startswith(specials):
        return "\\" + line
    return line


def unescape(line: str, specials: tuple[str, ...]) -> str:
    """Undo :func:`escape`: ``\\[[`` reads as ``[[``, ``\\\\[[`` as ``\\[[``."""
    if line.startswith("\\") and line.lstrip("\\").startswith(specials):
        return line[1:]
    return line


def parse_number(text: str) -> int | None:
    """A whole number of at most MAX_DIGITS digits, or None."""
    if NUMBER_RE.fullmatch(text) and len(text.lstrip("-")) <= MAX_DIGITS:
        return int(text)
    return None


def split_key(line: str) -> tuple[str, str] | None:
    """``key: value`` as a pair, or None when the line has no colon."""
    key, colon, value = line.partition(":")
    if not colon:
        return None
    return key.strip(), value.strip()
