"""Fuzzing the content parsers (SECURITY.md rows 22 and 23).

Whatever text reaches the scenario, module or assessment parser, it comes back as a model or
as a ContentError whose problems each name the file, a line of it and a plain message; never
as any other exception, and always within a time budget. Inputs are arbitrary text, and valid
files (real course files and generated ones) broken by deleting, repeating and swapping lines
and by inserting the format's own punctuation, deep nesting, huge numbers and long lines.
"""

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eduapp.engine import (
    ContentError,
    Problem,
    dump_module,
    dump_scenario,
    graph_facts,
    parse_assessment,
    parse_module,
    parse_scenario,
    read_scenario,
)
from tests.engine import strategies as engine_strategies
from tests.support.profiles import examples

ROOT = Path(__file__).resolve().parents[2]
#: Seconds of CPU one parse may use (typical inputs take milliseconds): far below what a
#: quadratic blow-up would cost. For the explicit megabyte inputs, LARGE_BUDGET.
BUDGET = 2.0
LARGE_BUDGET = 6.0
#: The clock on the wall may show more on a shared, busy machine (we saw four times the CPU
#: time), so it gets a looser bound: it still catches a hang, or waiting on anything.
WALL_FACTOR = 4
MAX_FILE_BYTES = 1024 * 1024


def _doc_example(doc: str) -> str:
    """The first ```text block of a format document: a complete, valid file."""
    source = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return re.search(r"```text\n(.*?)```", source, re.DOTALL).group(1)


def _files(folder: str) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((ROOT / folder).glob("*.md"))]


REAL_SCENARIOS = _files("scenarios") + _files("tests/engine/fixtures")
REAL_MODULES = _files("curriculum")
REAL_ASSESSMENTS = [*_files("curriculum/assessments"), _doc_example("assessment-format.md")]


def _read_scenario(text: str, filename: str):
    """read_scenario as the studio uses it on a draft: build what it can, then map it."""
    scenario, problems = read_scenario(text, filename)
    graph_facts(scenario)
    if problems:
        raise ContentError(problems)
    return scenario


PARSERS = {
    "scenario": parse_scenario,
    "draft": _read_scenario,
    "module": parse_module,
    "assessment": parse_assessment,
}


