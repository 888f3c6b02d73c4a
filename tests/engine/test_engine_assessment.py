"""Assessments: the documented example, every problem with its line, round trips, scoring,
and assessments in the course check."""

import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eduapp.engine import (
    Assessment,
    Author,
    ContentError,
    InvalidAnswer,
    Option,
    Question,
    RubricCriterion,
    ScaleStep,
    check_course,
    dump_assessment,
    format_report,
    parse_assessment,
    score_answer,
    score_attempt,
)
from eduapp.engine._text import clean_text
from tests.engine.strategies import TRICKY_LINES, authors, feedback_text, one_line, scenario_ids
from tests.support.profiles import examples

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "fixtures" / "course"
FIXTURE = (COURSE / "curriculum" / "assessments" / "test-module.md").read_text(encoding="utf-8")
DOC = (ROOT / "docs" / "assessment-format.md").read_text(encoding="utf-8")
HEADER = FIXTURE.split("\n::")[0] + "\n"
EXAMPLE = re.search(r"```text\n(.*?)```", DOC, re.DOTALL)[1]


def line_of(text: str, start: str) -> int:
    """1-based number of the first line starting with ``start``."""
    return next(i for i, line in enumerate(text.split("\n"), 1) if line.startswith(start))


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(ContentError) as caught:
        parse_assessment(text, "a.md")
    assert all(p.file == "a.md" for p in caught.value.problems)
    return [(p.line, p.message) for p in caught.value.problems]


# --- the documented example and the fixture ---------------------------------------------------


def test_documented_example_has_every_type_and_parses():
    assessment = parse_assessment(EXAMPLE, "curriculum/assessments/hidden-curriculum.md")
    assert [q.type for q in assessment.questions] == [
        "single",
        "multiple",
        "text",
        "scale",
        "scale",
        "concordance",
    ]
    assert (assessment.pass_mark, assessment.attempts) == (70, 3)
    assert assessment.authors[0] == Author(
        "patient educator", "Patient educator, lived experience of heart failure"
    )
    single, multiple, text, likert, habit, sct = assessment.questions
    assert single.options[1] == Option(
        "What learners pick up from how the team actually behaves.",
        True,
        "Yes: the norms, habits and hierarchies no syllabus lists.",
    )
    assert single.feedback == 'See the reading, section "What the ward teaches".'
    assert (multiple.points, sum(o.is_correct for o in multiple.options)) == (2, 3)
    assert text.rubric[1] == RubricCriterion("Keeps the patient's priorities in view", 2)
    assert text.model_answer.startswith("I would acknowledge")
    assert text.feedback.endswith("not winning the argument.")
    assert (likert.points, likert.scale[0]) == (0, ScaleStep("Not at all confident"))
    assert (habit.points, habit.scale[3]) == (2, ScaleStep("Always", 2))
    assert sct.stem == ""
    assert sct.situation.startswith("Mr Adeyemi, 74") and "\n" in sct.situation
    assert sct.hypothesis == "keeping him in hospital until Monday as planned"
    assert sct.new_information.startswith("his daughter can stay")
    assert sct.panel == (4, 5, 1, 0, 0)
    assert sct.line == line_of(EXAMPLE, ":: discharge")


def test_fixture_parses_and_round_trips():
    assessment = parse_assessment(FIXTURE, "test-module.md")
    assert assessment.module == "test-module"
    assert {q.type for q in assessment.questions} == {
        "single",
        "multiple",
        "text",
        "scale",
        "concordance",
    }
    assert parse_assessment(dump_assessment(assessment)) == assessment
    assert parse_assessment(dump_assessment(parse_assessment(EXAMPLE))) == parse_assessment(EXAMPLE)


