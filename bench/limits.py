"""Time what an author's text drives, at the largest inputs allowed in, against its budget.

    python -m bench.limits [--runs 3]

SECURITY.md row 25. The diff (with the history, version and merge pages that show it), the
live preview (Markdown), the scenario map and the ending search each bound their work by the
constants documented in eduapp/studio/diff.py, eduapp/markdown.py,
eduapp/studio/scenario_map.py and eduapp/engine/player.py;
tests/security/test_rows_hardening_bounds.py counts that work. This prints the time each case
takes (one warm-up, then the median of ``--runs`` runs) next to its time budget. Pages go
through the Flask test client on a throwaway SQLite database, signed in as a patient educator.
Nothing is asserted: machines are noisy, and a figure over budget is flagged for a person.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote_plus

import sqlalchemy as sa

from bench.dashboards import CSRF, _signed_in
from bench.databases import bench_app, fresh_database
from eduapp.accounts.models import Role
from eduapp.accounts.services import create_or_update_account
from eduapp.content.models import Document, Revision, Version
from eduapp.engine import (
    MAX_NODES,
    Choice,
    Node,
    Scenario,
    Variable,
    parse_condition,
    parse_effects,
    search_endings,
)
from eduapp.extensions import db
from eduapp.markdown import MAX_ELEMENTS, MAX_MARKDOWN_CHARS
from eduapp.studio.diff import MAX_COMPARED_LINES, MAX_HIGHLIGHT_CHARS, compare
from eduapp.studio.scenario_map import MAX_MAP_NODES, MapTooLarge, layout_scenario

#: Seconds each kind of case may take on the machine of docs/performance.md.
DIFF_BUDGET = 1.0
PAGE_BUDGET = 2.0
PREVIEW_BUDGET = 2.0
MAP_BUDGET = 1.0
SEARCH_BUDGET = 1.5

#: What one request may carry (config.MAX_CONTENT_LENGTH): the largest text an author can send.
MAX_REQUEST_BYTES = 1024 * 1024
EMAIL, PASSWORD = "author@example.org", "a-long-bench-passphrase-for-the-author"
SLUG = "largest"
COMMON_LINES = ["", "speaker: nurse", "[[Go on -> ward]]", "  set: trust += 1", "The nurse waits."]


@dataclass(frozen=True)
class Case:
    what: str
    budget: float
    run: Callable[[], object]


def reordered(count: int, *, kinds: int | None = None) -> tuple[str, str]:
    """``count`` short lines and a shuffle of them: each line different, or of a few kinds."""
    if kinds is None:
        lines = [f"line {number}" for number in range(count)]
    else:
        lines = [COMMON_LINES[number % kinds] for number in range(count)]
    shuffled = list(lines)
    random.Random(25).shuffle(shuffled)
    return "\n".join(lines) + "\n", "\n".join(shuffled) + "\n"


def word_soup(seed: int) -> str:
    """A line of one-letter words at random, as long as word highlighting takes."""
    words = random.Random(seed).choices(["a", "b"], k=MAX_HIGHLIGHT_CHARS)
    return " ".join(words)[: MAX_HIGHLIGHT_CHARS - 1]


def diff_cases() -> list[Case]:
    unique = reordered(MAX_COMPARED_LINES)
    common = reordered(MAX_COMPARED_LINES, kinds=len(COMMON_LINES))
    # 1 MB of lines as long as highlighting takes, every one changed.
    count = 1_000_000 // MAX_HIGHLIGHT_CHARS
    soup = (
        "\n".join(word_soup(n) for n in range(count)),
        "\n".join(word_soup(n + count) for n in range(count)),
    )
    too_long = ("x\n" * (MAX_COMPARED_LINES + 1), "y\n" * (MAX_COMPARED_LINES + 1))
    return [
        Case(f"diff: {MAX_COMPARED_LINES:,} reordered lines, each different", DIFF_BUDGET,
             lambda: compare(*unique)),
        Case(f"diff: {MAX_COMPARED_LINES:,} reordered lines of 5 kinds", DIFF_BUDGET,
             lambda: compare(*common)),
        Case(f"diff: {count} changed lines of {MAX_HIGHLIGHT_CHARS:,} one-letter words",
             DIFF_BUDGET, lambda: compare(*soup)),
        Case(f"diff: {MAX_COMPARED_LINES + 1:,} lines (too large to compare)", DIFF_BUDGET,
             lambda: compare(*too_long)),
    ]  # fmt: skip


def largest_map() -> Scenario:
    """300 nodes in rows of ten, each linking to four nodes up to four rows down."""
    rng, nodes = random.Random(25), []
    for n in range(MAX_MAP_NODES):
        row = n // 10
        targets = [(row + rng.randint(1, 4)) * 10 + rng.randrange(10) for _ in range(4)]
        targets = [f"n{t}" for t in targets if t < MAX_MAP_NODES]
        if targets:
            nodes.append(
                Node(f"n{n}", f"Step {n}", choices=tuple(Choice("Go", t) for t in targets))
            )
        else:
            nodes.append(Node(f"n{n}", f"Step {n}", ending="End", debrief="D"))
    return _scenario(nodes)


def tangled_map() -> Scenario:
    """A 300-node chain whose last 225 nodes link back to the first four: 166,000 bends."""
    nodes = []
    for n in range(MAX_MAP_NODES):
        targets = [f"n{n + 1}"] if n < MAX_MAP_NODES - 1 else []
        targets += [f"n{k}" for k in range(4)] if n >= MAX_MAP_NODES - 225 else []
        nodes.append(Node(f"n{n}", f"Step {n}", choices=tuple(Choice("Go", t) for t in targets)))
    return _scenario(nodes)


def exploding() -> Scenario:
    """A counter, 300 variables and 500 choices on one node: a state space without end."""
    again = tuple(Choice(f"Again {n}", "a", effects=parse_effects("n += 1")) for n in range(500))
    out = Choice("Out", "z", parse_condition("n > 100000"))
    variables = (Variable("n", 0), *(Variable(f"v{k}", 0) for k in range(300)))
    nodes = [Node("a", "A", choices=(*again, out)), Node("z", "Z", ending="End", debrief="D")]
    return _scenario(nodes, variables, start="a")


def _scenario(nodes, variables=(), start="n0") -> Scenario:
    return Scenario("built", "Built", "S", ("nursing",), (), "L", variables, start, tuple(nodes))


def _refused_map() -> None:
    try:
        layout_scenario(tangled_map())
    except MapTooLarge:
        return
    raise RuntimeError("the tangled map was drawn")


def engine_cases() -> list[Case]:
    largest, search = largest_map(), exploding()
    return [
        Case("map: 300 nodes, ~1,050 links, ~2,800 bends (drawn)", MAP_BUDGET,
             lambda: layout_scenario(largest)),
        Case("map: 300 nodes tangled (refused)", MAP_BUDGET, _refused_map),
        Case("ending search: 500 choices x 300 variables (stops)", SEARCH_BUDGET,
             lambda: search_endings(search)),
    ]  # fmt: skip


# -- pages ----------------------------------------------------------------------------------


class Author:
    """A signed-in patient educator's test client, posting forms with a CSRF token."""

    def __init__(self, app) -> None:
        self.client = _signed_in(app, EMAIL, PASSWORD)
        match = CSRF.search(self.client.get("/studio/").get_data(as_text=True))
        self.token = next(group for group in match.groups() if group)

    def get(self, url: str, status: int = 200):
        return self._checked(self.client.get(url), url, status)

    def post(self, url: str, data: dict, status: int = 200):
        response = self.client.post(url, data={"csrf_token": self.token, **data})
        return self._checked(response, url, status)

    @staticmethod
    def _checked(response, url: str, status: int):
        response.get_data()
        if response.status_code != status:
            raise RuntimeError(f"{url} answered {response.status_code}, not {status}")
        return response