def assert_parsed_or_refused(parse, text: str, filename: str = "content/fuzz.md", budget=BUDGET):
    """The whole contract: a model, or problems that point into the file; and quickly."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        parse(text, filename)
    except ContentError as error:
        problems = error.problems
        assert problems, "a ContentError must say what is wrong"
    else:
        problems = []
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    took = f"parsing {len(text):,} characters took {cpu:.2f} s of CPU, {wall:.2f} s in all"
    assert cpu < budget and wall < budget * WALL_FACTOR, took
    line_count = text.count("\n") + 1
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.file == filename
        assert isinstance(problem.line, int) and 1 <= problem.line <= line_count + 1, problem
        assert isinstance(problem.message, str) and problem.message.strip(), problem
        assert "\n" not in problem.message and "Traceback" not in problem.message, problem


# --- inputs --------------------------------------------------------------------------------

#: Any encodable character (surrogates cannot be UTF-8), control characters and NUL included.
_ANY_CHAR = st.characters(codec="utf-8")
#: Pieces of the formats' own syntax, so that random text often looks almost right.
SYNTAX = (
    "[[", "]]", "::", "->", "|", ":", "\\", "#", "=", "==", "+=", "-=", "(", ")", ",",
    "- [x]", "- [X]", "- [ ]", "not ", " and ", " or ", "true", "false", "debrief:",
    "if:", "set:", "feedback:", "type:", "points:", "scale:", "rubric:", "panel:",
    "situation:", "hypothesis:", "new information:", "model answer:", "id:", "start:",
    "var ", "author:", "\n", "\r\n", "\r", "\t", "  ", "\x00", "\ufeff", "\u2028", "\x85",
    "-", "+", "0", "1", "999999999", "9999999999", "x", "é", "😀",
)  # fmt: skip
#: Whole lines that a parser may meet anywhere, each a likely edge of some rule.
HOSTILE_LINES = (
    "::",
    ":: ",
    ":: |",
    ":: a | A",
    ":: reading",
    ":: references",
    "\\::",
    "[[",
    "[[]]",
    "[[->]]",
    "[[ -> ]]",
    "[[a ->]]",
    "[[a -> b]]",
    "[[a -> b",
    "  if:",
    "  if: (",
    "  if: x == true",
    "  set:",
    "  set: x += true, y",
    "  feedback:",
    "  feedback: \\if: x",
    "debrief:",
    "\\debrief:",
    "ending:",
    "speaker: ",
    "var x",
    "var x = ",
    "var x = 9999999999",
    "var not = 1",
    "var x = 1 | a | b",
    "start:",
    "id: A",
    "author: |",
    "author: staff |",
    "professions: ,,,",
    "order: -",
    "pass_mark: 101",
    "attempts: 0",
    "type: scale",
    "type: concordance",
    "type: text",
    "points: 0",
    "points: 9999999999",
    "scale:",
    "scale: |",
    "scale: a = 1 | b",
    "scale: a = 99999999999 | b = 1",
    "rubric:",
    "rubric: x",
    "- x | 0",
    "- x |",
    "- | 1",
    "- [x]",
    "- [ ] a",
    "  feedback: a",
    "  feedback: a\r",
    "panel:",
    "panel: -2=0, -1=0, 0=0, +1=0, +2=0",
    "panel: +3=1",
    "panel: -2=1, -2=1",
    "panel: =,=,=",
    "feedback:",
    "situation:",
    "hypothesis:",
    "new information:",
    "model answer:",
    "#",
    "\x00",
    "\ufeff",
    "\r",
    "",
)


def _deep_line(depth: int) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            "  if: " + "(" * depth + "x" + ")" * depth,
            "  if: " + "(" * depth,
            "  if: " + "not " * depth + "x",
            "  if: " + " and ".join(["x == 1"] * depth),
            "  set: " + ", ".join(["x += 1"] * depth),
            "[[" + "[" * depth + " -> " + "]" * depth + "]]",
            "scale: " + " | ".join(f"s{i} = {i}" for i in range(depth)),
            "panel: " + ", ".join(["+1=1"] * depth),
        ]
    )


_huge_number = st.integers(10, 400).map(lambda digits: "9" * digits)
_long_line = st.sampled_from(["x", "[[", "::", "|", "(", "- [x] ", "\\", " "]).map(
    lambda piece: (piece * 10_000)[:10_000]
)
_new_line = st.one_of(
    st.sampled_from(HOSTILE_LINES),
    st.integers(1, 200).flatmap(_deep_line),
    _huge_number.map(lambda number: f"  set: x = {number}"),
    _huge_number.map(lambda number: f"points: {number}"),
    _long_line,
    st.lists(st.sampled_from(SYNTAX), max_size=12).map("".join),
)
_insertion = st.one_of(st.sampled_from(SYNTAX), _huge_number, st.text(_ANY_CHAR, max_size=3))


@st.composite
def _broken(draw, seeds: st.SearchStrategy[str]) -> str:
    """A valid file with a few lines deleted, repeated, swapped, replaced or spliced into."""
    lines = draw(seeds).split("\n")
    for _ in range(draw(st.integers(1, 8))):
        where = draw(st.integers(0, len(lines) - 1)) if lines else 0
        action = draw(st.sampled_from(["delete", "repeat", "swap", "replace", "add", "splice"]))
        if action == "delete" and lines:
            del lines[where]
        elif action == "repeat" and lines:
            lines[where:where] = [lines[where]] * draw(st.integers(1, 3))
        elif action == "swap" and lines:
            other = draw(st.integers(0, len(lines) - 1))
            lines[where], lines[other] = lines[other], lines[where]
        elif action == "replace" and lines:
            lines[where] = draw(_new_line)
        elif action == "add":
            lines.insert(where, draw(_new_line))
        elif lines:
            column = draw(st.integers(0, len(lines[where])))
            line = lines[where]
            lines[where] = line[:column] + draw(_insertion) + line[column:]
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


_scenario_seeds = st.one_of(
    st.sampled_from(REAL_SCENARIOS), engine_strategies.scenarios().map(dump_scenario)
)
_module_seeds = st.one_of(st.sampled_from(REAL_MODULES), engine_strategies.modules.map(dump_module))
_assessment_seeds = st.sampled_from(REAL_ASSESSMENTS)

#: Broken files for each parser; a draft is a scenario file the studio has not saved yet.
BROKEN = {
    "scenario": _broken(_scenario_seeds),
    "draft": _broken(_scenario_seeds),
    "module": _broken(_module_seeds),
    "assessment": _broken(_assessment_seeds),
}
_random_text = st.one_of(
    st.text(_ANY_CHAR, max_size=2000),
    st.lists(st.sampled_from(SYNTAX) | st.text(_ANY_CHAR, max_size=4), max_size=300).map("".join),
)

# Hypothesis warns (and pyproject turns warnings into errors) when drawing these inputs is
# slow or large: long lines and whole course files are the point here, not a mistake.
FUZZ = settings(
    max_examples=examples(40),
    deadline=None,  # the budget is checked in the test, with a bound that suits a busy machine
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", PARSERS)
@FUZZ
@given(text=_random_text)
@example(text="")
@example(text="\x00")
@example(text="\ufeff::")
@example(text="::\r\n[[\r\n  if: (\r")
@example(text=":: a | A\n\n[[x -> a]]\n\n  feedback: x\n- [x]")
def test_arbitrary_text_is_parsed_or_cleanly_refused(kind, text):
    assert_parsed_or_refused(PARSERS[kind], text)


@pytest.mark.parametrize("kind", PARSERS)
@FUZZ
@given(data=st.data())
def test_broken_files_are_parsed_or_cleanly_refused(kind, data):
    text = data.draw(BROKEN[kind], label="text")
    assert_parsed_or_refused(PARSERS[kind], text)


@pytest.mark.parametrize("kind", PARSERS)
@settings(FUZZ, max_examples=examples(6))
@given(data=st.data())
def test_files_near_the_size_limit_finish_within_the_budget(kind, data):
    """A broken file repeated to up to 200 KB: many problems, still linear time."""
    text = data.draw(BROKEN[kind], label="text")
    copies = data.draw(st.integers(1, max(1, 200_000 // max(1, len(text)))), label="copies")
    assert_parsed_or_refused(PARSERS[kind], "\n".join([text] * copies))


HEADERS = {
    "scenario": "id: big\ntitle: B\nsummary: S\nprofessions: other\nauthor: staff | T\n"
    "licence: L\nstart: a\n",
    "module": "id: big\ntitle: B\norder: 1\nsummary: S\noutcome: O\nauthor: staff | T\n"
    "licence: L\n",
    "assessment": "id: big\nmodule: big\ntitle: B\nsummary: S\npass_mark: 50\nattempts: 1\n"
    "author: staff | T\nlicence: L\n",
}
#: A megabyte of one shape each: nesting, syntax repeated, lines of problems, one huge line.
MEGABYTE_SHAPES = {
    "parentheses": "(" * MAX_FILE_BYTES,
    "condition": ":: a | A\n\n[[x -> a]]\n  if: " + "(" * MAX_FILE_BYTES,
    "not": ":: a | A\n\n[[x -> a]]\n  if: " + "not " * (MAX_FILE_BYTES // 4),
    "brackets": "[[" * (MAX_FILE_BYTES // 2),
    "choices": ":: a | A\n\n" + "[[x -> a]]\n" * (MAX_FILE_BYTES // 11),
    "node lines": ":: a | A\n" * (MAX_FILE_BYTES // 9),
    "colons": "::" * (MAX_FILE_BYTES // 2),
    "bad header": "x\n" * (MAX_FILE_BYTES // 2),
    "unknown keys": "k: v\n" * (MAX_FILE_BYTES // 5),
    "options": ":: q | Q\ntype: single\n\nQ?\n\n" + "- [x] a\n  feedback: f\n" * 45_000,
    "feedback": ":: a | A\n\n[[x -> a]]\n  feedback: f\n" + "  g\n" * 250_000,
    "rubric": ":: q | Q\ntype: text\n\nQ?\n\nrubric:\n" + "- c | 999999999\n" * 60_000,
    "one line": "x" * MAX_FILE_BYTES,
    "blank lines": "\n" * MAX_FILE_BYTES,
    "carriage returns": "\r" * MAX_FILE_BYTES,
    "NUL": "\x00" * MAX_FILE_BYTES,
    "markdown": "> - [*" * (MAX_FILE_BYTES // 6),
}


#: Each shape against the parser it can hurt most; "bad header" gives half a million problems.
MEGABYTE_CASES = [
    *(("scenario", shape) for shape in MEGABYTE_SHAPES if shape not in ("options", "rubric")),
    *(("module", shape) for shape in ("colons", "node lines", "unknown keys", "blank lines")),
    *(("assessment", shape) for shape in ("options", "rubric", "colons", "node lines", "NUL")),
]


@pytest.mark.parametrize(("kind", "shape"), MEGABYTE_CASES)
def test_a_megabyte_of_hostile_text_is_refused_or_parsed_quickly(kind, shape):
    text = (HEADERS[kind] + MEGABYTE_SHAPES[shape])[:MAX_FILE_BYTES]
    assert len(text.encode("utf-8")) <= MAX_FILE_BYTES  # so size alone does not refuse it
    assert_parsed_or_refused(PARSERS[kind], text, budget=LARGE_BUDGET)


@pytest.mark.parametrize("kind", ["scenario", "module", "assessment"])
def test_one_byte_over_a_megabyte_is_refused_before_parsing(kind):
    text = HEADERS[kind] + "é" * MAX_FILE_BYTES
    started = time.perf_counter()
    with pytest.raises(ContentError) as caught:
        PARSERS[kind](text, "content/big.md")
    assert time.perf_counter() - started < LARGE_BUDGET * WALL_FACTOR
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("content/big.md", 1)


@pytest.mark.parametrize(
    ("kind", "seeds"),
    [("scenario", REAL_SCENARIOS), ("module", REAL_MODULES), ("assessment", REAL_ASSESSMENTS)],
)
def test_the_seeds_are_valid_files(kind, seeds):
    """The broken files above start from valid ones, so every rule is within reach."""
    for text in seeds:
        PARSERS[kind](text, "seed.md")
