"""SECURITY.md row 25: every algorithm that an author's text drives does a bounded amount of work.

The diff (history, version and merge pages) and its word highlighting, Markdown (the live
preview and every page), the scenario map and the ending search each get the largest or most
hostile input allowed in, and the tests count the work done (steps, items read, lines read again,
bends made, states made) against the documented budgets. Nothing here measures time: machines
are noisy; `python -m bench.limits` prints the times against their budgets.
"""

import itertools
import random
import re
from collections.abc import Sequence

import grandalf.layouts
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler

from eduapp.accounts.models import Role
from eduapp.content.models import Document, Revision, Version
from eduapp.engine import (
    MAX_NODES,
    Choice,
    Node,
    Scenario,
    Variable,
    check_course,
    parse_condition,
    parse_effects,
    search_endings,
)
from eduapp.engine import player as engine_player
from eduapp.engine.player import CHOICE_STEPS, MAX_SEARCH_STEPS
from eduapp.extensions import db
from eduapp.markdown import (
    MAX_ELEMENTS,
    MAX_MARKDOWN_CHARS,
    MAX_PAGE_ELEMENTS,
    TEXT_ELEMENTS,
    render_markdown,
)
from eduapp.studio import diff, scenario_map
from eduapp.studio.diff import (
    MAX_COMPARED_LINES,
    MAX_HIGHLIGHT_CHARS,
    MAX_HIGHLIGHT_STEPS,
    MAX_HIGHLIGHT_STEPS_PER_LINE,
    MAX_MATCH_STEPS,
    MAX_SHOWN_ROWS,
    DiffRow,
    compare,
    split_lines,
)
from eduapp.studio.scenario_map import MAX_MAP_BENDS, MAX_MAP_NODES, MapTooLarge, layout_scenario
from tests.support.profiles import examples

# -- the diff -------------------------------------------------------------------------------

#: Short lines that recur all through a scenario: a reordering of them has no line to anchor on.
COMMON_LINES = ["", "speaker: nurse", "[[Go on -> ward]]", "  set: trust += 1", "The nurse waits."]


def reordered(count: int, *, distinct: int | None = None, seed: int = 25) -> tuple[str, str]:
    """Two texts of ``count`` short lines, the second a shuffle of the first."""
    if distinct is None:
        lines = [f"line {number}" for number in range(count)]
    else:
        lines = [COMMON_LINES[number % distinct] for number in range(count)]
    shuffled = list(lines)
    random.Random(seed).shuffle(shuffled)
    return "\n".join(lines) + "\n", "\n".join(shuffled) + "\n"


def applied(rows: list[DiffRow], old: list[str]) -> list[str]:
    """The new text's lines, rebuilt by walking the old text along the rows."""
    new, at = [], 0
    for row in rows:
        assert row.kind != "skipped", "compare with a context wide enough to fold nothing"
        if row.kind in ("same", "removed", "changed"):
            assert (row.old_number, row.old_text) == (at + 1, old[at])
            at += 1
        if row.kind == "same":
            new.append(old[at - 1])  # the old line itself: a 'same' row must really be the same
        elif row.kind in ("added", "changed"):
            new.append(row.new_text)
    assert at == len(old)
    return new


@pytest.mark.parametrize(
    ("count", "distinct"),
    [(8_000, None), (20_000, None), (8_000, 3), (20_000, len(COMMON_LINES))],
    ids=["8000-unique", "20000-unique", "8000-of-3", "20000-of-5"],
)
def test_row_25_reordered_short_lines_are_compared_within_the_budget(count, distinct):
    old, new = reordered(count, distinct=distinct)
    comparison = compare(old, new, context=10**9, max_rows=None)
    assert applied(comparison.rows, split_lines(old)) == split_lines(new)
    assert comparison.steps <= MAX_MATCH_STEPS + MAX_HIGHLIGHT_STEPS
    counts = comparison.summary
    assert counts.added + counts.changed + sum(r.kind == "same" for r in comparison.rows) == count
    if distinct is None:  # lines found once each side anchor an exact comparison
        assert comparison.is_line_by_line and not comparison.notes
    else:  # nothing to anchor on and too many equal pairs: shown as changed lines, and said
        assert not comparison.is_line_by_line
        assert "too large to compare line by line" in comparison.notes[0]


