from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class CohortForm(FlaskForm):
    name = StringField(
        "Cohort name",
        validators=[DataRequired(), Length(max=120)],
        description="For example: Interprofessional week, spring 2027",
    )
    submit = SubmitField("Create cohort")


class InviteLearnersForm(FlaskForm):
    emails = TextAreaField(
        "E-mail addresses",
        validators=[DataRequired(), Length(max=20000)],
        description="One per line, or separated by commas or spaces.",
    )
    submit = SubmitField("Invite")


class CoTutorForm(FlaskForm):
    email = StringField("Co-tutor's e-mail", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Add co-tutor")


class AssignModuleForm(FlaskForm):
    module = SelectField("Module", validate_choice=False)
    due = DateField("Due date (optional)", validators=[Optional()])
    submit = SubmitField("Set module")


class ActionForm(FlaskForm):
    """A button with nothing to fill in."""
