"""Line-by-line comparison of two versions of a text, for reviewing a draft side by side.

The matching costs a bounded amount of work whatever the texts (SECURITY.md row 25). A stretch
of lines with few enough pairs of equal lines is compared exactly (a longest common
subsequence, one step per pair); a larger one is cut at the lines found once on each side (as
patience diff does) and each piece is compared in the same way; a piece beyond the budget, or
with no such line, is shown as removed lines followed by added lines. Every line of both texts
appears in order either way, so the rows always turn the old text into the new one. This module
then pairs the lines up into rows, highlights the words that changed inside a changed line and
folds long unchanged stretches away."""

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

#: Unchanged lines kept on each side of a change; longer unchanged runs are folded.
CONTEXT = 3
#: Texts with more lines than this (either one) are not compared: the page says so. The
#: largest scenario (2 MB, 5,000 nodes) written as prose has about 60,000 lines; 2 MB of
#: lines of 17 characters on average still compare.
MAX_COMPARED_LINES = 120_000
#: Work allowed for matching the lines of one comparison, in steps: one line compared or
#: counted, or one pair of equal lines weighed.
MAX_MATCH_STEPS = 2_000_000
#: A stretch is compared exactly (a longest common subsequence) when it holds at most this
#: many pairs of equal lines; a stretch with more is cut at the lines it has once on each
#: side (as patience diff does), or, with no such line, shown as removed and added lines.
MAX_EXACT_PAIRS = 100_000
#: Rows a page shows at most (after folding); it says how many more there are.
MAX_SHOWN_ROWS = 5_000
#: Lines longer than this are marked changed as a whole: word matching them would be slow.
MAX_HIGHLIGHT_CHARS = 2000
#: Word matching work for one changed line, and for all the changed lines of one comparison;
#: past it, a changed line is marked changed as a whole.
MAX_HIGHLIGHT_STEPS_PER_LINE = 20_000
MAX_HIGHLIGHT_STEPS = 1_000_000
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


@dataclass(frozen=True)
class Comparison:
    """What a page shows of a comparison: its rows, its counts, and why anything is missing.

    ``summary`` is None when the texts were too long to compare (``line_counts`` says how
    long). ``steps`` is the matching work spent, lines and words, for tests and the benchmark.
    """

    rows: list[DiffRow]
    summary: DiffSummary | None
    rows_not_shown: int = 0
    is_line_by_line: bool = True
    line_counts: tuple[int, int] = (0, 0)
    steps: int = 0

    @property
    def notes(self) -> list[str]:
        """Sentences telling the reader what the table leaves out, if anything."""
        notes = []
        if self.summary is None:
            old, new = self.line_counts
            notes.append(
                f"These texts are too large to compare line by line: they have {old:,} and "
                f"{new:,} lines, and comparisons stop at {MAX_COMPARED_LINES:,} lines."
            )
        if not self.is_line_by_line:
            notes.append(
                "Parts of these texts are too large to compare line by line in reasonable "
                "time: each such part is shown as removed lines followed by added lines."
            )
        if self.rows_not_shown:
            notes.append(
                f"This comparison is too long to show whole: the first {len(self.rows):,} rows "
                f"are shown and {self.rows_not_shown:,} more are not."
            )
        return notes


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


def compare(
    old: str, new: str, *, context: int = CONTEXT, max_rows: int | None = MAX_SHOWN_ROWS
) -> Comparison:
    """``old`` against ``new`` for a page: folded rows (unchanged runs longer than
    ``2 * context`` keep ``context`` lines next to each change; at most ``max_rows`` of them,
    None for all), counts and notes."""
    old_lines, new_lines = split_lines(old), split_lines(new)
    counts = (len(old_lines), len(new_lines))
    if max(counts) > MAX_COMPARED_LINES:
        return Comparison([], None, line_counts=counts)
    plan, is_line_by_line, steps = _plan(old_lines, new_lines)
    tally = Counter(kind for kind, _, _ in plan)
    folded = _fold(plan, context)
    words = _Budget(MAX_HIGHLIGHT_STEPS)
    # Rows are made, and changed lines highlighted, only for what is shown: a page's worth.
    rows = [_row(planned, old_lines, new_lines, words) for planned in folded[:max_rows]]
    return Comparison(
        rows=rows,
        summary=DiffSummary(tally["added"], tally["removed"], tally["changed"]),
        rows_not_shown=len(folded) - len(rows),
        is_line_by_line=is_line_by_line,
        line_counts=counts,
        steps=steps + words.spent,
    )


