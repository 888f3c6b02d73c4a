"""Scoring answers to an assessment and whole attempts, adding points as exact fractions."""

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from fractions import Fraction

from .assessment import CONCORDANCE_ANSWERS, Assessment, Question


class InvalidAnswer(ValueError):
    """An answer (or a tutor's mark) that does not fit the question it was given for."""


@dataclass(frozen=True)
class Score:
    """What one answer earned, and the feedback to show for it."""

    points: float
    max_points: float
    needs_marking: bool
    feedback: list[str]


@dataclass(frozen=True)
class AttemptScore:
    """A whole attempt. ``passed`` is None while text answers wait for a tutor's mark."""

    points: float
    max_points: float
    percent: float
    passed: bool | None
    pending_marking: list[str]
    scores: dict[str, Score] = field(default_factory=dict)


def score_answer(question: Question, answer: object, *, mark: float | None = None) -> Score:
    """Score one answer; None means unanswered.

    Answers are an option index (single), a set of option indexes (multiple), text (text),
    a step index (scale) or -2..2 (concordance). A text answer scores ``mark``, the tutor's
    mark, once there is one; until then it scores 0 and needs marking.
    """
    points, needs_marking, feedback = _exact_score(question, answer, mark)
    return Score(float(points), float(question.points), needs_marking, feedback)


def score_attempt(
    assessment: Assessment,
    answers: Mapping[str, object],
    *,
    marks: Mapping[str, float] | None = None,
) -> AttemptScore:
    """Score every question (unanswered ones score 0) and decide whether the attempt passed.

    ``marks`` holds tutors' marks for text questions, by question id. Totals are added
    exactly (as fractions) so that an attempt exactly at the pass mark passes.
    """
    marks = marks or {}
    ids = {question.id for question in assessment.questions}
    unknown = sorted((answers.keys() | marks.keys()) - ids)
    if unknown:
        raise InvalidAnswer(f"No question has the id {', '.join(map(repr, unknown))}.")
    total, best, scores = Fraction(0), 0, {}
    for question in assessment.questions:
        answer, mark = answers.get(question.id), marks.get(question.id)
        points, needs_marking, feedback = _exact_score(question, answer, mark)
        scores[question.id] = Score(float(points), float(question.points), needs_marking, feedback)
        total, best = total + points, best + question.points
    pending = [question_id for question_id, score in scores.items() if score.needs_marking]
    percent = 100 * total / best if best else Fraction(100)
    passed = None if pending else percent >= assessment.pass_mark
    return AttemptScore(float(total), float(best), float(percent), passed, pending, scores)


def _exact_score(
    question: Question, answer: object, mark: float | None
) -> tuple[Fraction, bool, list[str]]:
    """(points, needs marking, feedback) for one answer, with points as an exact fraction."""
    if mark is not None and (question.type != "text" or not 0 <= mark <= question.points):
        raise InvalidAnswer(
            f"A mark for '{question.id}' must be for a text question, from 0 to {question.points}."
        )
    after = [question.feedback] if question.feedback else []
    if answer is None:
        return Fraction(0), False, after
    if question.type == "text":
        return _text_score(question, answer, mark, after)
    points, chosen = _SCORERS[question.type](question, answer)
    return points, False, [text for text in chosen if text] + after


def _text_score(
    question: Question, answer: object, mark: float | None, after: list[str]
) -> tuple[Fraction, bool, list[str]]:
    if not isinstance(answer, str):
        raise InvalidAnswer(f"Question '{question.id}' expects text.")
    if not answer.strip():
        return Fraction(0), False, after
    if mark is None:
        return Fraction(0), True, after
    return Fraction(mark), False, after


def _index(question: Question, answer: object, count: int) -> int:
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < count:
        raise InvalidAnswer(f"Question '{question.id}' expects a number from 0 to {count - 1}.")
    return answer


def _single_score(question: Question, answer: object) -> tuple[Fraction, list[str]]:
    option = question.options[_index(question, answer, len(question.options))]
    return Fraction(question.points if option.is_correct else 0), [option.feedback]


def _multiple_score(question: Question, answer: object) -> tuple[Fraction, list[str]]:
    """Partial credit: (right ones chosen - wrong ones chosen) / right ones, never below 0."""
    if not isinstance(answer, AbstractSet):
        raise InvalidAnswer(f"Question '{question.id}' expects a set of option numbers.")
    chosen = sorted(_index(question, item, len(question.options)) for item in answer)
    options = [question.options[index] for index in chosen]
    right = sum(option.is_correct for option in options)
    correct = sum(option.is_correct for option in question.options)
    credit = max(Fraction(0), Fraction(right - (len(options) - right), correct))
    return credit * question.points, [option.feedback for option in options]


def _scale_score(question: Question, answer: object) -> tuple[Fraction, list[str]]:
    step = question.scale[_index(question, answer, len(question.scale))]
    return Fraction(step.points or 0), []


def _concordance_score(question: Question, answer: object) -> tuple[Fraction, list[str]]:
    """Aggregate scoring: the panel's count for the answer over the modal answer's count."""
    if isinstance(answer, bool) or answer not in CONCORDANCE_ANSWERS:
        raise InvalidAnswer(f"Question '{question.id}' expects a whole number from -2 to 2.")
    count = question.panel[CONCORDANCE_ANSWERS.index(answer)]
    return Fraction(count, max(question.panel)) * question.points, []


_SCORERS = {
    "single": _single_score,
    "multiple": _multiple_score,
    "scale": _scale_score,
    "concordance": _concordance_score,
}
