"""The node panel's forms: a node, its choices, its id, deleting it; the header and variables.

Each is built with what it checks against (the newest revision's node titles and variables), so
a condition or effect that does not fit the scenario is refused by its field when posted, in
plain words, with a "declare it" offer for a variable that does not exist yet.
"""

from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from eduapp.engine import (
    MAX_CHOICE_LABEL_CHARS,
    MAX_TITLE_CHARS,
    PROFESSIONS,
    Choice,
    ExpressionError,
    Node,
    Scenario,
    parse_condition,
    parse_effects,
)
from eduapp.studio.forms import (
    ID_PATTERN,
    BasedForm,
    ChoiceConsequenceFields,
    NodeFields,
    VariableForm,
    strip,
)
from eduapp.studio.scenario_checks import (
    condition_messages,
    declared_types,
    effects_messages,
    undeclared,
)
from eduapp.studio.structured_edits import NodeText

#: The value of "Goes to" that makes a new node with the title typed beside it.
NEW_NODE = "+new"


def node_options(scenario: Scenario) -> list[tuple[str, str]]:
    """Every node as (id, title) for a select: titles, with the id only where two share one."""
    titles = [node.title for node in scenario.nodes]
    return [
        (node.id, node.title if titles.count(node.title) == 1 else f"{node.title} ({node.id})")
        for node in scenario.nodes
    ]


def _select(options: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in options]


class NodeEditForm(NodeFields):
    @classmethod
    def for_node(cls, node: Node, base: int) -> "NodeEditForm":
        return cls(
            formdata=None,
            base=base,
            **{name: getattr(node, name) for name in ("title", "speaker", "body", "reflect")},
            ending=node.ending,
            debrief=node.debrief,
        )

    def text(self) -> NodeText:
        return NodeText(
            title=self.title.data,
            speaker=self.speaker.data,
            reflect=self.reflect.data,
            body=self.body.data,
            ending=self.ending.data,
            debrief=self.debrief.data,
        )


