"""The player's forms. The step number travels with every post, so a stale one is recognised."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eduapp.reflections.models import Visibility

REFLECTION_MAX_CHARS = 10_000


class StartForm(FlaskForm):
    #: Start again rather than resume an unfinished attempt.
    fresh = BooleanField()
    submit = SubmitField("Start")


class StepForm(FlaskForm):
    step = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    #: The number of the choice button pressed; absent when only the reflection is saved.
    choice = IntegerField(validators=[Optional(), NumberRange(min=1, max=100)])
    reflection = TextAreaField(
        "Your reflection", validators=[Optional(), Length(max=REFLECTION_MAX_CHARS)]
    )
    visibility = RadioField(
        "Who may read it",
        choices=[SelectChoice(v.value, v.label) for v in Visibility],
        default=Visibility.PRIVATE.value,
        validators=[DataRequired()],
    )
    save_reflection = SubmitField("Save reflection")
    #: Set by the page's script to the seconds spent reading; informative only.
    client_seconds = HiddenField()
