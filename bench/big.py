"""Time the studio at generated scenarios of 500, 2,000 and 5,000 nodes ("Big scenarios").

    python -m bench.big [--sizes 500 2000 5000] [--runs 3]

Issue 13's targets at 5,000 nodes: parse and validate under 1 s, the map laid out under 3 s,
a one-line diff and a merge under 1 s, the editor's live check and preview without lag. The
scenarios come from bench/big_scenario.py (deterministic). Each figure is the median of
``--runs`` runs after a warm-up; the check and preview go through the Flask test client on a
throwaway SQLite database, signed in as an author. Nothing is asserted.
"""

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable

from bench.big_scenario import big_scenario, one_line_changed
from bench.databases import bench_app, fresh_database
from bench.limits import EMAIL, PASSWORD, SLUG, Author
from eduapp.accounts.models import Role
from eduapp.accounts.services import create_or_update_account
from eduapp.engine import read_scenario
from eduapp.extensions import db
from eduapp.studio import drafts
from eduapp.studio.diff import compare
from eduapp.studio.merge import merge
from eduapp.studio.scenario_map import MapTooLarge, layout_scenario, layout_with_dot


def timed(run: Callable[[], object], runs: int) -> float:
    run()
    times = []
    for _ in range(runs):
        drafts.DRAFTS.clear()  # a keystroke sends a text never seen before
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def grandalf(scenario):
    try:
        return layout_scenario(scenario)
    except MapTooLarge:
        return None  # refused: the page shows the outline


def pages(source: str, runs: int) -> dict[str, float]:
    """POST .../check and .../preview of ``source`` through the test client, as studio.js does
    while the author types; then the map page, the history's diff of a one-line change, and
    a save that is merged with another author's (one run)."""
    figures = {}
    with fresh_database("sqlite") as url:
        app = bench_app(url)
        with app.app_context():
            create_or_update_account(EMAIL, "Author", PASSWORD, {Role.PATIENT_EDUCATOR}, None)
            db.session.commit()
        author = Author(app)
        new = {"kind": "scenario", "slug": SLUG, "title": "T", "credit": "carer"}
        author.post("/studio/new", new, status=302)
        page = f"/studio/scenario/{SLUG}"
        data = {"source": source, "node": "n0"}
        figures["check"] = timed(lambda: author.post(f"{page}/check", data), runs)
        figures["preview"] = timed(lambda: author.post(f"{page}/preview", data), runs)
        saved = {"source": source, "base": 1, "message": "Big"}
        author.post(f"{page}/save", saved, status=302)
        # The map page: dot's layout (or grandalf's, or the outline) and 5,000 boxes drawn.
        figures["map page"] = timed(lambda: author.get(f"{page}/map"), runs)
        theirs = one_line_changed(source, 7, "theirs")
        author.post(f"{page}/save", {**saved, "base": 2, "source": theirs}, status=302)
        figures["diff page"] = timed(lambda: author.get(f"{page}/diff?from=2&to=3"), runs)
        # A save from revision 2 that meets revision 3: merged by node, no page to show.
        mine = one_line_changed(source, 9, "mine")
        figures["save merged"] = timed(
            lambda: author.post(f"{page}/save", {**saved, "base": 2, "source": mine}, status=302),
            1,
        )
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-pages", action="store_true", help="skip check and preview")
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f}; dot: {shutil.which('dot') or 'not installed'}")
    print(f"{'nodes':>6} {'bytes':>9}  what: median seconds of {args.runs} runs")
    for size in args.sizes:
        source = big_scenario(size)
        scenario, _ = read_scenario(source)
        theirs = one_line_changed(source, size // 2, "theirs")
        mine = one_line_changed(source, size // 3, "mine")
        figures = {
            "parse+validate": timed(lambda s=source: read_scenario(s), args.runs),
            "map (dot)": timed(lambda s=scenario: layout_with_dot(s), args.runs)
            if shutil.which("dot")
            else float("nan"),
            "map (grandalf)": timed(lambda s=scenario: grandalf(s), args.runs),
            "one-line diff": timed(lambda a=source, b=theirs: compare(a, b), args.runs),
            "merge of two one-node edits": timed(
                lambda a=source, b=theirs, c=mine: merge(a, b, c), args.runs
            ),
        }
        if not args.no_pages:
            figures.update(pages(source, args.runs))
        line = "  ".join(f"{what} {seconds:.3f}" for what, seconds in figures.items())
        print(f"{size:>6} {len(source.encode()):>9}  {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
