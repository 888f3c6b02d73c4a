"""Time every dashboard query and page at several cohort sizes, on SQLite and PostgreSQL.

    python -m bench.dashboards --sizes 100 1000 10000 --backends sqlite postgresql

For each backend and size: a fresh database, migrated, filled by ``bench.generate``; then each
query function and each page (through the Flask test client, signed in as the tutor, or as a
learner for the ending page) is run once to warm up and five times timed with
``time.perf_counter``. Prints the median and p95 (nearest rank) in milliseconds, the growth
ratio for ten times the learners, and flags what misses the targets. Nothing is asserted.
"""

import argparse
import itertools
import json
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from flask import Flask, url_for

from bench.databases import BACKENDS, analyze, bench_app, fresh_database
from bench.generate import Generated, generate
from bench.subjects import Page, Query, pages, queries
from eduapp.extensions import db

RUNS = 5
PAGE_TARGET_MS = 300.0
TARGET_SIZE = 10_000
RATIO_TARGET = 3.0
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class PageFailed(RuntimeError):
    """A page answered something other than 200."""


@dataclass(frozen=True)
class Figure:
    backend: str
    size: int
    kind: str
    what: str
    median_ms: float
    p95_ms: float
    #: Why its time grows with the cohort by nature ("" when it must not).
    grows_because: str = ""


def _timed(run: Callable[[], float]) -> tuple[float, float]:
    """One warm-up, then RUNS timings; (median, nearest-rank p95) in milliseconds."""
    run()
    samples = sorted(run() for _ in range(RUNS))
    p95 = samples[min(len(samples), math.ceil(0.95 * len(samples))) - 1]
    return statistics.median(samples), p95


def time_query(app: Flask, g: Generated, query: Query) -> tuple[float, float]:
    def run() -> float:
        # A fresh app context (and session) each time, as each request has.
        with app.app_context():
            arguments = query.prepare(g)
            start = time.perf_counter()
            query.call(*arguments)
            elapsed = time.perf_counter() - start
            db.session.remove()
        return elapsed * 1000

    return _timed(run)


def _signed_in(app: Flask, email: str, password: str):
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    match = CSRF.search(html)
    token = next(group for group in match.groups() if group)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in as {email}: {response.status_code}")
    return client


def time_page(app: Flask, clients: dict, g: Generated, page: Page) -> tuple[float, float]:
    with app.test_request_context():
        url = url_for(page.endpoint, **page.arguments(g))
    client = clients[page.who]

    def run() -> float:
        start = time.perf_counter()
        response = client.get(url)
        response.get_data()
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise PageFailed(f"{url} answered {response.status_code}")
        return elapsed * 1000

    return _timed(run)


def measure(backend: str, size: int, report: Callable[[str], None]) -> list[Figure]:
    """Generate a cohort of ``size`` learners on a fresh database and time everything."""
    figures = []
    with fresh_database(backend) as url:
        app = bench_app(url)
        start = time.perf_counter()
        with app.app_context():
            g = generate(size)
            db.session.remove()
        analyze(app)
        seconds = time.perf_counter() - start
        report(
            f"# {backend}, {size} learners: generated {g.choice_events} choice events, "
            f"{g.attempts} attempts, {g.reflections} reflections in {seconds:.1f} s "
            f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        figures.append(Figure(backend, size, "setup", "generate", seconds * 1000, seconds * 1000))
        for query in queries():
            median, p95 = time_query(app, g, query)
            figures.append(
                Figure(backend, size, "query", query.name, median, p95, query.grows_because)
            )
            report(_line(figures[-1]))
        clients = {
            "tutor": _signed_in(app, g.tutor_email, g.password),
            "learner": _signed_in(app, g.learner_email, g.password),
        }
        for page in pages(app):
            try:
                median, p95 = time_page(app, clients, g, page)
            except PageFailed as error:
                # Pages are built alongside the benchmark: report a broken one, time the rest.
                report(f"ERROR {backend} {size}: {page.name}: {error}")
                continue
            figures.append(
                Figure(backend, size, "page", page.name, median, p95, page.grows_because)
            )
            report(_line(figures[-1]))
        with app.app_context():
            db.engine.dispose()
    return figures


def _line(f: Figure) -> str:
    return f"  {f.kind:<5} {f.what:<44} {f.median_ms:>9.1f} ms  (p95 {f.p95_ms:.1f})"


def growth(figures: list[Figure]) -> list[tuple[Figure, Figure, float]]:
    """(smaller, larger, time ratio) for each subject between consecutive sizes."""
    by_subject: dict[tuple, list[Figure]] = {}
    for f in figures:
        if f.kind != "setup":
            by_subject.setdefault((f.backend, f.kind, f.what), []).append(f)
    result = []
    for series in by_subject.values():
        series.sort(key=lambda f: f.size)
        for small, large in itertools.pairwise(series):
            result.append((small, large, large.median_ms / max(small.median_ms, 1e-6)))
    return result


def flags(figures: list[Figure]) -> list[str]:
    found = []
    for f in figures:
        slow = f.kind == "page" and f.backend == "postgresql" and f.size >= TARGET_SIZE
        if slow and f.median_ms > PAGE_TARGET_MS:
            note = f" ({f.grows_because})" if f.grows_because else ""
            found.append(f"SLOW  {f.backend} {f.size}: {f.what} {f.median_ms:.0f} ms{note}")
    for small, large, ratio in growth(figures):
        if ratio >= RATIO_TARGET:
            note = f" ({large.grows_because}: grows with the cohort)" if large.grows_because else ""
            found.append(
                f"RATIO {large.backend} {small.size}->{large.size}: {large.what} x{ratio:.1f} "
                f"({small.median_ms:.1f} -> {large.median_ms:.1f} ms){note}"
            )
    return found


def print_report(figures: list[Figure], out=sys.stdout) -> None:
    width = max(len(f.what) for f in figures)
    print(
        f"\n{'backend':<10} {'learners':>8}  {'kind':<5}  {'what':<{width}}  "
        f"{'median ms':>9}  {'p95 ms':>8}",
        file=out,
    )
    for f in figures:
        print(
            f"{f.backend:<10} {f.size:>8}  {f.kind:<5}  {f.what:<{width}}  "
            f"{f.median_ms:>9.1f}  {f.p95_ms:>8.1f}",
            file=out,
        )
    print("\nGrowth (median time ratio when the cohort grows):", file=out)
    for small, large, ratio in growth(figures):
        print(
            f"{large.backend:<10} {small.size:>6} -> {large.size:<6} {large.what:<{width}}  "
            f"x{ratio:.2f}",
            file=out,
        )
    found = flags(figures)
    judged = any(f.backend == "postgresql" and f.size >= TARGET_SIZE for f in figures)
    if not found:
        print("\nNo page or ratio over target.", file=out)
    else:
        print("\nOver target:", file=out)
    if not judged:
        print(f"(Pages are judged at {TARGET_SIZE:,} learners on PostgreSQL: not run.)", file=out)
    for line in found:
        print("  " + line, file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboards", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures = []
    for backend in args.backends:
        for size in args.sizes:
            figures.extend(measure(backend, size, lambda line: print(line, flush=True)))
    print_report(figures)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump([asdict(f) for f in figures], file, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