def test_exact_output_and_escapes():
    question = Question(
        "q1",
        "First | question",
        "single",
        stem="- [x] not an option\n\\feedback: kept\n  - [ ] indented stays",
        options=(
            Option("Yes", True, "One.\n\nfeedback: two"),
            Option("No"),
        ),
        feedback="::\nrubric:",
    )
    assessment = Assessment(
        "small",
        "a-module",
        "Small",
        "S.",
        50,
        None,
        (Author("staff", "Tutor"),),
        "CC0",
        (question,),
    )
    text = dump_assessment(assessment)
    assert text == (
        "id: small\n"
        "module: a-module\n"
        "title: Small\n"
        "summary: S.\n"
        "pass_mark: 50\n"
        "attempts: unlimited\n"
        "author: staff | Tutor\n"
        "licence: CC0\n"
        "\n"
        ":: q1 | First | question\n"
        "type: single\n"
        "\n"
        "\\- [x] not an option\n"
        "\\\\feedback: kept\n"
        "  - [ ] indented stays\n"
        "\n"
        "- [x] Yes\n"
        "  feedback: One.\n"
        "\n"
        "    \\feedback: two\n"
        "- [ ] No\n"
        "\n"
        "feedback:\n"
        "\\::\n"
        "\\rubric:\n"
    )
    assert parse_assessment(text) == assessment


def test_windows_line_endings_and_a_bom():
    text = "\ufeff" + FIXTURE.replace("\n", "\r\n")
    assert parse_assessment(text) == parse_assessment(FIXTURE)


# --- problems, each on its line ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        ("pass_mark: 60", "pass_mark: 120", "pass_mark:", "percentage from 0 to 100, not '120'"),
        ("pass_mark: 60", "pass_mark: 60%", "pass_mark:", "percentage from 0 to 100"),
        ("attempts: 3", "attempts: 0", "attempts:", "from 1, or 'unlimited', not '0'"),
        ("attempts: 3", "attempts: many", "attempts:", "'unlimited', not 'many'"),
        ("module: test-module", "module: Test Module", "module:", "must be a module id"),
        ("attempts: 3\n", "", "id:", "The header has no 'attempts:' line."),
        ("licence:", "license:", "license:", "Unknown header key 'license'"),
        ("type: single", "type: choice", "type: choice", "Unknown question type 'choice'"),
        ("type: single\n", "", ":: meaning", "The question has no 'type:' line"),
        ("points: 2", "points: two", "points: two", "'points:' must be a whole number from 1"),
        ("points: 2", "points: 0", "points: 0", "'points:' must be a whole number from 1"),
        ("points: 2", "weight: 2", "weight:", "Unknown question attribute 'weight:'"),
        (":: contributions", ":: meaning", ":: meaning | What patients", "used twice"),
        (":: meaning | What co-creation means", ":: meaning", ":: meaning", "needs a title"),
        (":: meaning |", ":: Meaning |", ":: Meaning", "The question id 'Meaning' may use"),
        ("- [ ] The team", "- [x] The team", ":: meaning", "exactly one '- [x]' option, not 2"),
        ("- [x] Patients", "- [ ] Patients", ":: meaning", "exactly one '- [x]' option, not 0"),
        ("  feedback: Yes:", "  note: Yes:", "  note:", "indented lines start with 'feedback:'"),
        (
            "  feedback: Yes: each",
            "  feedback: Yes.\n  feedback: each",
            "  feedback: each",
            "'feedback:' appears twice under this option.",
        ),
        ("rubric:\n", "", ":: handover", "A text question needs a 'rubric:'"),
        ("own words | 2", "own words | 3", "rubric:", "add up to 5, but the question is worth 4"),
        ("own words | 2", "own words", "- States", "should look like '- criterion | points'"),
        ("rubric:\n", "rubric: all of it\n", "rubric:", "on the lines below 'rubric:'"),
        (
            "\nmodel answer:",
            "\n- [ ] An option\nmodel answer:",
            "- [ ] An option",
            "Options belong to single and multiple choice questions, not to a text one.",
        ),
        (
            "busy ward round?\n",
            "busy ward round?\n\nmodel answer: x\n",
            "model answer: x",
            "'model answer:' belongs to text questions, not to a scale question.",
        ),
        (
            "scale: Never = 0 | Sometimes = 1",
            "scale: Never | Sometimes = 1",
            "scale: Never",
            "Give every scale step points ('Agree = 2') or none.",
        ),
        ("scale: Not at all confident |", "scale: |", "scale: |", "has no label"),
        (
            "scale: Never = 0 | Sometimes = 1 | Usually = 2",
            "scale: Never",
            "scale: Never",
            "A scale needs at least two steps, separated by '|'.",
        ),
        ("scale: Never = 0 | Sometimes", "scale: Never = 0 | Never", "scale: Never", "twice"),
        ("Usually = 2", "Usually = 1234567890", "scale: Never", "at most 9 digits"),
        (
            "type: scale\nscale: Never",
            "type: scale\npoints: 3\nscale: Never",
            "points: 3",
            "A scale question takes its points from its steps",
        ),
        ("type: single", "type: single\nscale: a | b", "scale: a", "A single question has no"),
        (
            "type: scale\nscale: Not at all confident | Slightly confident | Fairly confident | "
            "Very confident\n",
            "type: scale\n",
            ":: confidence",
            "needs 'scale: first label",
        ),
        ("panel: -2=4, -1=5, 0=1, +1=0, +2=0", "", ":: home-visit", "needs 'panel:'"),
        ("panel: -2=4", "panel: -3=4", "panel:", "Write the panel as"),
        ("panel: -2=4, -1=5", "panel: -2=4, -2=5", "panel:", "gives answer -2 twice"),
        ("-2=4, -1=5, 0=1", "-2=0, -1=0, 0=0", "panel:", "No panel member chose"),
        (", +2=0", "", "panel:", "no count for +2"),
        (
            "panel: -2=4, -1=5, 0=1, +1=0, +2=0",
            "panel: -2=4, -1=5, 0=1,\n+1=0, +2=0",
            "panel:",
            "Write the whole panel on the 'panel:' line.",
        ),
        ("hypothesis: arranging", "hypotheses: arranging", ":: home-visit", "needs 'hypothesis:'"),
        ("situation:\n", "", ":: home-visit", "needs 'situation:'"),
        (
            "hypothesis: arranging",
            "situation: again\nhypothesis: arranging",
            "situation: again",
            "'situation:' appears twice in this question (first on line 72).",
        ),
        (
            "\nWhich statement best",
            "\nsituation: x\n\nWhich",
            "situation: x",
            "'situation:' belongs to concordance questions, not to a single question.",
        ),
        (
            "How often would you ask a patient what matters to them before a plan is made?\n",
            "",
            ":: speaking-up",
            "The question has no text",
        ),
    ],
)
def test_problems(old, new, at, message):
    assert old in FIXTURE
    text = FIXTURE.replace(old, new, 1)
    found = problems_of(text)
    assert any(line == line_of(text, at) and message in m for line, m in found), found


