"""Check the course and print a report; the exit status is 1 when there are problems.

Usage: python -m eduapp.engine [CURRICULUM_DIR SCENARIOS_DIR] (default: curriculum scenarios)
"""

import argparse
import sys
from pathlib import Path

from .course import check_course
from .report import format_report


def main(argv: list[str] | None = None) -> int:
    """Check the course folders, print the report, and return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m eduapp.engine", description=__doc__)
    parser.add_argument("curriculum_dir", nargs="?", default="curriculum", type=Path)
    parser.add_argument("scenarios_dir", nargs="?", default="scenarios", type=Path)
    args = parser.parse_args(argv)
    report = check_course(args.curriculum_dir, args.scenarios_dir)
    print(format_report(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