def scenario_source(body: str) -> str:
    return (
        f"id: {SLUG}\ntitle: T\nsummary: S\nprofessions: nursing\nauthor: staff | Tutor\n"
        f"licence: CC BY-SA 4.0\nstart: a\n\n:: a | A\n\n{body}\n\n"
        ":: b | B\nending: End\n\nDone.\n\ndebrief:\nD.\n"
    )


def headings() -> str:
    """Blocks of 999 heading lines: 4.5 s of Markdown before the bound."""
    block = "\n".join(["# h"] * 999) + "\n\n"
    return (block * (MAX_MARKDOWN_CHARS // len(block) + 1))[:MAX_MARKDOWN_CHARS]


def busiest_markdown() -> str:
    """Nested lists, as many items as one text may render as Markdown (MAX_ELEMENTS: a line
    and a marker each, so a block of 50 items counts 100)."""
    block = "\n".join(["- a\n    - b"] * 25)
    return "\n\n".join([block] * (MAX_ELEMENTS // 100 - 1))


def filling(head: str, line: Callable[[int], str], most: int | None = None) -> str:
    """``head`` and then ``line(0)``, ``line(1)``, ... for as long as the form that sends the
    text (URL-encoded, as a browser sends a text area) stays under the request size limit."""
    lines, size = [head], len(quote_plus(head)) + 2_000  # room for the other fields
    while most is None or len(lines) <= most:
        size += len(quote_plus(line(len(lines) - 1) + "\n"))
        if size > MAX_REQUEST_BYTES:
            break
        lines.append(line(len(lines) - 1))
    return "\n".join(lines) + "\n"


def many_options(slug: str) -> str:
    """One question whose options, each with a feedback in Markdown, fill the form."""
    head = (
        f"id: {slug}\nmodule: night\ntitle: Q\nsummary: S\npass_mark: 60\nattempts: 3\n"
        "author: staff | Tutor\nlicence: CC BY-SA 4.0\n\n:: q1 | Q\ntype: single\npoints: 1\n\n"
        "Choose.\n"
    )
    return filling(head, lambda n: f"- [{'x' if n == 0 else ' '}] O{n}\n  feedback: *F* {n}")


def crowded_source() -> str:
    """A scenario of as many nodes as allowed, each with eight choices."""
    nodes = "".join(
        f":: n{n} | Step {n}\n\nText.\n\n"
        + "".join(f"[[Choice {k} -> n{(n + k) % MAX_NODES}]]\n" for k in range(1, 9))
        + "\n"
        for n in range(MAX_NODES)
    )
    return (
        "id: crowded\ntitle: T\nsummary: S\nprofessions: nursing\nauthor: staff | Tutor\n"
        f"licence: CC BY-SA 4.0\nstart: n0\n\n{nodes}"
    )


def page_cases(app) -> list[Case]:
    with app.app_context():
        create_or_update_account(EMAIL, "Author", PASSWORD, {Role.PATIENT_EDUCATOR}, None)
        db.session.remove()
    author = Author(app)
    editor = f"/studio/scenario/{SLUG}"
    new_document = {"kind": "scenario", "slug": SLUG, "title": "T", "credit": "carer"}
    author.post("/studio/new", new_document, status=302)
    # As many of the short lines as one form can send (and a text may have to be compared).
    kinds = len(COMMON_LINES)
    old = filling("", lambda n: COMMON_LINES[n % kinds], most=MAX_COMPARED_LINES)[1:]
    shuffled = old.splitlines()
    random.Random(25).shuffle(shuffled)
    new = "\n".join(shuffled) + "\n"
    for base, source in ((1, old), (2, new)):
        author.post(f"{editor}/save", {"base": base, "source": source}, status=302)
    with app.app_context():
        _publish(SLUG, [2, 3])
    largest_map_page = "/studio/scenario/crowded/map"
    crowded = {"kind": "scenario", "slug": "crowded", "title": "T", "credit": "carer"}
    author.post("/studio/new", crowded, status=302)
    author.post("/studio/scenario/crowded/save", {"base": 1, "source": crowded_source()}, 302)
    quiz = {"kind": "assessment", "slug": "quiz", "title": "Q", "credit": "carer"}
    author.post("/studio/new", quiz, status=302)
    options = many_options("quiz")
    stale = {"base": 2, "source": old.replace("The nurse waits.", "The nurse waits, again.")}
    lines = f"{len(shuffled):,} reordered lines of 5 kinds"
    items = busiest_markdown().count("- ")
    return [
        Case(f"history diff page: {lines}", PAGE_BUDGET,
             lambda: author.get(f"{editor}/diff?from=2&to=3")),
        Case(f"version page: {lines}", PAGE_BUDGET, lambda: author.get(f"{editor}/versions/2")),
        Case(f"merge page (409): {lines}", PAGE_BUDGET,
             lambda: author.post(f"{editor}/save", stale, status=409)),
        Case(f"map page: {MAX_NODES:,} nodes of 8 choices (refused, with the outline)",
             PAGE_BUDGET, lambda: author.get(largest_map_page)),
        Case("preview: a node of 200,000 characters of headings", PREVIEW_BUDGET,
             lambda: author.post(f"{editor}/preview",
                                 {"source": scenario_source(headings()), "node": "a"})),
        Case(f"preview: a node of {items:,} list items (one text's budget)", PREVIEW_BUDGET,
             lambda: author.post(f"{editor}/preview",
                                 {"source": scenario_source(busiest_markdown()), "node": "a"})),
        Case(f"preview: a question of {options.count('feedback:'):,} option feedbacks (1 MB)",
             PREVIEW_BUDGET,
             lambda: author.post("/studio/assessment/quiz/preview",
                                 {"source": options, "node": "q1"})),
    ]  # fmt: skip


def _publish(slug: str, numbers: list[int]) -> None:
    """Published versions of these revisions, written directly: approval is not measured."""
    document = db.session.scalar(sa.select(Document).where(Document.slug == slug))
    for version, number in enumerate(numbers, start=1):
        revision = db.session.scalar(
            sa.select(Revision).where(
                Revision.document_id == document.id, Revision.number == number
            )
        )
        db.session.add(
            Version(
                document=document,
                number=version,
                revision_id=revision.id,
                source=revision.source,
                title="T",
                summary="",
                sort_order=None,
            )
        )
    db.session.commit()
    db.session.remove()


# -- report ---------------------------------------------------------------------------------


def timed(case: Case, runs: int) -> float:
    """One warm-up, then the median of ``runs`` runs, in seconds."""
    case.run()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        case.run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.limits", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"# load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    width = 72
    print(f"{'case':<{width}}  {'median s':>8}  {'budget s':>8}", flush=True)
    over = []
    with fresh_database("sqlite") as url:
        app = bench_app(url)
        for case in [*diff_cases(), *engine_cases(), *page_cases(app)]:
            seconds = timed(case, args.runs)
            flag = "" if seconds <= case.budget else "  OVER BUDGET"
            print(f"{case.what:<{width}}  {seconds:>8.2f}  {case.budget:>8.1f}{flag}", flush=True)
            if flag:
                over.append(case.what)
    print("\nOver budget: " + "; ".join(over) if over else "\nEvery case within its budget.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
