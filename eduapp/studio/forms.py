"""Studio forms. Every form that changes a draft carries the revision it was based on.

The forms that edit a scenario without its source check what they are given the way the engine
reads it, and hand the views engine objects (``NodeForm.node()``, ``ChoiceForm.choice()``, ...).
"""

import re

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
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from eduapp.content.models import DocumentKind
from eduapp.engine import (
    MAX_CHOICE_LABEL_CHARS,
    MAX_FILE_BYTES,
    MAX_TITLE_CHARS,
    Choice,
    ExpressionError,
    Module,
    Node,
    Variable,
    parse_condition,
    parse_effects,
)
from eduapp.extensions import MAX_INTEGER
from eduapp.studio.drafts import Draft
from eduapp.studio.models import Decision, MemberRole

#: A whole draft posted in a form: the engine refuses a larger file anyway.
MAX_SOURCE_CHARS = MAX_FILE_BYTES
#: A revision number as posted: one that a revision could have.
REVISION_NUMBER = NumberRange(min=1, max=MAX_INTEGER)
ID_PATTERN = Regexp(r"^[a-z0-9_-]{1,64}\Z", message="Lowercase letters, digits, - and _ only.")


def strip(value: str | None) -> str:
    """A text field's value without surrounding spaces; a field left out of the request is empty."""
    return (value or "").strip()


def lines(text: str | None) -> tuple[str, ...]:
    """The text's non-blank lines, stripped: one item per line."""
    return tuple(filter(None, (line.strip() for line in (text or "").splitlines())))


def starting_value(text: str | None) -> int | bool | None:
    """A variable's starting value as typed (a whole number, true or false); None if neither."""
    text = strip(text).lower()
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d{1,9}", text):
        return int(text)
    return None


def _as_the_engine_reads(parse, field) -> None:
    """Refuse a condition or effects the engine cannot read, in the engine's words."""
    if field.data and not field.errors:  # a field already too long is not parsed
        try:
            parse(field.data)
        except ExpressionError as error:
            raise ValidationError(str(error)) from None


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
        coerce=DocumentKind,
    )
    slug = StringField(
        "Id",
        validators=[DataRequired(), Length(max=64)],
        filters=[strip],
        description="Lowercase words joined by dashes, e.g. night-handover. It never changes.",
    )
    title = StringField(
        "Title", validators=[DataRequired(), Length(max=MAX_TITLE_CHARS)], filters=[strip]
    )
    credit = StringField(
        "How you are credited, by role",
        validators=[Length(max=80)],
        filters=[strip],
        description='For example "patient educator" or "nursing tutor". No personal names.',
    )
    submit = SubmitField("Start the draft")


class SourceForm(BasedForm):
    source = TextAreaField("Source", validators=[InputRequired(), Length(max=MAX_SOURCE_CHARS)])
    message = StringField(
        "What did you change?",
        validators=[Length(max=200)],
        filters=[strip],
        description="A few words for the history, e.g. 'Added the pharmacist's view'.",
    )
    submit = SubmitField("Save")


class NodeFields(BasedForm):
    """What a node holds, as the add-node form and the node panel (``node_forms``) ask it."""

    title = StringField(
        "Title", validators=[DataRequired(), Length(max=MAX_TITLE_CHARS)], filters=[strip]
    )
    speaker = StringField(
        "Speaker or perspective",
        validators=[Length(max=60)],
        filters=[strip],
        description="patient, carer, nurse, consultant, student ...",
    )
    body = TextAreaField(
        "What happens (Markdown)", validators=[DataRequired(), Length(max=20000)], filters=[strip]
    )
    reflect = StringField(
        "Reflection prompt (optional)",
        validators=[Length(max=500)],
        filters=[strip],
        description="A question the learner answers in their own words here.",
    )
    ending = StringField(
        "Ending label, if this node is an ending",
        validators=[Length(max=120)],
        filters=[strip],
        description="For example: Heard, and home. An ending has no choices.",
    )
    debrief = TextAreaField(
        "Debrief, for an ending (Markdown)",
        validators=[Length(max=20000)],
        filters=[strip],
        description="What the learner takes away once the scenario ends here.",
    )

    def validate_debrief(self, field) -> None:
        if self.ending.data and not field.data:
            raise ValidationError(
                "An ending needs a debrief: say what the learner should take away."
            )


