"""Parse an assessment file into an :class:`Assessment`, collecting every problem first.

Like the scenario parser, one pass over the lines, so a hostile file costs linear time.
"""

import re
from dataclasses import dataclass, field

from ._header import SectionReader, check_id, first, read_authors, read_header, require
from ._text import (
    ID_RE,
    OPTION_MARKS,
    OPTION_SPECIALS,
    QUESTION_PARTS,
    QUESTION_SPECIALS,
    blocks,
    check_size,
    clean_text,
    parse_number,
    split_lines,
    unescape,
)
from .assessment import (
    CONCORDANCE_ANSWERS,
    MAX_QUESTIONS,
    QUESTION_TYPES,
    Assessment,
    Option,
    Question,
    RubricCriterion,
    ScaleStep,
    signed,
)
from .problems import ContentError, Problem

_SINGLE_KEYS = ("id", "module", "title", "summary", "pass_mark", "attempts", "licence")
_ALLOWED_PARTS = {
    "single": ("feedback",),
    "multiple": ("feedback",),
    "text": ("rubric", "model answer", "feedback"),
    "scale": ("feedback",),
    "concordance": ("situation", "hypothesis", "new information", "panel", "feedback"),
}
_TYPE_LIST = ", ".join(QUESTION_TYPES)
_PANEL_ANSWER_RE = re.compile(r"[+-]?[0-2]")


def parse_assessment(text: str, filename: str = "<text>") -> Assessment:
    """Parse an assessment file; raise ContentError listing every problem."""
    check_size(text, filename)
    lines = split_lines(text)
    starts = [index for index, line in enumerate(lines) if line.startswith("::")]
    if len(starts) > MAX_QUESTIONS:
        message = (
            f"This assessment has {len(starts):,} questions; the limit is {MAX_QUESTIONS}. "
            "Split it or leave some questions out."
        )
        raise ContentError([Problem(filename, starts[MAX_QUESTIONS] + 1, message)])
    problems: list[Problem] = []
    header_end = starts[0] if starts else len(lines)
    entries = read_header(lines[:header_end], filename, problems, _SINGLE_KEYS, ("author",))
    require(entries, _SINGLE_KEYS, filename, problems)
    check_id(entries, filename, problems)
    reader = _QuestionReader(lines, filename, problems)
    questions = tuple(reader.read(begin, end) for begin, end in blocks(starts, len(lines)))
    assessment = Assessment(
        id=first(entries, "id"),
        module=_module_id(entries, filename, problems),
        title=first(entries, "title"),
        summary=first(entries, "summary"),
        pass_mark=_pass_mark(entries, filename, problems),
        attempts=_attempts(entries, filename, problems),
        authors=read_authors(entries, filename, problems),
        licence=first(entries, "licence"),
        questions=questions,
    )
    problems += _question_set_problems(questions, filename)
    if problems:
        raise ContentError(sorted(problems, key=lambda problem: problem.line))
    return assessment


def _module_id(entries, filename: str, problems: list[Problem]) -> str:
    for number, value in entries.get("module", []):
        if value and not ID_RE.fullmatch(value):
            message = f"'module:' must be a module id (like 'hidden-curriculum'), not '{value}'."
            problems.append(Problem(filename, number, message))
    return first(entries, "module")


def _pass_mark(entries, filename: str, problems: list[Problem]) -> int:
    for number, value in entries.get("pass_mark", []):
        mark = parse_number(value)
        if mark is not None and 0 <= mark <= 100:
            return mark
        if value:
            message = (
                f"'pass_mark:' must be a whole-number percentage from 0 to 100, not '{value}'."
            )
            problems.append(Problem(filename, number, message))
    return 0


def _attempts(entries, filename: str, problems: list[Problem]) -> int | None:
    for number, value in entries.get("attempts", []):
        attempts = parse_number(value)
        if value == "unlimited" or (attempts is not None and attempts >= 1):
            return attempts
        if value:
            message = f"'attempts:' must be a whole number from 1, or 'unlimited', not '{value}'."
            problems.append(Problem(filename, number, message))
    return None