class Counted(Sequence):
    """A sequence that counts how often its items are read."""

    def __init__(self, items: list, reads: list[int]) -> None:
        self.items, self.reads = items, reads

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index):
        self.reads[0] += 1
        return self.items[index]


@pytest.mark.parametrize("distinct", [None, 2, len(COMMON_LINES)])
def test_row_25_matching_reads_each_line_a_bounded_number_of_times(distinct):
    old, new = reordered(20_000, distinct=distinct)
    reads = [0]
    budget = diff._Budget(MAX_MATCH_STEPS)
    pairs, _ = diff._match(
        Counted(split_lines(old), reads), Counted(split_lines(new), reads), budget
    )
    assert budget.spent <= MAX_MATCH_STEPS
    assert reads[0] <= 2 * budget.spent  # the steps counted are the work done
    assert all(a < b for a, b in itertools.pairwise(pairs))


def test_row_25_texts_too_long_to_compare_say_so_without_comparing():
    old = "line\n" * (MAX_COMPARED_LINES + 1)
    comparison = compare(old, old.replace("line", "other"))
    assert comparison.rows == [] and comparison.summary is None and comparison.steps == 0
    [note] = comparison.notes
    assert "too large to compare line by line" in note
    assert f"{MAX_COMPARED_LINES + 1:,} and {MAX_COMPARED_LINES + 1:,} lines" in note


def test_row_25_a_page_shows_a_bounded_number_of_rows_and_says_how_many_more():
    old, new = reordered(20_000)
    comparison = compare(old, new)
    assert len(comparison.rows) == MAX_SHOWN_ROWS
    assert comparison.rows_not_shown > 0
    assert f"{comparison.rows_not_shown:,} more are not" in comparison.notes[-1]


def word_soup(seed: int, chars: int = MAX_HIGHLIGHT_CHARS - 1) -> str:
    """Two-letter words at random: the worst case for matching words."""
    words = random.Random(seed).choices(["a", "b"], k=chars)
    return " ".join(words)[:chars]


def test_row_25_word_highlighting_is_bounded_per_line_and_per_comparison():
    budget = diff._Budget(10**9)
    old_segments, new_segments = diff._highlight(word_soup(1), word_soup(2), budget)
    assert budget.spent <= MAX_HIGHLIGHT_STEPS_PER_LINE
    assert "".join(p for p, _ in old_segments) == word_soup(1)
    assert "".join(p for p, _ in new_segments) == word_soup(2)
    old = "\n".join(word_soup(seed) for seed in range(400)) + "\n"
    new = "\n".join(word_soup(seed + 1000) for seed in range(400)) + "\n"
    comparison = compare(old, new)
    assert comparison.summary.changed == 400
    assert comparison.steps <= MAX_MATCH_STEPS + MAX_HIGHLIGHT_STEPS
    for row in comparison.rows:
        assert "".join(p for p, _ in row.new_segments) == row.new_text


_lines = st.lists(st.sampled_from(["a", "b", "c", "", "x y", "[[go -> b]]"]), max_size=40)