class NodeForm(NodeFields):
    node_id = StringField("Node id", validators=[DataRequired(), ID_PATTERN])
    submit = SubmitField("Add node")

    def node(self) -> Node:
        """The node as the engine reads it; only an ending keeps a debrief."""
        return Node(
            id=self.node_id.data,
            title=self.title.data,
            body=self.body.data,
            speaker=self.speaker.data,
            reflect=self.reflect.data,
            ending=self.ending.data,
            debrief=self.debrief.data if self.ending.data else "",
        )


class ChoiceConsequenceFields(BasedForm):
    """What a choice asks and does, as the add-choice form and the choice page
    (``node_forms``) ask it."""

    condition = StringField(
        "Offered only if (optional)",
        validators=[Length(max=500)],
        filters=[strip],
        description="For example: trust >= 2 and not escalated",
    )
    effects = StringField(
        "Changes (optional)",
        validators=[Length(max=500)],
        filters=[strip],
        description="For example: voice += 1, trust -= 1",
    )
    feedback = TextAreaField(
        "Feedback after the choice",
        validators=[Length(max=5000)],
        filters=[strip],
        description="The trade-off: what it gains and what it costs.",
    )


class ChoiceForm(ChoiceConsequenceFields):
    from_node = SelectField("From node", validators=[DataRequired()], validate_choice=False)
    label = StringField(
        "Choice label",
        validators=[DataRequired(), Length(max=MAX_CHOICE_LABEL_CHARS)],
        filters=[strip],
    )
    target = SelectField("Goes to", validators=[DataRequired()], validate_choice=False)
    submit = SubmitField("Add choice")

    def validate_condition(self, field) -> None:
        _as_the_engine_reads(parse_condition, field)

    def validate_effects(self, field) -> None:
        _as_the_engine_reads(parse_effects, field)

    def choice(self) -> Choice:
        """The choice as the engine reads it, once the form is valid."""
        return Choice(
            label=self.label.data,
            target=self.target.data,
            condition=parse_condition(self.condition.data) if self.condition.data else None,
            effects=parse_effects(self.effects.data) if self.effects.data else (),
            feedback=self.feedback.data,
        )


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
    description = StringField("What it measures", validators=[Length(max=200)], filters=[strip])
    submit = SubmitField("Add variable")

    def validate_initial(self, field) -> None:
        if not field.errors and starting_value(field.data) is None:
            raise ValidationError("The starting value is a whole number, true or false.")

    def variable(self) -> Variable:
        """The variable as the engine reads it, once the form is valid."""
        return Variable(self.name.data, starting_value(self.initial.data), self.description.data)


class ModuleForm(BasedForm):
    title = StringField(
        "Title", validators=[DataRequired(), Length(max=MAX_TITLE_CHARS)], filters=[strip]
    )
    order = IntegerField("Place in the course", validators=[InputRequired(), NumberRange(0, 999)])
    summary = StringField("Summary", validators=[DataRequired(), Length(max=500)], filters=[strip])
    outcomes = TextAreaField("Learning outcomes, one per line", validators=[DataRequired()])
    scenarios = TextAreaField("Scenario ids, one per line", validators=[Optional()])
    reading = TextAreaField(
        "Reading (Markdown)",
        validators=[DataRequired(), Length(max=MAX_SOURCE_CHARS)],
        filters=[strip],
    )
    references = TextAreaField("References (Markdown)", validators=[Optional()], filters=[strip])
    submit = SubmitField("Save module")

    @classmethod
    def for_module(cls, module: Module, base: int) -> "ModuleForm":
        """The form filled in with the module as revision ``base`` has it."""
        return cls(
            formdata=None,
            base=base,
            title=module.title,
            order=module.order,
            summary=module.summary,
            outcomes="\n".join(module.outcomes),
            scenarios="\n".join(module.scenarios),
            reading=module.reading,
            references=module.references,
        )

    def module_fields(self) -> dict[str, object]:
        """What the form changes of a module, as the engine's Module fields by name."""
        return {
            "title": self.title.data,
            "order": self.order.data,
            "summary": self.summary.data,
            "outcomes": lines(self.outcomes.data),
            "scenarios": lines(self.scenarios.data),
            "reading": self.reading.data,
            "references": self.references.data,
        }


