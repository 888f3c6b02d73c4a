"""Forms of the learner's own pages. Only the fields declared here are read from a request."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class JoinCodeForm(FlaskForm):
    code = StringField(
        "Cohort code",
        validators=[DataRequired(message="Type the code your tutor gave you."), Length(max=16)],
        description="Eight letters and digits, as your tutor shared them.",
    )
    submit = SubmitField("Join the cohort")


class ButtonForm(FlaskForm):
    """A button with nothing to fill in (joining by invitation, leaving a cohort)."""


class ErasureRequestForm(FlaskForm):
    confirm = BooleanField(
        "I understand that my reflections, my answers and my account will be erased for good",
        validators=[DataRequired(message="Tick the box to confirm that you want this.")],
    )
    submit = SubmitField("Ask for my data to be erased")


class CarryOutErasureForm(FlaskForm):
    confirm = BooleanField(
        "I have checked this request", validators=[DataRequired(message="Tick the box first.")]
    )
    submit = SubmitField("Erase now")