def test_stray_text_after_the_options_is_one_problem():
    text = FIXTURE.replace("- [ ] The dose", "The dose")
    assert problems_of(text) == [
        (
            line_of(text, "The dose"),
            "Text after the options: move it above the first option, "
            "or indent it under an option after 'feedback:'.",
        )
    ]


def test_an_option_listed_twice():
    repeated = "- [x] What matters most to them in the plan."
    text = FIXTURE.replace("- [x] Early signs they have learnt to notice.", repeated)
    second = len(text.split("\n")) - text.split("\n")[::-1].index(repeated)
    assert problems_of(text) == [
        (second, "The option 'What matters most to them in the plan.' is listed twice.")
    ]


def test_multiple_choice_without_a_correct_option():
    start, end = FIXTURE.index(":: contributions"), FIXTURE.index(":: handover")
    text = FIXTURE[:start] + FIXTURE[start:end].replace("- [x]", "- [ ]") + FIXTURE[end:]
    assert problems_of(text) == [
        (
            line_of(text, ":: contributions"),
            "A multiple choice question needs at least one '- [x]' option.",
        )
    ]


def test_every_problem_is_collected_and_sorted():
    text = FIXTURE.replace("pass_mark: 60", "pass_mark: x").replace("type: text", "type: essay")
    text = text.replace("panel: -2=4", "panel: -2=x")
    lines = [line for line, _ in problems_of(text)]
    assert lines == sorted(lines) and len(lines) == 3