class InviteForm(FlaskForm):
    email = StringField("Their e-mail", validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        "Their role in this draft",
        choices=[SelectChoice(r.value, r.label) for r in MemberRole],
        coerce=MemberRole,
    )
    credit = StringField(
        "Credited as",
        validators=[DataRequired(), Length(max=80)],
        description='By role, e.g. "medical student", "patient educator".',
    )
    submit = SubmitField("Invite")


class CommentForm(FlaskForm):
    """A new thread or a reply, about one of the anchors the draft offers."""

    revision = IntegerField(validators=[InputRequired(), REVISION_NUMBER])
    anchor = SelectField("About")
    parent_id = IntegerField(
        widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=MAX_INTEGER)]
    )
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField("Comment")

    def __init__(self, *args, draft: Draft, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.anchor.choices = anchor_choices(draft)


def anchor_choices(draft: Draft) -> list[tuple[str, str]]:
    """What a comment on the draft can be about: the whole draft, the reading, a node or a
    question."""
    choices = [("general", "The draft as a whole")]
    if draft.kind == DocumentKind.MODULE:
        return [*choices, ("reading", "The reading")]
    name = "Question" if draft.kind == DocumentKind.ASSESSMENT else "Node"
    return choices + [
        (f"node:{part_id}", f"{name} {part_id}: {title}")
        for part_id, title in draft.section_titles.items()
    ]


class ReviewForm(FlaskForm):
    revision = IntegerField(validators=[InputRequired(), REVISION_NUMBER])
    decision = RadioField(
        "Your decision",
        choices=[
            SelectChoice(Decision.APPROVE.value, "Sign off this revision"),
            SelectChoice(Decision.CHANGES.value, "Ask for changes"),
        ],
        coerce=Decision,
        validators=[DataRequired()],
    )
    note = TextAreaField("Note", validators=[Length(max=5000)], filters=[strip])
    submit = SubmitField("Send")


class RevisionForm(FlaskForm):
    """Publish or restore: only the revision number and the CSRF token."""

    revision = IntegerField(validators=[InputRequired(), REVISION_NUMBER])


class ActionForm(FlaskForm):
    """An action with nothing to fill in: only the CSRF token."""


class ResolveForm(FlaskForm):
    resolved = HiddenField(validators=[DataRequired()])


class MergeForm(FlaskForm):
    """The conflict page: the revision the save started from, the newer revision it met, the
    text that was sent, and its message. Each conflict's choice and edited text are read by
    number (``choice-0``, ``edit-0``, with ``key-0`` naming the part) as the merge lists them."""

    base = IntegerField(validators=[InputRequired(), REVISION_NUMBER])
    theirs = IntegerField(validators=[InputRequired(), REVISION_NUMBER])
    source = TextAreaField(validators=[Length(max=MAX_SOURCE_CHARS)])
    message = StringField(
        "What did you change?",
        validators=[Length(max=200)],
        filters=[strip],
        description="A few words for the history; the merge is noted after them.",
    )


class NodeRestoreForm(FlaskForm):
    """Bring one node (section, question) back from an old revision."""

    revision = IntegerField(validators=[InputRequired(), REVISION_NUMBER])
    node = StringField(validators=[DataRequired(), Length(max=64)])
