"""Forms of the reflection queue, the learner's view and peer review."""

from flask_wtf import FlaskForm
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from eduapp.accounts.models import Profession
from eduapp.reflections.models import Visibility
from eduapp.reflections.services import RUBRIC, RUBRIC_SCORES, THEME_MAX_CHARS, THEME_TOO_LONG

REPLY_MAX_CHARS = 5_000
COMMENT_MAX_CHARS = 3_000
ANY = SelectChoice("", "Any")


class QueueFilterForm(FlaskForm):
    """The queue's filters, read from the query string (a GET changes nothing: no CSRF)."""

    class Meta:
        csrf = False

    status = SelectField(
        "Show",
        choices=[SelectChoice("waiting", "Waiting for a reply"), SelectChoice("all", "All")],
        default="waiting",
    )
    cohort = SelectField("Cohort", validators=[Optional()])
    module = SelectField("Module", validators=[Optional()])
    scenario = SelectField("Scenario", validators=[Optional()])
    node = SelectField("Node", validators=[Optional()])
    profession = SelectField(
        "Profession",
        choices=[ANY, *(SelectChoice(p.value, p.label) for p in Profession)],
        validators=[Optional()],
    )

    def set_choices(self, cohorts, modules, scenarios, nodes) -> None:
        """Offer only what the tutor may pick: their own cohorts, published content."""
        self.cohort.choices = [ANY, *(SelectChoice(str(c.id), c.name) for c in cohorts)]
        self.module.choices = [ANY, *(SelectChoice(v.slug, v.title) for v in modules)]
        self.scenario.choices = [ANY, *(SelectChoice(v.slug, v.title) for v in scenarios)]
        self.node.choices = [ANY, *(SelectChoice(node_id, label) for node_id, label in nodes)]


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply",
        validators=[DataRequired(), Length(max=REPLY_MAX_CHARS)],
        description="The learner is notified and sees your name with the reply.",
    )
    submit = SubmitField("Send reply")


class ThemesForm(FlaskForm):
    themes = SelectMultipleField(
        "Themes",
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # names are normalised and checked by the service
    )
    new_theme = StringField(
        "Add a theme",
        validators=[Optional(), Length(max=THEME_MAX_CHARS, message=THEME_TOO_LONG)],
        description="Optional, a few words.",
    )
    submit = SubmitField("Save themes")


class OpenPeerReviewForm(FlaskForm):
    cohort = SelectField("Cohort", coerce=int, validators=[InputRequired()])
    submit = SubmitField("Open for peer review")


class VisibilityForm(FlaskForm):
    visibility = RadioField(
        "Who may read it",
        choices=[SelectChoice(v.value, v.label) for v in Visibility],
        validators=[DataRequired()],
    )
    submit = SubmitField("Save")


def _criterion_field(label: str) -> RadioField:
    return RadioField(
        label,
        choices=[SelectChoice(str(score), str(score)) for score in RUBRIC_SCORES],
        validators=[DataRequired(message="Choose a score from 1 to 4.")],
    )


class PeerReviewForm(FlaskForm):
    comment = TextAreaField(
        "Your comment",
        validators=[DataRequired(), Length(max=COMMENT_MAX_CHARS)],
        description="What worked, and one thing the author could think about next.",
    )
    submit = SubmitField("Submit review")

    def criteria(self):
        return [self[key] for key, _ in RUBRIC]

    def scores(self) -> dict[str, int]:
        return {key: int(self[key].data) for key, _ in RUBRIC}


for _key, _label in RUBRIC:
    setattr(PeerReviewForm, _key, _criterion_field(_label))
