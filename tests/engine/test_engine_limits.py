"""Hostile files are refused quickly and cleanly (SECURITY.md row 22), and no value a file
gives is longer than the column that keeps it (row 35)."""

import re
import time
from pathlib import Path

import pytest

from eduapp.engine import (
    MAX_CHOICE_LABEL_CHARS,
    MAX_TITLE_CHARS,
    ContentError,
    parse_assessment,
    parse_module,
    parse_scenario,
)

HEADER = (
    "id: big\ntitle: Big\nsummary: S\nprofessions: other\nauthor: staff | Tutor\n"
    "licence: CC BY-SA 4.0\nstart: n0\n"
)


def refused(text: str, parse=parse_scenario) -> list[str]:
    started = time.process_time()
    with pytest.raises(ContentError) as caught:
        parse(text, "big.md")
    assert time.process_time() - started < 2
    return [p.message for p in caught.value.problems]


def test_fifty_thousand_nodes_are_refused_early():
    text = HEADER + "".join(f":: n{i} | N\n" for i in range(50_000))
    assert len(text.encode()) < 1024 * 1024  # so it is the node count that refuses it
    [message] = refused(text)
    assert message == (
        "This scenario has 50,000 nodes; the limit is 5,000. Split it into smaller scenarios."
    )


def test_more_than_a_megabyte_is_refused():
    assert refused(HEADER + "x" * (2 * 1024 * 1024)) == [
        "This file is larger than 2 MB; split it into smaller files."
    ]
    assert refused("é" * 1_100_000, parse_module) == [
        "This file is larger than 2 MB; split it into smaller files."
    ]


@pytest.mark.parametrize(
    "garbage",
    [
        "(" * 1_000_000,
        "  if: " + "(" * 999_000,
        "[[" + "->" * 499_000,
        "  set: " + "x += 1, " * 120_000,
        "*" * 1_000_000,
        "[[a -> b]]\n" + "  if: " + "not " * 200_000,
    ],
)
def test_a_megabyte_of_nested_garbage_is_a_content_error(garbage):
    text = (HEADER + ":: n0 | N\n\n" + garbage)[: 1024 * 1024]
    assert refused(text)


def test_many_nested_lines_stay_linear():
    node = ":: n{0} | N\n\n[[a -> n{1}]]\n  if: " + "(" * 30 + "true" + ")" * 30 + "\n\n"
    text = HEADER + "".join(node.format(i, i + 1) for i in range(1999))
    text += ":: n1999 | End\nending: E\n\ndebrief:\nD\n"
    started = time.process_time()
    assert len(parse_scenario(text).nodes) == 2000
    assert time.process_time() - started < 2


# Values kept in columns of limited size (SECURITY.md row 35) ------------------------------
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MINIMAL = (Path(__file__).resolve().parent / "fixtures" / "minimal.md").read_text(encoding="utf-8")
ASSESSMENT = (FIXTURES / "course" / "curriculum" / "assessments" / "test-module.md").read_text(
    encoding="utf-8"
)
MODULE = (FIXTURES / "course" / "curriculum" / "test-module.md").read_text(encoding="utf-8")


def _problems(parse, text: str) -> list[str]:
    with pytest.raises(ContentError) as caught:
        parse(text, "f.md")
    return [str(problem) for problem in caught.value.problems]


def _line_of(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if line.startswith(start))


@pytest.mark.parametrize(
    "parse, text",
    [(parse_scenario, MINIMAL), (parse_module, MODULE), (parse_assessment, ASSESSMENT)],
)
def test_a_title_longer_than_stored_is_refused_at_its_line(parse, text):
    line = _line_of(text, "title:")
    title = re.search(r"^title: (.*)$", text, re.MULTILINE)[1]
    assert parse(text.replace(title, "é" * MAX_TITLE_CHARS, 1), "f.md")
    assert _problems(parse, text.replace(title, "é" * (MAX_TITLE_CHARS + 1), 1)) == [
        f"f.md:{line}: 'title:' is 201 characters long; the limit is 200."
    ]


def test_a_choice_label_longer_than_stored_is_refused_at_its_line():
    label = "Answer what you can"
    line = _line_of(MINIMAL, f"[[{label}")
    longest = parse_scenario(MINIMAL.replace(label, "é" * MAX_CHOICE_LABEL_CHARS), "f.md")
    assert longest.nodes[0].choices[0].label == "é" * MAX_CHOICE_LABEL_CHARS
    assert _problems(parse_scenario, MINIMAL.replace(label, "x" * 2700)) == [
        f"f.md:{line}: This choice label is 2,700 characters long; the limit is 300. "
        "Keep the button short and put the rest in the node's text or the feedback."
    ]