class ChoiceEditForm(ChoiceConsequenceFields):
    """A choice, new or edited; ``scenario`` is the newest revision it is checked against."""

    label = StringField(
        "What the learner's button says",
        validators=[DataRequired(), Length(max=MAX_CHOICE_LABEL_CHARS)],
        filters=[strip],
    )
    target = SelectField(
        "Goes to",
        validators=[DataRequired(message="Choose where the choice goes.")],
        validate_choice=False,
    )
    new_title = StringField(
        "Title of the new node",
        validators=[Length(max=MAX_TITLE_CHARS)],
        filters=[strip],
        description='Only when "Goes to" is a new node: it is added, ready to write.',
    )
    #: The label the choice had when the form was shown (editing only).
    was = HiddenField(validators=[Length(max=MAX_CHOICE_LABEL_CHARS)])
    #: Set by a "declare it" button: the variable to declare before anything else.
    declare = StringField(validators=[Optional(), Regexp(r"^[a-z][a-z0-9_]{0,30}\Z")])

    def __init__(self, *args, scenario: Scenario, new_node: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.declared = declared_types(scenario)
        options = node_options(scenario)
        if new_node:
            options = [("", "Choose where it goes"), *options]
            options.append((NEW_NODE, "A new node (give its title below)"))
        self.offers_new_node = new_node
        self.target.choices = _select(options)
        #: Variables the condition or effects use without their being declared, each with the
        #: starting value "declare it" would give them.
        self.undeclared: dict[str, int | bool] = {}

    @classmethod
    def for_choice(cls, choice: Choice, base: int, scenario: Scenario) -> "ChoiceEditForm":
        return cls(
            formdata=None,
            scenario=scenario,
            new_node=False,
            base=base,
            label=choice.label,
            target=choice.target,
            condition="" if choice.condition is None else str(choice.condition),
            effects=", ".join(str(effect) for effect in choice.effects),
            feedback=choice.feedback,
            was=choice.label,
        )

    def validate_target(self, field) -> None:
        if not field.data or field.data not in {o.value for o in self.target.choices}:
            raise ValidationError("Choose where the choice goes.")

    def validate_new_title(self, field) -> None:
        if self.target.data == NEW_NODE and not field.data:
            raise ValidationError("Give the new node a title.")

    def validate_condition(self, field) -> None:
        condition = self._parsed(parse_condition, field)
        if condition is not None:
            self._undeclared(condition, ())
            messages = condition_messages(condition, self.declared)
            if messages:
                raise ValidationError(" ".join(messages))

    def validate_effects(self, field) -> None:
        effects = self._parsed(parse_effects, field)
        if effects is not None:
            self._undeclared(None, effects)
            messages = effects_messages(effects, self.declared)
            if messages:
                raise ValidationError(" ".join(messages))

    def _parsed(self, parse, field):
        if not field.data or field.errors:
            return None
        try:
            return parse(field.data)
        except ExpressionError as error:
            raise ValidationError(str(error)) from None

    def _undeclared(self, condition, effects) -> None:
        for name, value in undeclared(condition, effects, self.declared).items():
            self.undeclared.setdefault(name, value)

    @property
    def makes_a_node(self) -> bool:
        return self.target.data == NEW_NODE

    def choice(self) -> Choice:
        """The choice as the engine reads it, once the form is valid (a new node's target is
        set by the edit that makes it)."""
        return Choice(
            label=self.label.data,
            target="" if self.makes_a_node else self.target.data,
            condition=parse_condition(self.condition.data) if self.condition.data else None,
            effects=parse_effects(self.effects.data) if self.effects.data else (),
            feedback=self.feedback.data,
        )


class ChoiceActionForm(BasedForm):
    """Move or delete a choice: the label it had when shown, and for a move, the direction."""

    was = HiddenField(validators=[DataRequired(), Length(max=MAX_CHOICE_LABEL_CHARS)])
    direction = HiddenField(validators=[Optional(), Regexp(r"^(up|down)\Z")])


class RenameNodeForm(BasedForm):
    new_id = StringField(
        "New id",
        validators=[DataRequired(), ID_PATTERN],
        filters=[strip],
        description="Lowercase letters, digits, - and _. Every choice that goes here follows.",
    )


class DeleteNodeForm(BasedForm):
    incoming = RadioField(
        "The choices that go to this node",
        choices=[
            SelectChoice("delete", "Delete those choices"),
            SelectChoice("retarget", "Send them to another node"),
        ],
        validators=[Optional()],
    )
    send_to = SelectField("Send them to", validate_choice=False)
    new_start = SelectField("Learners start at", validate_choice=False)

    def __init__(self, *args, scenario: Scenario, node_id: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        others = [(value, title) for value, title in node_options(scenario) if value != node_id]
        self.send_to.choices = _select([("", "Choose a node"), *others])
        self.new_start.choices = _select([("", "Choose a node"), *others])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class HeaderForm(BasedForm):
    title = StringField(
        "Title", validators=[DataRequired(), Length(max=MAX_TITLE_CHARS)], filters=[strip]
    )
    summary = StringField(
        "Summary",
        validators=[DataRequired(), Length(max=500)],
        filters=[strip],
        description="One or two sentences, shown on the module page.",
    )
    professions = MultiCheckboxField(
        "Written for",
        choices=[SelectChoice(p, p.capitalize()) for p in PROFESSIONS],
        validators=[DataRequired(message="Choose at least one profession.")],
    )

    @classmethod
    def for_scenario(cls, scenario: Scenario, base: int) -> "HeaderForm":
        return cls(
            formdata=None,
            base=base,
            title=scenario.title,
            summary=scenario.summary,
            professions=list(scenario.professions),
        )


class VariableEditForm(VariableForm):
    """A declared variable, changed: its name (uses follow), starting value, description."""

    @classmethod
    def for_variable(cls, variable, base: int) -> "VariableEditForm":
        initial = variable.initial
        shown = ("true" if initial else "false") if isinstance(initial, bool) else str(initial)
        return cls(
            formdata=None,
            prefix=f"var-{variable.name}",
            base=base,
            name=variable.name,
            initial=shown,
            description=variable.description,
        )