def test_no_questions_and_nothing_graded():
    header = HEADER.rstrip("\n")
    assert problems_of(header) == [(1, "The assessment has no questions.")]
    survey = header + "\n:: q | Q\ntype: scale\nscale: Low | High\n\nHow do you feel?\n"
    assert problems_of(survey) == [
        (
            line_of(survey, ":: q"),
            "No question carries points: an assessment needs at least one graded question.",
        )
    ]


def test_a_header_line_after_a_blank_still_reads_as_header():
    text = FIXTURE.replace("licence: CC BY-SA 4.0\n", "\n# a comment\nlicence: CC BY-SA 4.0\n")
    assert parse_assessment(text).licence == "CC BY-SA 4.0"


def refused_quickly(text: str) -> list[str]:
    # CPU time, not wall time: the budget is about the parser, not a busy shared machine.
    started = time.process_time()
    messages = [message for _, message in problems_of(text)]
    assert time.process_time() - started < 2
    return messages


def test_size_limits():
    questions = "".join(f":: q{i} | Q\ntype: single\n\nS\n\n- [x] a\n- [ ] b\n" for i in range(201))
    assert refused_quickly(HEADER + questions) == [
        "This assessment has 201 questions; the limit is 200. Split it or leave some questions out."
    ]
    assert refused_quickly(HEADER + "x" * (2 * 1024 * 1024)) == [
        "This file is larger than 2 MB; split it into smaller files."
    ]
    fine = HEADER + questions.rpartition(":: q200")[0]
    assert len(parse_assessment(fine).questions) == 200


@pytest.mark.parametrize(
    "garbage",
    [
        "type: single\n\nS\n\n- [x] a\n  feedback: " + "[" * 900_000,
        "type: multiple\n\nS\n\n" + "- [x] same\n" * 50_000,  # quadratic would take minutes
        "type: scale\nscale: a" + " " * 900_000 + "b = 1 | c",
        "type: scale\nscale: " + "= " * 400_000,
        "type: concordance\npanel: " + "-2=1, " * 150_000,
        "type: text\n\nS\n\nrubric:\n" + "- a | b\n" * 60_000,
    ],
)
def test_a_megabyte_of_garbage_is_refused_quickly(garbage):
    assert refused_quickly(HEADER + ":: q | Q\n" + garbage)


# --- round trip of generated assessments ------------------------------------------------------

#: Lines that look like assessment syntax, on top of the scenario format's tricky lines.
ASSESSMENT_TRICKY = (
    "- [x] an option",
    "- [ ] another",
    "- [X]",
    "\\- [x] escaped",
    "\\\\- [ ] twice",
    "rubric:",
    "model answer: x",
    "situation:",
    "hypothesis: y",
    "new information:",
    "new information: z",
    "panel: -2=1, -1=0, 0=0, +1=0, +2=0",
    "feedback:",
    "\\feedback: escaped",
    "type: single",
    "points: 2",
    "scale: a | b",
    "  feedback: indented",
)
_line = st.one_of(
    st.sampled_from(TRICKY_LINES + ASSESSMENT_TRICKY),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30),
)
markdown = st.lists(_line.map(str.rstrip), max_size=5).map(clean_text)
label = st.one_of(st.sampled_from(ASSESSMENT_TRICKY), one_line).map(str.strip).filter(bool)
step_label = label.filter(lambda text: "|" not in text and not re.fullmatch(r".*=\s*[0-9]+", text))
criterion_text = label.filter(lambda text: not text.startswith(("[ ]", "[x]", "[X]")))
option_feedback = st.one_of(st.sampled_from(ASSESSMENT_TRICKY).map(str.strip), feedback_text)


