"""The side-by-side diff: rows, folding, counts and the rendered table."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment, FileSystemLoader, select_autoescape

from eduapp.studio.diff import (
    CONTEXT,
    MAX_COMPARED_LINES,
    DiffRow,
    DiffSummary,
    compare,
    side_by_side,
    split_lines,
    summary,
)
from tests.support.profiles import examples

ROOT = Path(__file__).resolve().parents[2]


def numbered(count: int, prefix: str = "line") -> list[str]:
    return [f"{prefix} {i}" for i in range(1, count + 1)]


def text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def kinds(rows: list[DiffRow]) -> list[str]:
    return [row.kind for row in rows]


def test_identical_short_texts_are_all_same():
    rows = side_by_side("a\nb\nc\n", "a\nb\nc\n")
    assert rows == [
        DiffRow("same", 1, "a", 1, "a"),
        DiffRow("same", 2, "b", 2, "b"),
        DiffRow("same", 3, "c", 3, "c"),
    ]
    assert summary("a\nb\nc\n", "a\nb\nc\n") == DiffSummary(0, 0, 0)
    assert summary("a\n", "a\n").is_same


def test_identical_long_texts_fold_into_one_row():
    body = text(numbered(50))
    assert side_by_side(body, body) == [DiffRow("skipped", None, "", None, "", hidden=50)]


def test_empty_texts():
    assert side_by_side("", "") == []
    assert split_lines("") == []
    assert side_by_side("", "one\ntwo") == [
        DiffRow("added", None, "", 1, "one"),
        DiffRow("added", None, "", 2, "two"),
    ]
    assert side_by_side("one\ntwo\n", "") == [
        DiffRow("removed", 1, "one", None, ""),
        DiffRow("removed", 2, "two", None, ""),
    ]
    assert summary("", "one\ntwo") == DiffSummary(added=2, removed=0, changed=0)
    assert summary("one\ntwo\n", "") == DiffSummary(added=0, removed=2, changed=0)


def test_line_endings_and_a_bom_are_not_changes():
    lf = "id: x\ntitle: T\n\nbody\n"
    assert summary(lf, lf.replace("\n", "\r\n")).is_same
    assert summary(lf, "\ufeff" + lf).is_same
    assert summary(lf, lf.rstrip("\n")).is_same  # a missing final newline
    assert kinds(side_by_side(lf, lf.replace("\n", "\r\n"))) == ["same"] * 4
    assert split_lines("a\r\nb\n\n") == ["a", "b", ""]
    assert split_lines("a\u2028b") == ["a\u2028b"]  # only \n ends a line, as in the engine


def test_additions():
    old = text(["a", "b", "c"])
    new = text(["a", "b", "new 1", "new 2", "c", "d"])
    rows = side_by_side(old, new)
    assert rows == [
        DiffRow("same", 1, "a", 1, "a"),
        DiffRow("same", 2, "b", 2, "b"),
        DiffRow("added", None, "", 3, "new 1"),
        DiffRow("added", None, "", 4, "new 2"),
        DiffRow("same", 3, "c", 5, "c"),
        DiffRow("added", None, "", 6, "d"),
    ]
    assert summary(old, new) == DiffSummary(added=3, removed=0, changed=0)


def test_removals():
    rows = side_by_side(text(["a", "b", "c", "d"]), text(["a", "d"]))
    assert rows == [
        DiffRow("same", 1, "a", 1, "a"),
        DiffRow("removed", 2, "b", None, ""),
        DiffRow("removed", 3, "c", None, ""),
        DiffRow("same", 4, "d", 2, "d"),
    ]


def test_changes_pair_lines_and_highlight_words():
    old = text(["title: The night shift", "x", "speaker: nurse", "end"])
    new = text(["title: The long night shift", "x", "speaker: the nurse in charge", "more", "end"])
    rows = side_by_side(old, new)
    assert kinds(rows) == ["changed", "same", "changed", "added", "same"]
    first = rows[0]
    assert (first.old_number, first.new_number) == (1, 1)
    assert first.old_segments == (("title: The night shift", False),)
    assert first.new_segments == (
        ("title: The ", False),
        ("long", True),
        (" night shift", False),
    )
    assert "".join(piece for piece, _ in rows[2].new_segments) == "speaker: the nurse in charge"
    assert ("the", True) in rows[2].new_segments
    assert summary(old, new) == DiffSummary(added=1, removed=0, changed=2)


def test_a_rewritten_line_is_marked_whole():
    [row] = side_by_side("The patient goes home.\n", "Completely other words here!\n")
    assert row.kind == "changed"
    assert row.old_segments == (("The patient goes home.", True),)
    assert row.new_segments == (("Completely other words here!", True),)


def test_unequal_replacements_pair_what_they_can():
    rows = side_by_side(text(["keep", "old 1", "old 2", "old 3"]), text(["keep", "new 1"]))
    assert kinds(rows) == ["same", "changed", "removed", "removed"]


def test_long_unchanged_runs_fold_to_context():
    old = numbered(30)
    new = list(old)
    new[14] = "line 15 changed"
    rows = side_by_side(text(old), text(new))
    assert kinds(rows) == ["skipped"] + ["same"] * CONTEXT + ["changed"] + ["same"] * CONTEXT + [
        "skipped"
    ]
    assert rows[0].hidden == 14 - CONTEXT
    assert rows[-1].hidden == 30 - 15 - CONTEXT
    assert [row.old_number for row in rows[1:4]] == [12, 13, 14]
    assert [row.new_number for row in rows[5:8]] == [16, 17, 18]


def test_runs_between_changes_keep_context_on_both_sides():
    old = numbered(20)
    new = ["first", *old[1:19], "last"]
    rows = side_by_side(text(old), text(new))
    assert kinds(rows) == (
        ["changed"] + ["same"] * CONTEXT + ["skipped"] + ["same"] * CONTEXT + ["changed"]
    )
    assert rows[4].hidden == 18 - 2 * CONTEXT


@pytest.mark.parametrize("run", [2 * CONTEXT, 2 * CONTEXT - 1])
def test_short_runs_are_not_folded(run):
    old = ["a", *numbered(run), "b"]
    new = ["A", *numbered(run), "B"]
    assert "skipped" not in kinds(side_by_side(text(old), text(new)))


def test_a_run_one_longer_than_twice_the_context_folds_one_line():
    old = ["a", *numbered(2 * CONTEXT + 1), "b"]
    new = ["A", *numbered(2 * CONTEXT + 1), "B"]
    [skipped] = [row for row in side_by_side(text(old), text(new)) if row.kind == "skipped"]
    assert skipped.hidden == 1


lines = st.lists(st.sampled_from(["a", "b", "c", "", "speaker: x", "[[go -> b]]"]), max_size=25)


@settings(max_examples=examples(150), deadline=None)
@given(old=lines, new=lines)
def test_rows_account_for_every_line(old, new):
    rows = side_by_side(text(old) if old else "", text(new) if new else "", context=10**6)
    assert [row.old_text for row in rows if row.old_number is not None] == old
    assert [row.new_text for row in rows if row.new_number is not None] == new
    assert [row.old_number for row in rows if row.old_number] == list(range(1, len(old) + 1))
    for row in rows:
        if row.kind == "changed":
            assert "".join(p for p, _ in row.old_segments) == row.old_text
            assert "".join(p for p, _ in row.new_segments) == row.new_text
    folded = side_by_side(text(old) if old else "", text(new) if new else "")
    changes = [row for row in rows if row.kind != "same"]
    assert [row for row in folded if row.kind not in ("same", "skipped")] == changes
    hidden = sum(row.hidden for row in folded)
    assert hidden + sum(row.kind == "same" for row in folded) == len(rows) - len(changes)


def longest_common(old: list[str], new: list[str]) -> int:
    """The length of a longest common subsequence, the textbook way."""
    longest = [[0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i, a in enumerate(old):
        for j, b in enumerate(new):
            longest[i + 1][j + 1] = (
                longest[i][j] + 1 if a == b else max(longest[i][j + 1], longest[i + 1][j])
            )
    return longest[-1][-1]


@settings(max_examples=examples(150), deadline=None)
@given(old=lines, new=lines)
def test_small_texts_get_the_fewest_changes(old, new):
    rows = side_by_side(text(old) if old else "", text(new) if new else "", context=10**6)
    assert sum(row.kind == "same" for row in rows) == longest_common(old, new)


def test_a_moved_block_keeps_the_lines_around_it():
    body = numbered(40)
    moved = body[:5] + body[20:30] + body[5:20] + body[30:]
    counts = summary(text(body), text(moved))
    assert (counts.added, counts.removed, counts.changed) == (10, 10, 0)


def test_compare_gives_rows_counts_and_no_notes_for_ordinary_texts():
    old, new = text(numbered(20)), text([*numbered(19), "last"])
    comparison = compare(old, new)
    assert comparison.rows == side_by_side(old, new)
    assert comparison.summary == summary(old, new) == DiffSummary(0, 0, 1)
    assert comparison.is_line_by_line and comparison.notes == []


def test_texts_too_long_to_compare_have_no_rows_and_no_counts():
    too_long = "a\n" * (MAX_COMPARED_LINES + 1)
    assert side_by_side(too_long, "") == [] and summary(too_long, "") is None
    assert summary("a\n" * MAX_COMPARED_LINES, "") == DiffSummary(0, MAX_COMPARED_LINES, 0)


# ---- the template ------------------------------------------------------------------------


class Elements(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def all(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def side_by_side_diff():
    env = Environment(
        loader=FileSystemLoader(
            [ROOT / "eduapp" / "studio" / "templates", ROOT / "eduapp" / "templates"]
        ),
        autoescape=select_autoescape(),
    )
    return env.get_template("studio/_diff.html").module.side_by_side_diff


def test_the_table_is_accessible_and_escaped(side_by_side_diff):
    old = text([*numbered(10), "<b>bold</b> & more"])
    new = text([*numbered(10), "<script>alert('x')</script>", "added & new"])
    html = str(
        side_by_side_diff(
            side_by_side(old, new), "Version 3", "Draft <i>", summary=summary(old, new)
        )
    )
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;" in html and "script" in html and "alert(&#39;x&#39;)" in html
    assert "Draft &lt;i&gt;" in html
    assert not re.search(r"\sstyle\s*=", html)
    page = Elements(html)
    assert page.all("div")[0]["class"] == "table-wrap diff-wrap"
    assert page.all("div")[0]["tabindex"] == "0"  # a scrolling region a keyboard can reach
    assert len(page.all("caption")) == 1
    assert [th["scope"] for th in page.all("th")][:4] == ["col"] * 4
    row_headers = [th for th in page.all("th") if th.get("scope") == "row"]
    assert len(row_headers) == 3 * 2 + 2 + 1  # context rows, the changed row, the added row
    assert html.count('<span class="visually-hidden">removed: </span>') == 1
    assert html.count('<span class="visually-hidden">added: </span>') == 2
    assert html.count('aria-hidden="true">\u2212</span>') == 1  # a minus sign
    assert html.count('aria-hidden="true">+</span>') == 2
    assert "7 unchanged lines not shown" in html
    assert "1 added, 0 removed, 1 changed" in html


def test_changed_words_are_marked_up(side_by_side_diff):
    old, new = "title: The night shift\n", "title: The long night shift\n"
    html = str(side_by_side_diff(side_by_side(old, new), "Old", "New"))
    assert "<ins>long</ins>" in html
    assert "<del>" not in html


def test_an_empty_diff_says_so(side_by_side_diff):
    html = str(side_by_side_diff([], "Old", "New", summary=summary("", "")))
    assert "Both versions are empty." in html
    assert ": no changes" in html


def test_one_hidden_line_is_singular(side_by_side_diff):
    html = str(side_by_side_diff([DiffRow("skipped", None, "", None, "", hidden=1)], "A", "B"))
    assert "1 unchanged line not shown" in html


def test_the_stylesheet_wraps_long_lines():
    css = (ROOT / "eduapp" / "static" / "studio.css").read_text(encoding="utf-8")
    [rule] = re.findall(r"\.diff-text \{[^}]*\}", css)
    assert "white-space: pre-wrap" in rule and "overflow-wrap: anywhere" in rule


def test_notes_are_shown_before_the_table(side_by_side_diff):
    rows = side_by_side("a\n", "b\n")
    html = str(side_by_side_diff(rows, "Old", "New", notes=["Only part <of it> is shown."]))
    assert '<p class="panel diff-note" role="note">Only part &lt;of it&gt; is shown.</p>' in html
    assert html.index("diff-note") < html.index("<table")


def test_texts_too_large_to_compare_show_their_note_instead_of_a_table(side_by_side_diff):
    comparison = compare("a\n" * (MAX_COMPARED_LINES + 1), "b\n")
    html = str(side_by_side_diff(comparison.rows, "Old", "New", notes=comparison.notes))
    assert "too large to compare line by line" in html
    assert "<table" not in html and "Both versions are empty." not in html