@settings(max_examples=examples(300), deadline=None)
@given(
    old=_lines,
    new=_lines,
    steps=st.sampled_from([MAX_MATCH_STEPS, 60, 12, 0]),
    exact=st.sampled_from([diff.MAX_EXACT_PAIRS, 4, 0]),
)
def test_row_25_the_bounded_diff_always_turns_the_old_text_into_the_new(old, new, steps, exact):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(diff, "MAX_MATCH_STEPS", steps)
        patch.setattr(diff, "MAX_EXACT_PAIRS", exact)
        comparison = compare("\n".join(old), "\n".join(new), context=10**6, max_rows=None)
    old_lines, new_lines = split_lines("\n".join(old)), split_lines("\n".join(new))
    assert applied(comparison.rows, old_lines) == new_lines
    assert comparison.steps <= steps + MAX_HIGHLIGHT_STEPS
    counts = comparison.summary
    assert counts.removed + counts.changed == len(old_lines) - (
        len(new_lines) - counts.added - counts.changed
    )


# -- the diff, history, version and merge pages ----------------------------------------------

SLUG = "night-handover"
EDITOR = f"/studio/scenario/{SLUG}"


@pytest.fixture
def author(app, client, auth, login_as):
    """A signed-in patient educator with a scenario draft (revision 1)."""
    login_as(Role.PATIENT_EDUCATOR)
    response = auth.post(
        "/studio/new",
        {"kind": "scenario", "slug": SLUG, "title": "The night handover", "credit": "carer"},
        page="/studio/",
    )
    assert response.status_code == 302
    return auth


def save(auth, base: int, source: str):
    return auth.post(
        f"{EDITOR}/save", {"base": base, "source": source, "message": "m"}, page="/studio/"
    )


def publish_as_versions(numbers: list[int]) -> None:
    """Published versions of these revisions (how they were approved does not matter here)."""
    document = db.session.scalar(db.select(Document).where(Document.slug == SLUG))
    for version, number in enumerate(numbers, start=1):
        revision = db.session.scalar(
            db.select(Revision).where(
                Revision.document_id == document.id, Revision.number == number
            )
        )
        db.session.add(
            Version(
                document=document,
                number=version,
                revision_id=revision.id,
                source=revision.source,
                title="The night handover",
                summary="",
                sort_order=None,
            )
        )
    db.session.commit()


def test_row_25_diff_version_and_merge_pages_answer_for_reordered_revisions(app, author):
    old, new = reordered(20_000, distinct=len(COMMON_LINES))
    assert save(author, 1, old).status_code == 302
    assert save(author, 2, new).status_code == 302
    publish_as_versions([2, 3])
    pages = [
        author.client.get(f"{EDITOR}/diff?from=2&to=3"),
        author.client.get(f"{EDITOR}/versions/2"),
        save(author, 2, old.replace("The nurse waits.", "The nurse waits, again.")),
    ]
    assert [page.status_code for page in pages] == [200, 200, 409]
    for page in pages[:2]:  # the merge page shows only the parts that clash (issue 13)
        html = page.get_data(as_text=True)
        assert "too large to compare line by line" in html
        assert f"the first {MAX_SHOWN_ROWS:,} rows are shown" in html
        assert html.count('class="diff-row') == MAX_SHOWN_ROWS
    merge = pages[2].get_data(as_text=True)
    assert "nothing you typed is lost" in merge and "The nurse waits, again." in merge


def test_row_25_pages_say_when_revisions_are_too_long_to_compare(app, author):
    long = "line\n" * (MAX_COMPARED_LINES + 1)
    assert save(author, 1, long).status_code == 302
    assert save(author, 2, long + "one more\n").status_code == 302
    page = author.client.get(f"{EDITOR}/diff?from=2&to=3")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    counts = f"{MAX_COMPARED_LINES + 1:,} and {MAX_COMPARED_LINES + 2:,}"
    assert re.search(f"too large to compare line by line: they have {counts}", html)
    assert 'class="diff-row' not in html and "Both versions are empty" not in html


# -- Markdown ---------------------------------------------------------------------------------


class MarkdownWork:
    """What markdown-it-py did: the texts it parsed and the rules it tried on them."""

    texts = 0
    rules_tried = 0