def _question_set_problems(questions: tuple[Question, ...], filename: str) -> list[Problem]:
    """Problems of the questions taken together: none at all, repeated ids, nothing graded."""
    if not questions:
        return [Problem(filename, 1, "The assessment has no questions.")]
    problems = []
    seen: dict[str, int] = {}
    for question in questions:
        if question.id in seen:
            message = f"The question id '{question.id}' is used twice (first on line "
            problems.append(Problem(filename, question.line, f"{message}{seen[question.id]})."))
        seen.setdefault(question.id, question.line)
    if not any(question.points for question in questions):
        message = "No question carries points: an assessment needs at least one graded question."
        problems.append(Problem(filename, questions[0].line, message))
    return problems


def _part_name(line: str) -> str | None:
    """The part a line starts (``option`` or a question part), or None for ordinary text."""
    if line.startswith(OPTION_MARKS):
        return "option"
    return next((name for name in QUESTION_PARTS if line.startswith(f"{name}:")), None)


@dataclass
class _Parts:
    """What follows a question's stem: its options and named parts, with their line indexes."""

    options: list[tuple[int, Option]] = field(default_factory=list)
    #: name -> (index of the ``name:`` line, [text after the colon, following raw lines])
    named: dict[str, tuple[int, list[str]]] = field(default_factory=dict)

    def markdown(self, name: str) -> str:
        if name not in self.named:
            return ""
        head, *rest = self.named[name][1]
        return clean_text([head.strip(), *(unescape(line, QUESTION_SPECIALS) for line in rest)])


@dataclass
class _OptionDraft:
    """An option being read: its ``- [x]`` line and the indented lines under it."""

    index: int
    label: str
    is_correct: bool
    feedback: list[str] = field(default_factory=list)
    in_feedback: bool = False


