"""Checking a whole course folder, the report, and the command line."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eduapp.engine import check_course, format_report
from eduapp.engine.__main__ import main

FIXTURE = Path(__file__).parent / "fixtures" / "minimal.md"
MODULE = """\
id: {id}
title: A module
order: {order}
summary: A summary.
outcome: One outcome.
outcome: Another outcome.
scenario: minimal
{extra}author: staff | Tutor
licence: CC BY-SA 4.0

:: reading

Five words in this reading.
"""


@pytest.fixture
def course(tmp_path: Path) -> tuple[Path, Path]:
    curriculum, scenarios = tmp_path / "curriculum", tmp_path / "scenarios"
    curriculum.mkdir()
    scenarios.mkdir()
    shutil.copy(FIXTURE, scenarios / "minimal.md")
    (curriculum / "first.md").write_text(MODULE.format(id="first", order=1, extra=""))
    return curriculum, scenarios


def test_a_good_course(course):
    report = check_course(*course)
    assert report.problems == []
    assert report.ok
    assert set(report.scenarios) == {"minimal"}
    assert set(report.modules) == {"first"}
    [stats] = report.stats
    assert (stats.nodes, stats.decision_points, stats.endings) == (6, 3, 2)
    assert (stats.variables, stats.reflection_prompts) == (2, 1)


def test_cross_file_problems(course):
    curriculum, scenarios = course
    (curriculum / "second.md").write_text(
        MODULE.format(id="other", order=2, extra="scenario: missing-one\n")
    )
    (curriculum / "third.md").write_text(
        MODULE.format(id="third", order=3, extra="scenario: missing-one\n")
    )
    (scenarios / "broken.md").write_bytes(b"id: broken\ntitle: \xff\n")
    report = check_course(curriculum, scenarios)
    found = {(Path(p.file).name, p.line, p.message) for p in report.problems}
    assert (
        "second.md",
        1,
        "The id 'other' must match the file name: rename the file or the id.",
    ) in found
    assert any(
        name == "third.md" and line == 8 and "lists scenario 'missing-one'" in message
        for name, line, message in found
    )
    assert (
        "broken.md",
        2,
        "This file is not valid UTF-8 text; save it with UTF-8 encoding.",
    ) in found
    assert not report.ok


def test_an_ending_that_conditions_make_unreachable(course):
    curriculum, scenarios = course
    text = FIXTURE.read_text().replace("if: trust >= 3", "if: trust >= 30")
    (scenarios / "minimal.md").write_text(text)
    report = check_course(curriculum, scenarios)
    [problem] = report.problems
    assert problem.line == text.split("\n").index(":: partner | A partner in her care") + 1
    assert problem.message.startswith("Ending 'partner' cannot be reached in play")


def test_report_and_exit_status(course, capsys):
    curriculum, scenarios = course
    assert main([str(curriculum), str(scenarios)]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["minimal", "6", "3", "2", "2", "1"] in rows
    assert ["first", "1", "2", "5"] in rows
    (scenarios / "minimal.md").write_text(FIXTURE.read_text().replace("-> answer]]", "-> ans]]"))
    assert main([str(curriculum), str(scenarios)]) == 1
    out = capsys.readouterr().out
    assert f"{scenarios / 'minimal.md'}:" in out.split("\n")[0]


def test_format_report_lists_problems_first(course):
    curriculum, scenarios = course
    (curriculum / "first.md").write_text("id: first\n")
    text = format_report(check_course(curriculum, scenarios))
    assert text.startswith(f"{curriculum / 'first.md'}:1: ")
    assert text.endswith("problem(s)")


def test_missing_folders_are_problems(tmp_path):
    report = check_course(tmp_path / "nope", tmp_path / "nada")
    assert [p.message for p in report.problems] == ["This folder does not exist."] * 2


def test_python_dash_m(course):
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "eduapp.engine", *map(str, course)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "No problems." in result.stdout