def side_by_side(old: str, new: str, *, context: int = CONTEXT) -> list[DiffRow]:
    """The rows of :func:`compare` (at most MAX_SHOWN_ROWS; none for texts too long)."""
    return compare(old, new, context=context).rows


def summary(old: str, new: str) -> DiffSummary | None:
    """Counts of added, removed and changed lines; None for texts too long to compare."""
    return compare(old, new).summary


def matching(old: Sequence[Hashable], new: Sequence[Hashable]) -> list[tuple[int, int]]:
    """Pairs (i, j) of equal items of ``old`` and ``new``, increasing in both: a common
    subsequence found within the same bounded work as a comparison (the three-way merge in
    eduapp/studio/merge.py builds on it). Items left unmatched for want of budget count as
    changed, which a merge then shows as a conflict rather than guessing."""
    numbers: dict[Hashable, int] = {}
    a = [numbers.setdefault(item, len(numbers)) for item in old]
    b = [numbers.setdefault(item, len(numbers)) for item in new]
    return _match(a, b, _Budget(MAX_MATCH_STEPS))[0]


# -- matching ------------------------------------------------------------------------------


class _Budget:
    """Steps of work still allowed, and the steps spent so far."""

    def __init__(self, steps: int) -> None:
        self.left = steps
        self.spent = 0

    def take(self, steps: int) -> bool:
        """Spend ``steps`` if that many are left; otherwise spend nothing and say so."""
        if steps > self.left:
            return False
        self.left -= steps
        self.spent += steps
        return True


def _match(a: Sequence[Hashable], b: Sequence[Hashable], budget: _Budget):
    """Pairs (i, j) with ``a[i] == b[j]``, increasing in both, and whether every stretch was
    compared (False when one was given up for want of budget and left unmatched)."""
    pairs: list[tuple[int, int]] = []
    is_complete = True
    stretches = [(0, len(a), 0, len(b))]
    while stretches:
        alo, ahi, blo, bhi = stretches.pop()
        if alo == ahi or blo == bhi:
            continue
        if not budget.take(ahi - alo + bhi - blo):
            is_complete = False
            continue
        while alo < ahi and blo < bhi and a[alo] == b[blo]:  # the same first items
            pairs.append((alo, blo))
            alo, blo = alo + 1, blo + 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:  # the same last items
            ahi, bhi = ahi - 1, bhi - 1
            pairs.append((ahi, bhi))
        if alo == ahi or blo == bhi:
            continue
        if not budget.take(2 * (ahi - alo + bhi - blo)):
            is_complete = False
            continue
        in_b: dict[Hashable, list[int]] = {}
        for j in range(blo, bhi):
            in_b.setdefault(b[j], []).append(j)
        equal = sum(len(in_b.get(a[i], ())) for i in range(alo, ahi))
        if equal <= MAX_EXACT_PAIRS and budget.take(equal):
            # Every equal pair, by i and then j backwards: a longest run of increasing j is a
            # longest common subsequence (Hunt and Szymanski), at one step per pair.
            candidates = [(i, j) for i in range(alo, ahi) for j in reversed(in_b.get(a[i], ()))]
            pairs += _longest_increasing(candidates)
            continue
        anchors = _anchors(a, alo, ahi, in_b)
        if not anchors or not budget.take(len(anchors)):
            is_complete = False
            continue
        anchors = _longest_increasing(anchors)
        pairs += anchors
        for i, j in anchors:
            stretches.append((alo, i, blo, j))
            alo, blo = i + 1, j + 1
        stretches.append((alo, ahi, blo, bhi))
    pairs.sort()
    return pairs, is_complete