@pytest.fixture
def markdown_work(monkeypatch):
    """Counts markdown-it-py's work: texts parsed, and its rules (block, inline and core)
    tried, each of which reads a bounded stretch of text."""
    work = MarkdownWork()
    parse, get_rules = MarkdownIt.parse, Ruler.getRules

    def counting_parse(self, src, env=None):
        work.texts += 1
        return parse(self, src, env)

    def counted(rule):
        def tried(*args, **kwargs):
            work.rules_tried += 1
            return rule(*args, **kwargs)

        return tried

    monkeypatch.setattr(MarkdownIt, "parse", counting_parse)
    monkeypatch.setattr(
        Ruler, "getRules", lambda self, chain="": list(map(counted, get_rules(self, chain)))
    )
    return work


#: Rules markdown-it-py may try per element the budget counts (a line, table cell or marker);
#: the heaviest shape, a run of brackets, takes about 20.
RULES_PER_ELEMENT = 25


def headings(chars: int = MAX_MARKDOWN_CHARS) -> str:
    """Blocks of 999 heading lines, up to ``chars``: 4.5 s of Python-Markdown before the bound."""
    block = "\n".join(["# h"] * 999) + "\n\n"
    return (block * (chars // len(block) + 1))[:chars]


def test_row_25_headings_are_shown_as_plain_text_without_parsing_them(markdown_work):
    text = headings()
    html = str(render_markdown(text))
    assert markdown_work.texts == 0
    assert "<h" not in html and html.count("# h") == text.count("# h")


FILLER = "A plain paragraph of ordinary words, long enough to fill the text. " * 2
#: Texts just within the budget, each of a shape that costs the most work per character.
WITHIN_BUDGET = {
    "headings in one block": ("\n".join(["# h"] * 990) + "\n\n" + (FILLER + "\n\n") * 300, "<h2>"),
    "links": ("[a](/b) " * 1600, 'href="/b"'),
    "brackets": ("[" * 4000, "[[[["),
    "emphasis": ("*a* " * 2400, "<em>a</em>"),
    "entities": ("&amp; " * 4900, "&amp; &amp;"),
    "nested quotes": (("> " * 19 + "x\n") * 200, "<blockquote>"),
    "a wide table": (
        "|" + "a|" * 50 + "\n|" + "-|" * 50 + "\n" + ("|" + "x|" * 50 + "\n") * 90,
        "<td>x</td>",
    ),
}


@pytest.mark.parametrize("shape", WITHIN_BUDGET)
def test_row_25_markdown_allowed_through_works_in_proportion_to_its_budget(markdown_work, shape):
    text, shown = WITHIN_BUDGET[shape]
    html = str(render_markdown(text))
    assert markdown_work.texts == 1 and shown in html  # rendered as Markdown, not refused
    assert 0 < markdown_work.rules_tried <= RULES_PER_ELEMENT * MAX_ELEMENTS


def test_row_25_a_table_of_many_cells_is_shown_as_plain_text():
    row = "|" + "a|" * 99
    text = "\n".join([row, "|" + "-|" * 99] + [row] * 900)[:MAX_MARKDOWN_CHARS]
    html = str(render_markdown(text))
    assert "<td" not in html and html.count("<") <= MAX_ELEMENTS
    allowed = "\n".join([row[:101], "|" + "-|" * 50] + [row[:101]] * 90)
    html = str(render_markdown(allowed))
    assert html.count("<td>") == 90 * 50  # a large table within the budget is still a table


def test_row_25_a_preview_of_thousands_of_texts_renders_a_budget_of_them(
    app, client, auth, login_as, markdown_work
):
    login_as(Role.PATIENT_EDUCATOR)
    slug = "night-quiz"
    response = auth.post(
        "/studio/new",
        {"kind": "assessment", "slug": slug, "title": "Quiz", "credit": "carer"},
        page="/studio/",
    )
    assert response.status_code == 302
    options = "\n".join(
        f"- [{'x' if n == 0 else ' '}] O{n}\n  feedback: *Feedback* {n}" for n in range(12_000)
    )
    source = (
        f"id: {slug}\nmodule: night\ntitle: Quiz\nsummary: S\npass_mark: 60\nattempts: 3\n"
        "author: staff | Tutor\nlicence: CC BY-SA 4.0\n\n"
        f":: q1 | Many options\ntype: single\npoints: 1\n\nChoose.\n\n{options}\n"
    )
    response = auth.post(
        f"/studio/assessment/{slug}/preview", {"source": source, "node": "q1"}, page="/studio/"
    )
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<em>Feedback</em> 0" in html  # the first texts are Markdown
    assert "*Feedback* 11999" in html  # the rest are shown whole, as plain text
    assert markdown_work.texts <= MAX_PAGE_ELEMENTS // (TEXT_ELEMENTS + 1)


def test_row_25_the_preview_of_a_node_of_headings_answers_as_plain_text(app, author, markdown_work):
    source = (
        "id: night-handover\ntitle: T\nsummary: S\nprofessions: nursing\n"
        "author: staff | Tutor\nlicence: CC BY-SA 4.0\nstart: a\n\n"
        f":: a | A\n\n{headings()}\n\n:: b | B\nending: End\n\nDone.\n\ndebrief:\nD.\n"
    )
    response = author.post(f"{EDITOR}/preview", {"source": source, "node": "a"}, page="/studio/")
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "# h" in html and "<h4>" not in html
    assert markdown_work.texts == 0


# -- the map ----------------------------------------------------------------------------------


@pytest.fixture
def bends_made(monkeypatch):
    """How many bends (grandalf's dummy vertices) the layout makes."""
    count = [0]

    class CountedBend(grandalf.layouts.DummyVertex):
        def __init__(self, *args, **kwargs):
            count[0] += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(grandalf.layouts, "DummyVertex", CountedBend)
    return count


def built(nodes: list[Node], variables=(), start: str = "n0") -> Scenario:
    return Scenario(
        "built", "Built", "S", ("nursing",), (), "L", tuple(variables), start, tuple(nodes)
    )


def step(number: int, *targets: str) -> Node:
    if not targets:
        return Node(f"n{number}", f"Step {number}", ending="End", debrief="D")
    return Node(f"n{number}", f"Step {number}", choices=tuple(Choice("Go", t) for t in targets))


def test_row_25_a_tangled_map_is_refused_before_its_bends_are_made(bends_made):
    # A chain of 300 nodes whose last 225 each link back to the first four: 166,000 bends.
    count = MAX_MAP_NODES
    nodes = [
        step(n, *([f"n{n + 1}"] if n < count - 1 else []), *(
            [f"n{k}" for k in range(4)] if n >= count - 225 else []
        ))
        for n in range(count)
    ]  # fmt: skip
    with pytest.raises(MapTooLarge, match="tangled"):
        layout_scenario(built(nodes))
    assert bends_made[0] <= MAX_MAP_BENDS


def test_row_25_the_largest_map_drawn_stays_within_its_limits(bends_made):
    # 300 nodes in rows of ten, each linking to four nodes up to four rows down: about 1,050
    # links and 2,800 bends, near the limits of what is drawn.
    rng = random.Random(25)
    nodes = []
    for n in range(MAX_MAP_NODES):
        row = n // 10
        targets = [f"n{(row + rng.randint(1, 4)) * 10 + rng.randrange(10)}" for _ in range(4)]
        nodes.append(step(n, *[t for t in targets if int(t[1:]) < MAX_MAP_NODES]))
    drawn = layout_scenario(built(nodes))
    assert len(drawn.nodes) == MAX_MAP_NODES and len(drawn.edges) > 1000
    # At most two layouts (the second when the first does not keep the start on top).
    assert 2000 < bends_made[0] <= 2 * MAX_MAP_BENDS


def test_row_25_the_map_page_of_the_largest_scenario_shows_the_outline(app, author, monkeypatch):
    """Without Graphviz's dot (or past its timeout), grandalf's limits refuse before any work.
    With dot, tests/studio/test_big_scenarios.py draws 5,000 nodes."""
    made = []
    monkeypatch.setattr(scenario_map, "Vertex", lambda *a: made.append(a))
    monkeypatch.setattr(scenario_map, "DOT", "no-such-graphviz-program")
    count = MAX_NODES  # the most nodes a scenario may have
    nodes = "".join(
        f":: n{n} | Step {n}\n\nText.\n\n[[Go on -> n{n + 1}]]\n\n" for n in range(count - 1)
    )
    source = (
        f"id: {SLUG}\ntitle: T\nsummary: S\nprofessions: nursing\nauthor: staff | Tutor\n"
        f"licence: CC BY-SA 4.0\nstart: n0\n\n{nodes}:: n{count - 1} | The end\nending: End\n\n"
        "Done.\n\ndebrief:\nD.\n"
    )
    assert save(author, 1, source).status_code == 302
    page = author.client.get(f"{EDITOR}/map")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "too large to draw" in html and f"Step {count - 2}" in html
    assert made == []  # refused before any layout work


# -- the ending search ------------------------------------------------------------------------


@pytest.fixture
def transitions(monkeypatch):
    """How many states the search makes (one per choice weighed); stops a runaway search."""
    count = [0]
    after = engine_player._after

    def counting(state, choice):
        count[0] += 1
        assert count[0] <= 4 * MAX_SEARCH_STEPS // CHOICE_STEPS, (
            "the search ran far past its budget"
        )
        return after(state, choice)

    monkeypatch.setattr(engine_player, "_after", counting)
    return count


def exploding(choices: int = 500, variables: int = 300) -> Scenario:
    """A counter and many variables: a state space far too large to search."""
    again = tuple(
        Choice(f"Again {n}", "a", effects=parse_effects("n += 1")) for n in range(choices)
    )
    out = Choice("Out", "z", parse_condition("n > 100000"))
    return Scenario(
        "exploding", "T", "S", ("nursing",), (), "L",
        (Variable("n", 0), *(Variable(f"v{k}", 0) for k in range(variables))), "a",
        (Node("a", "A", choices=(*again, out)), Node("z", "Z", ending="End", debrief="D")),
    )  # fmt: skip


def test_row_25_the_ending_search_stops_at_its_step_budget(transitions):
    search = search_endings(exploding())
    assert not search.complete and search.paths == {}
    assert search.steps <= MAX_SEARCH_STEPS
    assert transitions[0] * (CHOICE_STEPS + 301) <= MAX_SEARCH_STEPS


def test_row_25_the_checker_says_which_endings_the_search_did_not_reach(tmp_path, transitions):
    variables = "".join(f"var v{k} = 0\n" for k in range(300))
    again = "".join(f"[[Again {n} -> a]]\n  set: n += 1\n" for n in range(500))
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "curriculum").mkdir()
    (tmp_path / "scenarios" / "exploding.md").write_text(
        "id: exploding\ntitle: T\nsummary: S\nprofessions: nursing\nauthor: staff | Tutor\n"
        f"licence: CC BY-SA 4.0\nvar n = 0\n{variables}start: a\n\n"
        f":: a | A\n\nText.\n\n{again}[[Out -> z]]\n  if: n > 100000\n\n"
        ":: z | Z\nending: End\n\nDone.\n\ndebrief:\nD.\n",
        encoding="utf-8",
    )
    report = check_course(tmp_path / "curriculum", tmp_path / "scenarios")
    messages = [p.message for p in report.problems if p.file.endswith("exploding.md")]
    assert messages == [
        "Ending 'z' cannot be reached in play: it was not reached within the search limit; "
        "check the conditions on the way."
    ]
    assert transitions[0] * CHOICE_STEPS <= MAX_SEARCH_STEPS
