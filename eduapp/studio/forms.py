"""Studio forms. Every form that changes a draft carries the revision it was based on."""

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from eduapp.content.models import DocumentKind
from eduapp.engine import MAX_CHOICE_LABEL_CHARS, MAX_TITLE_CHARS
from eduapp.extensions import MAX_INTEGER
from eduapp.studio.models import Decision, MemberRole

MAX_SOURCE_CHARS = 1_000_000
#: A revision number as posted: one that a revision could have.
REVISION_NUMBER = NumberRange(min=1, max=MAX_INTEGER)
ID_PATTERN = Regexp(r"^[a-z0-9_-]{1,64}$", message="Lowercase letters, digits, - and _ only.")


class BasedForm(FlaskForm):
    base = IntegerField(validators=[InputRequired(), REVISION_NUMBER])


class NewDocumentForm(FlaskForm):
    kind = SelectField(
        "What are you starting?",
        choices=[
            SelectChoice(DocumentKind.SCENARIO.value, "A scenario"),
            SelectChoice(DocumentKind.MODULE.value, "A module"),
            SelectChoice(DocumentKind.ASSESSMENT.value, "A module's assessment"),
        ],
    )
    slug = StringField(
        "Id",
        validators=[DataRequired(), Length(max=64)],
        description="Lowercase words joined by dashes, e.g. night-handover. It never changes.",
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=MAX_TITLE_CHARS)])
    credit = StringField(
        "How you are credited, by role",
        validators=[Length(max=80)],
        description='For example "patient educator" or "nursing tutor". No personal names.',
    )
    submit = SubmitField("Start the draft")


class SourceForm(BasedForm):
    source = TextAreaField("Source", validators=[InputRequired(), Length(max=MAX_SOURCE_CHARS)])
    message = StringField(
        "What did you change?",
        validators=[Length(max=200)],
        description="A few words for the history, e.g. 'Added the pharmacist's view'.",
    )
    submit = SubmitField("Save")


class NodeForm(BasedForm):
    node_id = StringField("Node id", validators=[DataRequired(), ID_PATTERN])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    speaker = StringField(
        "Speaker or perspective",
        validators=[Length(max=60)],
        description="patient, carer, nurse, consultant, student ...",
    )
    reflect = StringField("Reflection prompt (optional)", validators=[Length(max=500)])
    body = TextAreaField("What happens (Markdown)", validators=[DataRequired(), Length(max=20000)])
    ending = StringField("Ending label, if this node is an ending", validators=[Length(max=120)])
    debrief = TextAreaField("Debrief, for an ending", validators=[Length(max=20000)])
    submit = SubmitField("Add node")


class ChoiceForm(BasedForm):
    from_node = SelectField("From node", validate_choice=False)
    label = StringField(
        "Choice label", validators=[DataRequired(), Length(max=MAX_CHOICE_LABEL_CHARS)]
    )
    target = SelectField("Goes to", validate_choice=False)
    condition = StringField(
        "Offered only if (optional)",
        validators=[Length(max=500)],
        description="For example: trust >= 2 and not escalated",
    )
    effects = StringField(
        "Changes (optional)",
        validators=[Length(max=500)],
        description="For example: voice += 1, trust -= 1",
    )
    feedback = TextAreaField(
        "Feedback after the choice",
        validators=[Length(max=5000)],
        description="The trade-off: what it gains and what it costs.",
    )
    submit = SubmitField("Add choice")


class VariableForm(BasedForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired(),
            Regexp(r"^[a-z][a-z0-9_]{0,30}$", message="Lowercase, e.g. trust"),
        ],
    )
    initial = StringField(
        "Starting value",
        validators=[DataRequired(), Length(max=12)],
        description="A whole number, or true / false",
    )
    description = StringField("What it measures", validators=[Length(max=200)])
    submit = SubmitField("Add variable")


class ModuleForm(BasedForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=MAX_TITLE_CHARS)])
    order = IntegerField("Place in the course", validators=[InputRequired(), NumberRange(0, 999)])
    summary = StringField("Summary", validators=[DataRequired(), Length(max=500)])
    outcomes = TextAreaField("Learning outcomes, one per line", validators=[DataRequired()])
    scenarios = TextAreaField("Scenario ids, one per line", validators=[Optional()])
    reading = TextAreaField(
        "Reading (Markdown)", validators=[DataRequired(), Length(max=MAX_SOURCE_CHARS)]
    )
    references = TextAreaField("References (Markdown)", validators=[Optional()])
    submit = SubmitField("Save module")


class InviteForm(FlaskForm):
    email = StringField("Their e-mail", validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        "Their role in this draft", choices=[SelectChoice(r.value, r.label) for r in MemberRole]
    )
    credit = StringField(
        "Credited as",
        validators=[DataRequired(), Length(max=80)],
        description='By role, e.g. "medical student", "patient educator".',
    )
    submit = SubmitField("Invite")


class CommentForm(FlaskForm):
    revision = IntegerField(validators=[InputRequired(), REVISION_NUMBER])
    anchor = SelectField("About", validate_choice=False)
    parent_id = HiddenField()
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField("Comment")


class ReviewForm(FlaskForm):
    revision = IntegerField(validators=[InputRequired(), REVISION_NUMBER])
    decision = RadioField(
        "Your decision",
        choices=[
            SelectChoice(Decision.APPROVE.value, "Sign off this revision"),
            SelectChoice(Decision.CHANGES.value, "Ask for changes"),
        ],
        validators=[DataRequired()],
    )
    note = TextAreaField("Note", validators=[Length(max=5000)])
    submit = SubmitField("Send")


class RevisionForm(FlaskForm):
    """Publish or restore: only the revision number and the CSRF token."""

    revision = IntegerField(validators=[InputRequired(), REVISION_NUMBER])


class ActionForm(FlaskForm):
    """An action with nothing to fill in: only the CSRF token."""


class ResolveForm(FlaskForm):
    resolved = HiddenField(validators=[DataRequired()])
