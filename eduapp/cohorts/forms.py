"""Forms of cohorts, for tutors (the dashboard) and learners (joining, on My learning). Only the
fields declared here are read from a request."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from eduapp.content.queries import published_modules


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
        validators=[
            DataRequired(message="Type the addresses of the learners to invite."),
            Length(max=20000),
        ],
        description="One per line, or separated by commas or spaces.",
    )
    submit = SubmitField("Invite")


class CoTutorForm(FlaskForm):
    email = StringField(
        "Co-tutor's e-mail",
        validators=[DataRequired(message="Type the co-tutor's e-mail address."), Length(max=254)],
    )
    submit = SubmitField("Add co-tutor")


def _document_id(value) -> int | None:
    """A posted module id, or None for anything that is not one (refused by the form)."""
    if isinstance(value, int):
        return value
    is_number = isinstance(value, str) and value.isascii() and value.isdigit()
    return int(value) if is_number else None


class AssignModuleForm(FlaskForm):
    """A published module (by its document id) and an optional due date (``services.set_module``
    makes it the end of that day)."""

    module = SelectField("Module", coerce=_document_id, validate_choice=False)
    due = DateField("Due date (optional)", validators=[Optional()])
    submit = SubmitField("Set module")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.module.choices = [(v.document_id, v.title) for v in published_modules()]

    def validate_module(self, field: SelectField) -> None:
        if field.data not in {document_id for document_id, _ in field.choices}:
            raise ValidationError("Choose a published module.")


class JoinCodeForm(FlaskForm):
    code = StringField(
        "Cohort code",
        validators=[DataRequired(message="Type the code your tutor gave you."), Length(max=16)],
        description="Eight letters and digits, as your tutor shared them.",
    )
    submit = SubmitField("Join the cohort")


#: What a button says when its form was not accepted (its CSRF token had expired).
EXPIRED = "The form had expired; please try again."


class ActionForm(FlaskForm):
    """A button with nothing to fill in (renewing a code, removing a module, joining by
    invitation, leaving a cohort): it carries the CSRF token only."""