class _QuestionReader(SectionReader):
    """Reads one question section: header line, attributes, stem, options and named parts."""

    noun = "question"
    attribute_names = ("type", "points", "scale")
    text_name = "question text"

    def ends_attributes(self, line: str) -> bool:
        return _part_name(line) is not None

    def read(self, begin: int, end: int) -> Question:
        question_id, title = self.head(begin)
        index, attributes = self.attributes(begin + 1, end)
        stem = []
        while index < end and _part_name(self.lines[index]) is None:
            stem.append(unescape(self.lines[index], QUESTION_SPECIALS))
            index += 1
        parts = self.parts(index, end)
        kind = self.kind(attributes, begin)
        scale = self.scale(kind, attributes, begin)
        question = Question(
            id=question_id,
            title=title,
            type=kind,
            stem=clean_text(stem),
            points=self.points(kind, attributes, scale),
            options=tuple(option for _, option in parts.options),
            rubric=self.rubric(parts),
            model_answer=parts.markdown("model answer"),
            scale=scale,
            situation=parts.markdown("situation"),
            hypothesis=parts.markdown("hypothesis"),
            new_information=parts.markdown("new information"),
            panel=self.panel(parts),
            feedback=parts.markdown("feedback"),
            line=begin + 1,
        )
        if kind:
            _TypeChecker(self, question, parts).check()
        return question

    def parts(self, index: int, end: int) -> _Parts:
        parts = _Parts()
        while index < end:
            name = _part_name(self.lines[index])
            if name == "option":
                index = self.option(index, end, parts)
            elif name is not None:
                index = self.named_part(name, index, end, parts)
            else:
                self.report(
                    index,
                    "Text after the options: move it above the first option, "
                    "or indent it under an option after 'feedback:'.",
                )
                index += 1
                while index < end and _part_name(self.lines[index]) is None:
                    index += 1  # the rest of the stray text is the same problem
        return parts

    def named_part(self, name: str, index: int, end: int, parts: _Parts) -> int:
        if name in parts.named:
            first_line = parts.named[name][0] + 1
            self.report(
                index, f"'{name}:' appears twice in this question (first on line {first_line})."
            )
        lines = [self.lines[index][len(name) + 1 :]]
        index += 1
        while index < end and _part_name(self.lines[index]) is None:
            lines.append(self.lines[index])
            index += 1
        parts.named.setdefault(name, (index - len(lines), lines))
        return index

    def option(self, index: int, end: int, parts: _Parts) -> int:
        line = self.lines[index]
        draft = _OptionDraft(index, line[5:].strip(), line[3] in "xX")
        if not draft.label:
            self.report(index, "This option has no label: write '- [ ] label' or '- [x] label'.")
        index += 1
        while index < end and (not self.lines[index].strip() or self.lines[index][0] in " \t"):
            self.option_line(draft, index)
            index += 1
        option = Option(draft.label, draft.is_correct, clean_text(draft.feedback))
        parts.options.append((draft.index, option))
        return index

    def option_line(self, draft: _OptionDraft, index: int) -> None:
        line = self.lines[index].strip()
        if not line:
            if draft.in_feedback:
                draft.feedback.append("")
        elif draft.in_feedback and not line.startswith(OPTION_SPECIALS):
            draft.feedback.append(unescape(line, OPTION_SPECIALS))
        elif not line.startswith("feedback:"):
            self.report(index, "Under an option, indented lines start with 'feedback:'.")
        elif draft.in_feedback:
            self.report(index, "'feedback:' appears twice under this option.")
        else:
            draft.in_feedback = True
            draft.feedback.append(line[len("feedback:") :].strip())

    def kind(self, attributes: dict[str, tuple[int, str]], begin: int) -> str:
        if "type" not in attributes:
            self.report(begin, "The question has no 'type:' line (use " + _TYPE_LIST + ").")
            return ""
        index, value = attributes["type"]
        if value not in QUESTION_TYPES:
            self.report(index, f"Unknown question type '{value}' (use {_TYPE_LIST}).")
            return ""
        return value

    def scale(self, kind: str, attributes: dict, begin: int) -> tuple[ScaleStep, ...]:
        if kind != "scale":
            if "scale" in attributes and kind:
                self.report(attributes["scale"][0], f"A {kind} question has no 'scale:'.")
            return ()
        if "scale" not in attributes:
            self.report(begin, "A scale question needs 'scale: first label | ... | last label'.")
            return ()
        index, value = attributes["scale"]
        steps, message = _read_scale(value)
        if message:
            self.report(index, message)
        return steps

    def points(self, kind: str, attributes: dict, scale: tuple[ScaleStep, ...]) -> int:
        if kind == "scale":
            if "points" in attributes:
                self.report(
                    attributes["points"][0],
                    "A scale question takes its points from its steps, for example "
                    "'scale: Not confident = 0 | Confident = 1'; remove 'points:'.",
                )
            return max((step.points or 0 for step in scale), default=0)
        if "points" not in attributes:
            return 1
        index, value = attributes["points"]
        points = parse_number(value)
        if points is None or points < 1:
            self.report(index, f"'points:' must be a whole number from 1, not '{value}'.")
            return 1
        return points

    def rubric(self, parts: _Parts) -> tuple[RubricCriterion, ...]:
        if "rubric" not in parts.named:
            return ()
        index, (head, *rest) = parts.named["rubric"]
        if head.strip():
            self.report(index, "Write the rubric's criteria on the lines below 'rubric:'.")
        if not any(line.strip() for line in rest):
            self.report(index, "'rubric:' has no criteria: add lines '- criterion | points'.")
        criteria = []
        for offset, line in enumerate(rest, start=index + 1):
            if line.strip():
                criterion = _read_criterion(line.strip())
                if criterion is None:
                    self.report(offset, "A rubric line should look like '- criterion | points'.")
                else:
                    criteria.append(criterion)
        return tuple(criteria)

    def panel(self, parts: _Parts) -> tuple[int, ...]:
        if "panel" not in parts.named:
            return ()
        index, (head, *rest) = parts.named["panel"]
        if any(line.strip() for line in rest):
            self.report(index, "Write the whole panel on the 'panel:' line.")
        counts, message = _read_panel(head.strip())
        if message:
            self.report(index, message)
        return counts


def _read_scale(value: str) -> tuple[tuple[ScaleStep, ...], str]:
    """The steps of ``A | B = 1 | ...`` and a message saying what is wrong ("" if nothing)."""
    steps = [_read_step(part.strip()) for part in value.split("|")]
    if None in steps:
        return (), "Scale points are whole numbers of at most 9 digits."
    labels = [step.label for step in steps]
    graded = [step.points is not None for step in steps]
    if len(steps) < 2:
        return (), "A scale needs at least two steps, separated by '|'."
    if not all(labels):
        return (), "A scale step has no label: check for a doubled or trailing '|'."
    if len(set(labels)) < len(labels):
        return (), "A scale lists the same step twice."
    if any(graded) and not all(graded):
        return (), "Give every scale step points ('Agree = 2') or none."
    return tuple(steps), ""