def _anchors(a, alo: int, ahi: int, in_b: dict[Hashable, list[int]]) -> list[tuple[int, int]]:
    """(i, j) for each item found exactly once in ``a[alo:ahi]`` and once in the stretch of
    ``b`` whose positions ``in_b`` lists, in the order of ``a``."""
    count: dict[Hashable, int] = {}
    for i in range(alo, ahi):
        count[a[i]] = count.get(a[i], 0) + 1
    return [
        (i, in_b[a[i]][0])
        for i in range(alo, ahi)
        if count[a[i]] == 1 and len(in_b.get(a[i], ())) == 1
    ]


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (in the order given) whose ``j`` strictly increase."""
    tails: list[int] = []  # the smallest j ending an increasing run of each length
    ends: list[int] = []  # which pair that is
    before = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        length = bisect_left(tails, j)
        if length == len(tails):
            tails.append(j)
            ends.append(index)
        else:
            tails[length], ends[length] = j, index
        before[index] = ends[length - 1] if length else -1
    run = []
    index = ends[-1] if ends else -1
    while index >= 0:
        run.append(pairs[index])
        index = before[index]
    return run[::-1]


# -- rows ----------------------------------------------------------------------------------


#: A row before it is made: (kind, old index, new index), with -1 on an empty side; a
#: 'skipped' row holds the number of lines it hides in place of the old index.
_Planned = tuple[Kind, int, int]


def _plan(old: list[str], new: list[str]) -> tuple[list[_Planned], bool, int]:
    """Every row, unfolded; whether every stretch was matched line by line; steps spent."""
    numbers: dict[str, int] = {}  # each distinct line as a number: comparing is then cheap
    a = [numbers.setdefault(line, len(numbers)) for line in old]
    b = [numbers.setdefault(line, len(numbers)) for line in new]
    budget = _Budget(MAX_MATCH_STEPS)
    pairs, is_line_by_line = _match(a, b, budget)
    plan: list[_Planned] = []
    i = j = 0
    for next_i, next_j in [*pairs, (len(old), len(new))]:
        paired = min(next_i - i, next_j - j)
        plan += [("changed", i + k, j + k) for k in range(paired)]
        plan += [("removed", k, -1) for k in range(i + paired, next_i)]
        plan += [("added", -1, k) for k in range(j + paired, next_j)]
        if next_i < len(old):
            plan.append(("same", next_i, next_j))
        i, j = next_i + 1, next_j + 1
    return plan, is_line_by_line, budget.spent


def _row(planned: _Planned, old: list[str], new: list[str], words: _Budget) -> DiffRow:
    kind, i, j = planned
    if kind == "skipped":
        return DiffRow("skipped", None, "", None, "", hidden=i)
    if kind == "removed":
        return DiffRow("removed", i + 1, old[i], None, "")
    if kind == "added":
        return DiffRow("added", None, "", j + 1, new[j])
    if kind == "same":
        return DiffRow("same", i + 1, old[i], j + 1, new[j])
    old_segments, new_segments = _highlight(old[i], new[j], words)
    return DiffRow("changed", i + 1, old[i], j + 1, new[j], old_segments, new_segments)


def _highlight(old: str, new: str, budget: _Budget) -> tuple[Segments, Segments]:
    """Each line cut into (text, is_change) pieces, word by word, within ``budget``."""
    whole = (((old, True),) if old else ()), (((new, True),) if new else ())
    if len(old) > MAX_HIGHLIGHT_CHARS or len(new) > MAX_HIGHLIGHT_CHARS:
        return whole
    old_words, new_words = _WORD_RE.findall(old), _WORD_RE.findall(new)
    line = _Budget(min(MAX_HIGHLIGHT_STEPS_PER_LINE, budget.left))
    pairs, is_complete = _match(old_words, new_words, line)
    budget.take(line.spent)
    similar = 2 * len(pairs) >= MIN_HIGHLIGHT_RATIO * (len(old_words) + len(new_words))
    if not (is_complete and similar):
        return whole
    same_old = {i for i, _ in pairs}
    same_new = {j for _, j in pairs}
    return _segments(old_words, same_old), _segments(new_words, same_new)


def _segments(words: list[str], same: set[int]) -> Segments:
    parts: list[tuple[str, bool]] = []
    start = 0
    for index in range(1, len(words) + 1):
        if index == len(words) or (index in same) != (start in same):
            _append(parts, "".join(words[start:index]), start not in same)
            start = index
    return tuple(parts)


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


def _fold(plan: list[_Planned], context: int) -> list[_Planned]:
    folded: list[_Planned] = []
    start = 0
    while start < len(plan):
        if plan[start][0] != "same":
            folded.append(plan[start])
            start += 1
            continue
        end = start
        while end < len(plan) and plan[end][0] == "same":
            end += 1
        keep_before = context if start > 0 else 0  # a change comes before this run
        keep_after = context if end < len(plan) else 0  # a change comes after it
        if end - start > 2 * context:
            hidden_from, hidden_to = start + keep_before, end - keep_after
            folded += plan[start:hidden_from]
            folded.append(("skipped", hidden_to - hidden_from, -1))
            folded += plan[hidden_to:end]
        else:
            folded += plan[start:end]
        start = end
    return folded
