"""The assessment model: immutable dataclasses that the parser builds and everything else reads.

The file format is documented in docs/assessment-format.md and follows the scenario format:
a ``key: value`` header, then one ``::`` section per question (``assessment_parser.py``).
``serialize.dump_assessment`` writes it back and ``scoring.py`` scores answers to it.
"""

from dataclasses import dataclass, field

from .scenario import Author

MAX_QUESTIONS = 200
QUESTION_TYPES = ("single", "multiple", "text", "scale", "concordance")
#: The script concordance answers, in order, and what the learner sees for each.
CONCORDANCE_ANSWERS = (-2, -1, 0, 1, 2)
CONCORDANCE_SCALE = (
    "much less appropriate",
    "less appropriate",
    "neither more nor less appropriate",
    "more appropriate",
    "much more appropriate",
)


def signed(answer: int) -> str:
    """-2, -1, 0, +1, +2: the way concordance answers are written."""
    return f"{answer:+d}" if answer else "0"


@dataclass(frozen=True)
class Option:
    """One answer of a single or multiple choice question, with feedback for choosing it."""

    label: str
    is_correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class RubricCriterion:
    """One line of a free-text question's marking rubric."""

    text: str
    points: int


@dataclass(frozen=True)
class ScaleStep:
    """One step of a Likert or confidence scale; ``points`` is None on an ungraded scale."""

    label: str
    points: int | None = None


@dataclass(frozen=True)
class Question:
    """One question. ``points`` is the most it can score (for a scale, its best step).

    Which fields are used depends on ``type``: ``options`` for single and multiple choice,
    ``rubric`` and ``model_answer`` for text, ``scale`` for scale, and ``situation``,
    ``hypothesis``, ``new_information`` and ``panel`` (how many panel members chose each
    answer from -2 to +2) for concordance. ``feedback`` is shown after any answer.
    """

    id: str
    title: str
    type: str
    stem: str = ""
    points: int = 1
    options: tuple[Option, ...] = ()
    rubric: tuple[RubricCriterion, ...] = ()
    model_answer: str = ""
    scale: tuple[ScaleStep, ...] = ()
    situation: str = ""
    hypothesis: str = ""
    new_information: str = ""
    panel: tuple[int, ...] = ()
    feedback: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Assessment:
    """A module's assessment. ``attempts`` is None when learners may try without limit."""

    id: str
    module: str
    title: str
    summary: str
    pass_mark: int
    attempts: int | None
    authors: tuple[Author, ...]
    licence: str
    questions: tuple[Question, ...]