def _read_step(text: str) -> ScaleStep | None:
    """``label = points`` or a bare label; None when the points are too long to read."""
    label, equals, number = (part.strip() for part in text.rpartition("="))
    if not equals or not number.isascii() or not number.isdigit():
        return ScaleStep(text)
    points = parse_number(number)
    return None if points is None else ScaleStep(label, points)


def _read_criterion(line: str) -> RubricCriterion | None:
    """``- criterion | points`` (the last ``|`` separates), or None when malformed."""
    if not line.startswith("- "):
        return None
    text, bar, points_text = (part.strip() for part in line[2:].rpartition("|"))
    points = parse_number(points_text)
    if not bar or not text or points is None or points < 1:
        return None
    return RubricCriterion(text, points)


def _read_panel(value: str) -> tuple[tuple[int, ...], str]:
    """Counts for answers -2..+2 from ``-2=0, -1=1, ...`` and a message ("" if it is fine)."""
    usage = (
        "Write the panel as 'panel: -2=0, -1=1, 0=3, +1=6, +2=2': how many panel members "
        "chose each answer."
    )
    counts: dict[int, int] = {}
    for part in value.split(","):
        answer_text, equals, count_text = (piece.strip() for piece in part.partition("="))
        count = parse_number(count_text)
        if not equals or not _PANEL_ANSWER_RE.fullmatch(answer_text) or count is None or count < 0:
            return (), usage
        answer = int(answer_text)
        if answer in counts:
            return (), f"The panel gives answer {signed(answer)} twice."
        counts[answer] = count
    missing = [signed(answer) for answer in CONCORDANCE_ANSWERS if answer not in counts]
    if missing:
        return (), f"The panel has no count for {', '.join(missing)}. {usage}"
    if not any(counts.values()):
        return (), "No panel member chose any answer: the panel needs at least one."
    return tuple(counts[answer] for answer in CONCORDANCE_ANSWERS), ""


class _TypeChecker:
    """The rules that depend on a question's type, reported at the lines they concern."""

    def __init__(self, reader: _QuestionReader, question: Question, parts: _Parts) -> None:
        self.reader = reader
        self.question = question
        self.parts = parts
        self.begin = question.line - 1

    def check(self) -> None:
        kind = self.question.type
        for name, (index, _) in self.parts.named.items():
            if name not in _ALLOWED_PARTS[kind]:
                owner = "text" if name in ("rubric", "model answer") else "concordance"
                self.reader.report(
                    index, f"'{name}:' belongs to {owner} questions, not to a {kind} question."
                )
        if kind in ("single", "multiple"):
            self.choice()
        elif self.parts.options:
            self.reader.report(
                self.parts.options[0][0],
                f"Options belong to single and multiple choice questions, not to a {kind} one.",
            )
        if kind == "text":
            self.text()
        if kind == "concordance":
            self.concordance()
        elif not self.question.stem:
            self.reader.report(
                self.begin, "The question has no text: write it after the attributes."
            )

    def choice(self) -> None:
        options = self.question.options
        correct = sum(option.is_correct for option in options)
        if len(options) < 2:
            self.reader.report(self.begin, "A choice question needs at least two options.")
        elif self.question.type == "single" and correct != 1:
            self.reader.report(
                self.begin,
                f"A single choice question needs exactly one '- [x]' option, not {correct}.",
            )
        elif correct == 0:
            self.reader.report(
                self.begin, "A multiple choice question needs at least one '- [x]' option."
            )
        seen = set()
        for index, option in self.parts.options:
            if option.label in seen:
                self.reader.report(index, f"The option '{option.label}' is listed twice.")
            seen.add(option.label)

    def text(self) -> None:
        question = self.question
        if "rubric" not in self.parts.named:
            self.reader.report(
                self.begin,
                "A text question needs a 'rubric:' with lines '- criterion | points' "
                "for tutors to mark with.",
            )
        if not question.rubric:
            return
        total = sum(criterion.points for criterion in question.rubric)
        if total != question.points:
            self.reader.report(
                self.parts.named["rubric"][0],
                f"The rubric's points add up to {total}, but the question is worth "
                f"{question.points}: change the criteria or write 'points: {total}'.",
            )

    def concordance(self) -> None:
        for name in ("situation", "hypothesis", "new information", "panel"):
            if name not in self.parts.named:
                self.reader.report(self.begin, f"A concordance question needs '{name}:'.")
            elif name != "panel" and not self.parts.markdown(name):
                self.reader.report(self.parts.named[name][0], f"'{name}:' is empty.")