@st.composite
def choice_questions(draw, question_id: str, kind: str) -> Question:
    labels = draw(st.lists(label, min_size=2, max_size=5, unique=True))
    if kind == "single":
        correct = {draw(st.integers(0, len(labels) - 1))}
    else:
        correct = set(draw(st.lists(st.integers(0, len(labels) - 1), min_size=1, unique=True)))
    options = tuple(
        Option(text, index in correct, draw(st.just("") | option_feedback))
        for index, text in enumerate(labels)
    )
    return Question(
        question_id,
        draw(one_line),
        kind,
        stem=draw(markdown.filter(bool)),
        points=draw(st.integers(1, 20)),
        options=options,
        feedback=draw(markdown),
    )


@st.composite
def text_questions(draw, question_id: str) -> Question:
    rubric = tuple(
        RubricCriterion(text, draw(st.integers(1, 5)))
        for text in draw(st.lists(criterion_text, min_size=1, max_size=4))
    )
    return Question(
        question_id,
        draw(one_line),
        "text",
        stem=draw(markdown.filter(bool)),
        points=sum(criterion.points for criterion in rubric),
        rubric=rubric,
        model_answer=draw(markdown),
        feedback=draw(markdown),
    )


@st.composite
def scale_questions(draw, question_id: str) -> Question:
    labels = draw(st.lists(step_label, min_size=2, max_size=6, unique=True))
    graded = draw(st.booleans())
    steps = tuple(ScaleStep(text, draw(st.integers(0, 10)) if graded else None) for text in labels)
    return Question(
        question_id,
        draw(one_line),
        "scale",
        stem=draw(markdown.filter(bool)),
        points=max(step.points or 0 for step in steps),
        scale=steps,
        feedback=draw(markdown),
    )


@st.composite
def concordance_questions(draw, question_id: str) -> Question:
    panel = draw(st.tuples(*[st.integers(0, 12)] * 5).filter(any))
    return Question(
        question_id,
        draw(one_line),
        "concordance",
        stem=draw(markdown),
        points=draw(st.integers(1, 5)),
        situation=draw(markdown.filter(bool)),
        hypothesis=draw(markdown.filter(bool)),
        new_information=draw(markdown.filter(bool)),
        panel=panel,
        feedback=draw(markdown),
    )


@st.composite
def assessments(draw) -> Assessment:
    """A valid assessment of 1 to 6 questions of any types, the first always graded."""
    ids = draw(
        st.lists(
            st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True), min_size=1, max_size=6, unique=True
        )
    )
    kinds = [draw(st.sampled_from(["single", "multiple", "text", "concordance"]))]
    kinds += draw(
        st.lists(
            st.sampled_from(["single", "multiple", "text", "scale", "concordance"]),
            min_size=len(ids) - 1,
            max_size=len(ids) - 1,
        )
    )
    builders = {
        "single": lambda qid: choice_questions(qid, "single"),
        "multiple": lambda qid: choice_questions(qid, "multiple"),
        "text": text_questions,
        "scale": scale_questions,
        "concordance": concordance_questions,
    }
    return Assessment(
        id=draw(scenario_ids),
        module=draw(scenario_ids),
        title=draw(one_line),
        summary=draw(one_line),
        pass_mark=draw(st.integers(0, 100)),
        attempts=draw(st.none() | st.integers(1, 10)),
        authors=tuple(draw(st.lists(authors, min_size=1, max_size=3))),
        licence=draw(one_line),
        questions=tuple(draw(builders[kind](qid)) for qid, kind in zip(ids, kinds, strict=True)),
    )


_settings = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@_settings
@given(assessments())
def test_assessment_round_trip(assessment):
    text = dump_assessment(assessment)
    parsed = parse_assessment(text, "gen.md")
    assert parsed == assessment
    assert dump_assessment(parsed) == text


@_settings
@given(assessments(), st.data())
def test_any_valid_answers_score_within_bounds(assessment, data):
    answers = {}
    for question in assessment.questions:
        answers[question.id] = data.draw(_answers(question))
    result = score_attempt(assessment, answers)
    assert 0 <= result.points <= result.max_points
    assert 0 <= result.percent <= 100
    assert (result.passed is None) == bool(result.pending_marking)


