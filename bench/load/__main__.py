"""Load and fault test: ``python -m bench.load`` (what ``make reliability`` runs).

Exits 1 if any acknowledged choice or reflection is lost, duplicated or inconsistent with its
attempt, or if any error page shows a traceback.
"""

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.load.learner import Behaviour
from bench.load.processes import ROOT
from bench.load.report import text, write_docs
from bench.load.run import Settings, run_backend


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--postgres-seconds", type=float, default=75)
    parser.add_argument("--sqlite-seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--think", type=float, nargs=2, default=(0.2, 1.0), metavar=("MIN", "MAX"),
        help="seconds a learner pauses before each action (uniform between MIN and MAX)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load")
    parser.add_argument(
        "--write-docs", action="store_true", help="put the figures into docs/reliability.md"
    )
    args = parser.parse_args(argv)
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    results = []
    for backend in backends:
        seconds = args.postgres_seconds if backend == "postgresql" else args.sqlite_seconds
        print(f"== {backend}: {args.learners} learners for {seconds:g} s ...", flush=True)
        behaviour = Behaviour(think=tuple(args.think))
        settings = Settings(
            backend, args.learners, seconds, args.workers, seed=args.seed, behaviour=behaviour
        )
        result = run_backend(settings, args.out)
        results.append(result)
        print(text(result), flush=True)
        for problem in result["check"]["problems"]:
            print(f"  PROBLEM: {problem}")
        for answer in result["unexpected_answers"]:
            print(f"  unexpected: {answer}")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    (args.out / "last-run.json").write_text(json.dumps({"when": when, "runs": results}, indent=1))
    if args.write_docs:
        write_docs(results, when, ROOT / "docs" / "reliability.md")
    ok = all(result["ok"] for result in results)
    print("reliability: PASS (nothing lost)" if ok else "reliability: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
