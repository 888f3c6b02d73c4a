"""Assessment forms. The questions differ per assessment, so the answer sheet carries only the
CSRF token and its buttons; ``read_answers`` reads the answers the engine way."""

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from eduapp.engine import CONCORDANCE_SCALE, Assessment, Question, RubricCriterion

TEXT_ANSWER_MAX_CHARS = 20_000
#: The script concordance scale as shown: (answer, as written, meaning), from -2 to +2.
CONCORDANCE_CHOICES = tuple(
    (value, f"{value:+d}".replace("-", "\u2212") if value else "0", meaning)
    for value, meaning in zip(range(-2, 3), CONCORDANCE_SCALE, strict=True)
)
TUTOR_FEEDBACK_MAX_CHARS = 10_000


class AnswerSheetForm(FlaskForm):
    save = SubmitField("Save and finish later")
    submit = SubmitField("Submit my answers")


class StartForm(FlaskForm):
    submit = SubmitField("Start")


class MarkForm(FlaskForm):
    #: One entry per rubric criterion, in the rubric's order; each is checked against its points.
    points = FieldList(IntegerField(validators=[InputRequired(), NumberRange(min=0)]))
    feedback = TextAreaField(
        "Feedback to the learner",
        validators=[Length(max=TUTOR_FEEDBACK_MAX_CHARS)],
        description="Shown to the learner with the points for each criterion.",
    )
    submit = SubmitField("Save the mark")


class QueueFilterForm(FlaskForm):
    """Filters of the marking queue (a GET form: it changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    cohort = SelectField("Cohort", validate_choice=False)
    module = SelectField("Module", validate_choice=False)


def field_name(question: Question) -> str:
    return f"answer-{question.id}"


def read_answers(
    assessment: Assessment, formdata: MultiDict
) -> tuple[dict[str, object], dict[str, str]]:
    """The posted answers as stored (JSON) values, by question id, and a message per bad one.

    An unanswered question is simply left out. Text is kept even when too long, so that the
    page shown again with the error still holds everything the learner wrote.
    """
    answers: dict[str, object] = {}
    errors: dict[str, str] = {}
    for question in assessment.questions:
        name = field_name(question)
        if question.type == "text":
            text = formdata.get(name, "").replace("\r\n", "\n")
            if len(text) > TEXT_ANSWER_MAX_CHARS:
                errors[question.id] = (
                    f"Keep your answer under {TEXT_ANSWER_MAX_CHARS:,} characters "
                    f"(it has {len(text):,})."
                )
            if text.strip():
                answers[question.id] = text
            continue
        low, high = _range(question)
        raw = formdata.getlist(name) if question.type == "multiple" else [formdata.get(name, "")]
        raw = [value.strip() for value in raw if value.strip()]
        numbers = [_number(value) for value in raw]
        if any(number is None or not low <= number <= high for number in numbers):
            errors[question.id] = "Choose from the answers offered."
        elif numbers and question.type == "multiple":
            answers[question.id] = sorted(set(numbers))
        elif numbers:
            answers[question.id] = numbers[0]
    return answers, errors


def unanswered(assessment: Assessment, answers: dict[str, object]) -> list[str]:
    return [question.id for question in assessment.questions if question.id not in answers]


def _range(question: Question) -> tuple[int, int]:
    if question.type == "concordance":
        return -2, 2
    steps = question.scale if question.type == "scale" else question.options
    return 0, len(steps) - 1


def _number(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def within_rubric(form: MarkForm, rubric: tuple[RubricCriterion, ...]) -> bool:
    """Each criterion's points from 0 to what the rubric gives it; errors go on the inputs."""
    if len(form.points.entries) != len(rubric):
        form.points.errors.append("Give points for every criterion of the rubric.")
        return False
    fits = True
    for entry, criterion in zip(form.points.entries, rubric, strict=True):
        if entry.data is not None and entry.data > criterion.points:
            entry.errors.append(f"At most {criterion.points} for this criterion.")
            fits = False
    return fits