def _answers(question: Question) -> st.SearchStrategy:
    if question.type == "single":
        return st.none() | st.integers(0, len(question.options) - 1)
    if question.type == "multiple":
        return st.sets(st.integers(0, len(question.options) - 1))
    if question.type == "text":
        return st.none() | st.text(max_size=5)
    if question.type == "scale":
        return st.integers(0, len(question.scale) - 1)
    return st.sampled_from([-2, -1, 0, 1, 2])


# --- scoring ----------------------------------------------------------------------------------

ASSESSMENT = parse_assessment(FIXTURE, "test-module.md")
Q = {question.id: question for question in ASSESSMENT.questions}


def test_single_choice():
    right = score_answer(Q["meaning"], 1)
    assert (right.points, right.max_points, right.needs_marking) == (1.0, 1.0, False)
    assert right.feedback == [
        "Yes: each brings knowledge the others lack.",
        'See the reading, section "Why it matters".',
    ]
    assert score_answer(Q["meaning"], 0).points == 0.0


@pytest.mark.parametrize(
    ("chosen", "points"),
    [
        ({0, 1, 3}, 2.0),
        ({0, 1}, 2 * 2 / 3),
        ({0, 1, 2, 3}, 2 * 2 / 3),
        ({0, 2}, 0.0),
        ({2}, 0.0),
        (set(), 0.0),
        (frozenset({3}), 2 / 3),
    ],
)
def test_multiple_choice_partial_credit(chosen, points):
    score = score_answer(Q["contributions"], chosen)
    assert score.points == pytest.approx(points)
    assert score.max_points == 2.0


def test_multiple_choice_feedback_follows_the_chosen_options():
    score = score_answer(Q["contributions"], {2, 0})
    assert score.feedback == ["That stays the prescriber's and pharmacist's responsibility."]


def test_text_waits_for_a_tutor_then_takes_the_mark():
    waiting = score_answer(Q["handover"], "He wants to go home.")
    assert (waiting.points, waiting.max_points, waiting.needs_marking) == (0.0, 4.0, True)
    marked = score_answer(Q["handover"], "He wants to go home.", mark=3)
    assert (marked.points, marked.needs_marking) == (3.0, False)
    assert score_answer(Q["handover"], "   ").needs_marking is False
    with pytest.raises(InvalidAnswer):
        score_answer(Q["handover"], "text", mark=5)
    with pytest.raises(InvalidAnswer):
        score_answer(Q["meaning"], 1, mark=1)


def test_scales():
    ungraded = score_answer(Q["confidence"], 3)
    assert (ungraded.points, ungraded.max_points) == (0.0, 0.0)
    graded = score_answer(Q["speaking-up"], 1)
    assert (graded.points, graded.max_points) == (1.0, 2.0)


@pytest.mark.parametrize(
    ("answer", "points"), [(-2, 4 / 5), (-1, 1.0), (0, 1 / 5), (1, 0.0), (2, 0.0)]
)
def test_concordance_aggregate_scoring(answer, points):
    score = score_answer(Q["home-visit"], answer)
    assert score.points == pytest.approx(points)
    assert score.feedback[0].startswith("Most of the panel")


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("meaning", 3),
        ("meaning", -1),
        ("meaning", True),
        ("meaning", "1"),
        ("contributions", [0, 1]),
        ("contributions", {0, 9}),
        ("handover", 2),
        ("confidence", 4),
        ("home-visit", 3),
        ("home-visit", 1.0 + 0.5),
    ],
)
def test_answers_of_the_wrong_shape_are_refused(question, answer):
    with pytest.raises(InvalidAnswer):
        score_answer(Q[question], answer)


def test_an_unanswered_question_scores_nothing():
    score = score_answer(Q["meaning"], None)
    assert (score.points, score.max_points, score.needs_marking) == (0.0, 1.0, False)


