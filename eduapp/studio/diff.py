"""Line-by-line comparison of two versions of a text, for reviewing a draft side by side.

difflib does the matching; this module pairs the lines up into rows, highlights the words that
changed inside a changed line and folds long unchanged stretches away.
"""

import difflib
import re
from dataclasses import dataclass
from typing import Literal

#: Unchanged lines kept on each side of a change; longer unchanged runs are folded.
CONTEXT = 3
#: Lines longer than this are marked changed as a whole: word matching them would be slow.
MAX_HIGHLIGHT_CHARS = 2000
#: Below this similarity (of words, spaces and signs) a changed line is a rewrite, marked whole.
MIN_HIGHLIGHT_RATIO = 0.4

_WORD_RE = re.compile(r"\w+|\s+|[^\w\s]")

Kind = Literal["same", "changed", "added", "removed", "skipped"]
Segments = tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class DiffRow:
    """One row of the side-by-side table. Numbers count from 1 and are None on the empty side.

    A 'changed' row pairs an old line with the new line that replaced it; its ``old_segments``
    and ``new_segments`` split each text into (text, is_change) pieces. A 'skipped' row stands
    for ``hidden`` unchanged lines.
    """

    kind: Kind
    old_number: int | None
    old_text: str
    new_number: int | None
    new_text: str
    old_segments: Segments = ()
    new_segments: Segments = ()
    hidden: int = 0


@dataclass(frozen=True)
class DiffSummary:
    """How many lines were added, removed and changed (a changed line counts once)."""

    added: int
    removed: int
    changed: int

    @property
    def is_same(self) -> bool:
        return not (self.added or self.removed or self.changed)


def split_lines(text: str) -> list[str]:
    """Lines as the scenario engine numbers them: ``\\r\\n`` and ``\\n`` alike, BOM dropped.

    A final newline ends the last line rather than starting an empty one.
    """
    text = text.removeprefix("\ufeff")
    if not text:
        return []
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines[-1] == "":
        lines.pop()
    return lines


def side_by_side(old: str, new: str, *, context: int = CONTEXT) -> list[DiffRow]:
    """Rows comparing ``old`` with ``new``; unchanged runs longer than ``2 * context`` lines
    keep ``context`` lines next to each change and fold the rest into one 'skipped' row."""
    return _fold(_rows(split_lines(old), split_lines(new)), context)


def summary(old: str, new: str) -> DiffSummary:
    """Counts of added, removed and changed lines between ``old`` and ``new``."""
    counts = {"added": 0, "removed": 0, "changed": 0}
    for row in _rows(split_lines(old), split_lines(new)):
        if row.kind in counts:
            counts[row.kind] += 1
    return DiffSummary(**counts)


def _rows(old: list[str], new: list[str]) -> list[DiffRow]:
    # autojunk would treat common lines (blank ones, "speaker: patient") of long files as noise.
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    rows = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [
                DiffRow("same", i + 1, old[i], j + 1, new[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            old_segments, new_segments = _highlight(old[i1 + k], new[j1 + k])
            rows.append(
                DiffRow(
                    "changed",
                    i1 + k + 1,
                    old[i1 + k],
                    j1 + k + 1,
                    new[j1 + k],
                    old_segments,
                    new_segments,
                )
            )
        rows += [DiffRow("removed", i + 1, old[i], None, "") for i in range(i1 + paired, i2)]
        rows += [DiffRow("added", None, "", j + 1, new[j]) for j in range(j1 + paired, j2)]
    return rows


def _highlight(old: str, new: str) -> tuple[Segments, Segments]:
    """Each line cut into (text, is_change) pieces, word by word."""
    whole = (((old, True),) if old else ()), (((new, True),) if new else ())
    if len(old) > MAX_HIGHLIGHT_CHARS or len(new) > MAX_HIGHLIGHT_CHARS:
        return whole
    old_words, new_words = _WORD_RE.findall(old), _WORD_RE.findall(new)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    if matcher.ratio() < MIN_HIGHLIGHT_RATIO:
        return whole
    old_parts: list[tuple[str, bool]] = []
    new_parts: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        _append(old_parts, "".join(old_words[i1:i2]), tag != "equal")
        _append(new_parts, "".join(new_words[j1:j2]), tag != "equal")
    return tuple(old_parts), tuple(new_parts)


def _append(parts: list[tuple[str, bool]], text: str, is_change: bool) -> None:
    if is_change and text.strip():
        # Spaces around a changed word are not the change; marking them looks like a typo.
        core = text.strip()
        before, after = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        for piece, changed in ((before, False), (core, True), (after, False)):
            _merge(parts, piece, changed)
    else:
        _merge(parts, text, is_change)


def _merge(parts: list[tuple[str, bool]], text: str, is_change: bool) -> None:
    if not text:
        return
    if parts and parts[-1][1] == is_change:
        parts[-1] = (parts[-1][0] + text, is_change)
    else:
        parts.append((text, is_change))


def _fold(rows: list[DiffRow], context: int) -> list[DiffRow]:
    folded: list[DiffRow] = []
    start = 0
    while start < len(rows):
        if rows[start].kind != "same":
            folded.append(rows[start])
            start += 1
            continue
        end = start
        while end < len(rows) and rows[end].kind == "same":
            end += 1
        keep_before = context if start > 0 else 0  # a change comes before this run
        keep_after = context if end < len(rows) else 0  # a change comes after it
        if end - start > 2 * context:
            hidden_from, hidden_to = start + keep_before, end - keep_after
            folded += rows[start:hidden_from]
            folded.append(DiffRow("skipped", None, "", None, "", hidden=hidden_to - hidden_from))
            folded += rows[hidden_to:end]
        else:
            folded += rows[start:end]
        start = end
    return folded