def test_attempt_waits_for_marking_then_passes_or_fails():
    answers = {
        "meaning": 1,
        "contributions": {0, 1, 3},
        "handover": "He wants to be home.",
        "confidence": 0,
        "speaking-up": 2,
        "home-visit": -1,
    }
    waiting = score_attempt(ASSESSMENT, answers)
    assert (waiting.points, waiting.max_points) == (6.0, 10.0)
    assert (waiting.passed, waiting.pending_marking) == (None, ["handover"])
    assert waiting.scores["handover"].needs_marking
    passed = score_attempt(ASSESSMENT, answers, marks={"handover": 0})
    assert (passed.percent, passed.passed, passed.pending_marking) == (60.0, True, [])
    failed = score_attempt(ASSESSMENT, {**answers, "home-visit": 0}, marks={"handover": 0})
    assert failed.passed is False


def test_the_pass_mark_is_compared_exactly():
    """Six thirds of a point out of 8 is exactly 25 %; added as floats it falls just short."""
    questions = tuple(
        Question(
            f"c{i}",
            "C",
            "concordance",
            situation="S",
            hypothesis="H",
            new_information="N",
            panel=(1, 3, 0, 0, 0),
        )
        for i in range(8)
    )
    staff = (Author("staff", "T"),)
    assessment = Assessment("x-y", "x-y", "T", "S", 25, None, staff, "L", questions)
    assert sum([score_answer(questions[0], -2).points] * 6) * 100 / 8 < 25
    result = score_attempt(assessment, {f"c{i}": -2 for i in range(6)})
    assert (result.percent, result.passed) == (25.0, True)


def test_unknown_question_ids_are_refused():
    with pytest.raises(InvalidAnswer, match="'nope'"):
        score_attempt(ASSESSMENT, {"nope": 1})
    with pytest.raises(InvalidAnswer):
        score_attempt(ASSESSMENT, {}, marks={"meaning": 1})


# --- the course check -------------------------------------------------------------------------


@pytest.fixture
def course(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(COURSE, tmp_path, dirs_exist_ok=True)
    return tmp_path / "curriculum", tmp_path / "scenarios"


def test_the_fixture_course_has_its_assessment(course):
    report = check_course(*course)
    assert report.problems == []
    assert set(report.assessments) == {"test-module"}
    assert set(report.modules) == {"test-module"}  # assessments/ is not read as modules
    rows = [line.split() for line in format_report(report).splitlines()]
    assert [
        "test-module",
        "test-module",
        "6",
        "single,multiple,text,scale,concordance",
        "60",
    ] in rows


def test_assessment_problems_across_the_course(course):
    curriculum, scenarios = course
    folder = curriculum / "assessments"
    (folder / "second.md").write_text(FIXTURE.replace("id: test-module", "id: second"))
    (folder / "third.md").write_text(
        FIXTURE.replace("id: test-module", "id: third").replace(
            "module: test-module", "module: no-such-module"
        )
    )
    (folder / "fourth.md").write_text(FIXTURE)
    (folder / "broken.md").write_text(FIXTURE.replace("type: text", "type: essay"))
    report = check_course(curriculum, scenarios)
    found = {(Path(p.file).name, p.line, p.message) for p in report.problems}
    assert found == {
        (  # files are read in name order, so second.md claimed the module first
            "test-module.md",
            2,
            "Module 'test-module' already has the assessment 'second'; a module has one "
            "assessment.",
        ),
        (
            "third.md",
            2,
            f"The assessment belongs to module 'no-such-module', but there is no "
            f"{curriculum / 'no-such-module'}.md.",
        ),
        (
            "fourth.md",
            1,
            "The id 'test-module' must match the file name: rename the file or the id.",
        ),
        (
            "broken.md",
            line_of(FIXTURE, "type: text"),
            "Unknown question type 'essay' (use single, multiple, text, scale, concordance).",
        ),
    }


def test_no_assessments_folder_is_not_a_problem_yet(course):
    curriculum, scenarios = course
    shutil.rmtree(curriculum / "assessments")
    report = check_course(curriculum, scenarios)
    assert report.ok and report.assessments == {}
    assert "assessment  module" in format_report(report)
