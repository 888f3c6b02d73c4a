"""Edits made through the studio's forms: the parsed draft is changed and written back.

A form edit is an action (add, edit, move, rename or delete a node, a choice or a variable; set
the header or these module fields), not a text: it is applied to the newest revision, whichever
revision the form was shown with, so someone using the forms never meets a text merge. If
another save takes the next revision number first, the same action is applied again to that
one. When the action no longer makes sense on the newest revision (the node a choice starts
from was removed meanwhile), a FieldError (or a StudioError) says so, and the view shows the
form again with what was typed. Conditions and effects are checked against the newest
revision's variables, so nothing that does not check is ever saved.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from eduapp.content.models import Document, Revision
from eduapp.engine import Choice, Module, Node, Scenario, Variable, dump_module, dump_scenario
from eduapp.studio import queries
from eduapp.studio.drafts import is_losslessly_editable
from eduapp.studio.errors import Conflict, FieldError, StudioError
from eduapp.studio.revisions import MAX_SAVE_TRIES, save_source
from eduapp.studio.scenario_checks import (
    condition_messages,
    declared_types,
    effects_messages,
    new_node_id,
    rename_variable,
    retarget,
    uses_of,
)

_MODULE_FIELD_NAMES = {
    "title": "title",
    "order": "place in the course",
    "summary": "summary",
    "outcomes": "learning outcomes",
    "scenarios": "scenarios",
    "reading": "reading",
    "references": "references",
}


def add_node(actor, document: Document, base: int, node: Node) -> Revision:
    """Add ``node`` to the scenario as its newest revision has it."""

    def change(scenario: Scenario, latest: Revision):
        if any(existing.id == node.id for existing in scenario.nodes):
            raise FieldError(
                f"A node with the id '{node.id}' exists already{_since(latest, base)}.", "node_id"
            )
        return replace(scenario, nodes=(*scenario.nodes, node)), f"Added node '{node.id}'"

    return _apply_to_scenario(actor, document, change)


def add_choice(actor, document: Document, base: int, node_id: str, choice: Choice) -> Revision:
    """Add ``choice`` to the node ``node_id``, which must not be an ending."""

    def change(scenario: Scenario, latest: Revision):
        nodes = list(scenario.nodes)
        index = next((i for i, n in enumerate(nodes) if n.id == node_id), None)
        ids = {n.id for n in nodes}
        if index is None:
            raise FieldError(
                f"There is no node '{node_id}'{_removed_since(latest, base)}. Your choice is "
                "still in the form: pick the node it starts from again.",
                "from_node",
            )
        if choice.target not in ids:
            raise FieldError(
                f"There is no node '{choice.target}' for the choice to go to"
                f"{_removed_since(latest, base)}. Your choice is still in the form: pick where "
                "it goes again.",
                "target",
            )
        if nodes[index].is_ending:
            raise FieldError("An ending has no choices; pick another node.", "from_node")
        _check_expressions(scenario, choice)
        nodes[index] = replace(nodes[index], choices=(*nodes[index].choices, choice))
        message = f"Added choice '{choice.label[:60]}' to '{node_id}'"
        return replace(scenario, nodes=tuple(nodes)), message

    return _apply_to_scenario(actor, document, change)


def add_variable(actor, document: Document, base: int, variable: Variable) -> Revision:
    """Declare ``variable`` in the scenario, under a name not used yet."""

    def change(scenario: Scenario, latest: Revision):
        if any(v.name == variable.name for v in scenario.variables):
            raise FieldError(
                f"A variable '{variable.name}' exists already{_since(latest, base)}.", "name"
            )
        changed = replace(scenario, variables=(*scenario.variables, variable))
        return changed, f"Added variable '{variable.name}'"

    return _apply_to_scenario(actor, document, change)


@dataclass(frozen=True)
class NodeText:
    """What the node panel edits of a node: everything but its id and choices."""

    title: str
    speaker: str
    reflect: str
    body: str
    ending: str
    debrief: str


def edit_node(actor, document: Document, base: int, node_id: str, text: NodeText) -> Revision:
    """Replace the node's title, speaker, reflection prompt, text, ending and debrief."""

    def change(scenario: Scenario, latest: Revision):
        node = _node(scenario, node_id, latest, base)
        if text.ending and node.choices:
            raise FieldError(
                "An ending has no choices: delete this node's choices first, or leave the "
                "ending label empty.",
                "ending",
            )
        fields = {**vars(text), "debrief": text.debrief if text.ending else ""}
        edited = replace(node, **fields)
        return _with_node(scenario, edited), f"Edited node '{node_id}'"

    return _apply_to_scenario(actor, document, change)


def add_choice_to_new_node(
    actor, document: Document, base: int, node_id: str, choice: Choice, title: str
) -> tuple[Revision, str]:
    """Add a node called ``title`` and a choice from ``node_id`` that goes to it; the new
    node's id comes from its title."""
    made: list[str] = []

    def change(scenario: Scenario, latest: Revision):
        node = _node(scenario, node_id, latest, base)
        if node.is_ending:
            raise FieldError("An ending has no choices.", "label")
        new_id = new_node_id(title, {n.id for n in scenario.nodes})
        made[:] = [new_id]
        linked = replace(choice, target=new_id)
        _check_expressions(scenario, linked)
        changed = _with_node(scenario, replace(node, choices=(*node.choices, linked)))
        changed = replace(changed, nodes=(*changed.nodes, Node(id=new_id, title=title)))
        return changed, f"Added node '{new_id}' and a choice to it from '{node_id}'"

    revision = _apply_to_scenario(actor, document, change)
    return revision, made[0]


def edit_choice(
    actor, document: Document, base: int, node_id: str, index: int, was: str, choice: Choice
) -> Revision:
    """Replace the choice shown as number ``index`` (labelled ``was``) of the node."""

    def change(scenario: Scenario, latest: Revision):
        node = _node(scenario, node_id, latest, base)
        at = _choice_index(node, index, was, latest, base)
        if choice.target not in {n.id for n in scenario.nodes}:
            raise FieldError(
                f"There is no node for the choice to go to{_removed_since(latest, base)}: pick "
                "where it goes again.",
                "target",
            )
        _check_expressions(scenario, choice)
        choices = list(node.choices)
        choices[at] = choice
        edited = replace(node, choices=tuple(choices))
        return _with_node(scenario, edited), f"Edited choice '{choice.label[:60]}' of '{node_id}'"

    return _apply_to_scenario(actor, document, change)


def move_choice(
    actor, document: Document, base: int, node_id: str, index: int, was: str, step: int
) -> Revision:
    """Move the choice one place up (``step`` -1) or down (+1) among the node's choices."""

    def change(scenario: Scenario, latest: Revision):
        node = _node(scenario, node_id, latest, base)
        at = _choice_index(node, index, was, latest, base)
        to = at + step
        if not 0 <= to < len(node.choices):
            raise FieldError("That choice cannot move further that way.", "label")
        choices = list(node.choices)
        choices[at], choices[to] = choices[to], choices[at]
        edited = replace(node, choices=tuple(choices))
        where = "up" if step < 0 else "down"
        return _with_node(scenario, edited), f"Moved choice '{was[:60]}' {where} in '{node_id}'"

    return _apply_to_scenario(actor, document, change)


def delete_choice(
    actor, document: Document, base: int, node_id: str, index: int, was: str
) -> Revision:
    """Delete the choice shown as number ``index`` (labelled ``was``) of the node."""

    def change(scenario: Scenario, latest: Revision):
        node = _node(scenario, node_id, latest, base)
        at = _choice_index(node, index, was, latest, base)
        choices = node.choices[:at] + node.choices[at + 1 :]
        edited = replace(node, choices=choices)
        return _with_node(scenario, edited), f"Deleted choice '{was[:60]}' of '{node_id}'"

    return _apply_to_scenario(actor, document, change)


def rename_node(actor, document: Document, base: int, old: str, new: str) -> Revision:
    """Give the node the id ``new``; every choice that goes to it, and ``start:``, follow."""

    def change(scenario: Scenario, latest: Revision):
        node = _node(scenario, old, latest, base)
        if new != old and any(n.id == new for n in scenario.nodes):
            raise FieldError(f"Another node has the id '{new}' already.", "new_id")
        renamed = _with_node(scenario, replace(node, id=new), old)
        return retarget(renamed, old, new), f"Renamed node '{old}' to '{new}'"

    return _apply_to_scenario(actor, document, change)


def delete_node(
    actor,
    document: Document,
    base: int,
    node_id: str,
    *,
    incoming: str = "",
    send_to: str = "",
    new_start: str = "",
) -> Revision:
    """Delete the node. Choices of other nodes that go to it are deleted (``incoming``
    "delete") or sent to ``send_to`` ("retarget"); deleting the start needs ``new_start``."""

    def change(scenario: Scenario, latest: Revision):
        _node(scenario, node_id, latest, base)
        others = {n.id for n in scenario.nodes} - {node_id}
        pointing = any(
            c.target == node_id for n in scenario.nodes if n.id != node_id for c in n.choices
        )
        if scenario.start == node_id and new_start not in others:
            raise FieldError(
                "This is the start: choose the node learners start at instead.", "new_start"
            )
        if pointing and incoming not in ("delete", "retarget"):
            raise FieldError("Say what happens to the choices that go to this node.", "incoming")
        if pointing and incoming == "retarget" and send_to not in others:
            raise FieldError("Choose the node those choices go to instead.", "send_to")
        changed = scenario
        if scenario.start == node_id:
            changed = replace(changed, start=new_start)
        nodes = []
        for node in changed.nodes:
            if node.id == node_id:
                continue
            if incoming == "retarget":
                kept = tuple(
                    replace(c, target=send_to) if c.target == node_id else c for c in node.choices
                )
            else:
                kept = tuple(c for c in node.choices if c.target != node_id)
            nodes.append(replace(node, choices=kept))
        return replace(changed, nodes=tuple(nodes)), f"Deleted node '{node_id}'"

    return _apply_to_scenario(actor, document, change)


def edit_header(
    actor, document: Document, base: int, title: str, summary: str, professions: tuple[str, ...]
) -> Revision:
    """Set the scenario's title, summary and professions."""

    def change(scenario: Scenario, latest: Revision):
        changed = replace(scenario, title=title, summary=summary, professions=professions)
        return changed, "Edited the title, summary and professions"

    return _apply_to_scenario(actor, document, change)


def edit_variable(actor, document: Document, base: int, was: str, variable: Variable) -> Revision:
    """Change the variable ``was``: its name (conditions and effects follow), its starting value
    (a change from a number to true/false, or back, only while nothing uses it) and its
    description."""

    def change(scenario: Scenario, latest: Revision):
        current = next((v for v in scenario.variables if v.name == was), None)
        if current is None:
            raise FieldError(f"There is no variable '{was}'{_removed_since(latest, base)}.", "name")
        if variable.name != was and any(v.name == variable.name for v in scenario.variables):
            raise FieldError(f"A variable '{variable.name}' exists already.", "name")
        uses = uses_of(scenario, was)
        if type(current.initial) is not type(variable.initial) and uses:
            raise FieldError(
                f"'{was}' is used as {_kind(current.initial)} by "
                + "; ".join(map(str, uses))
                + f". Change those first, or keep {_kind(current.initial)} here.",
                "initial",
            )
        changed = (
            rename_variable(scenario, was, variable.name) if variable.name != was else scenario
        )
        changed = replace(
            changed,
            variables=tuple(variable if v.name == variable.name else v for v in changed.variables),
        )
        return changed, f"Edited variable '{variable.name}'"

    return _apply_to_scenario(actor, document, change)


def delete_variable(actor, document: Document, base: int, name: str) -> Revision:
    """Delete the variable, unless a condition or effect uses it (the error says where)."""

    def change(scenario: Scenario, latest: Revision):
        if not any(v.name == name for v in scenario.variables):
            raise FieldError(
                f"There is no variable '{name}'{_removed_since(latest, base)}.", "name"
            )
        uses = uses_of(scenario, name)
        if uses:
            raise FieldError(
                f"'{name}' cannot be deleted: it is used by " + "; ".join(map(str, uses)) + ".",
                "name",
            )
        kept = tuple(v for v in scenario.variables if v.name != name)
        return replace(scenario, variables=kept), f"Deleted variable '{name}'"

    return _apply_to_scenario(actor, document, change)


def _kind(value: int | bool) -> str:
    return "true/false" if isinstance(value, bool) else "a number"


def _node(scenario: Scenario, node_id: str, latest: Revision, base: int) -> Node:
    for node in scenario.nodes:
        if node.id == node_id:
            return node
    raise StudioError(f"There is no node '{node_id}'{_removed_since(latest, base)}.")


def _with_node(scenario: Scenario, node: Node, node_id: str | None = None) -> Scenario:
    """The scenario with the node ``node_id`` (by default ``node.id``) replaced by ``node``."""
    node_id = node_id or node.id
    return replace(scenario, nodes=tuple(node if n.id == node_id else n for n in scenario.nodes))


def _choice_index(node: Node, index: int, was: str, latest: Revision, base: int) -> int:
    """Where the choice shown as number ``index`` labelled ``was`` is now: the same place, or
    the one choice of the node with that label if others moved it."""
    if 0 <= index < len(node.choices) and node.choices[index].label == was:
        return index
    same = [i for i, choice in enumerate(node.choices) if choice.label == was]
    if len(same) == 1:
        return same[0]
    raise FieldError(
        f"The choice '{was}' is not in this node{_removed_since(latest, base)}.", "label"
    )


def _check_expressions(scenario: Scenario, choice: Choice) -> None:
    """Refuse a condition or effects that do not fit the newest revision's variables."""
    declared = declared_types(scenario)
    if choice.condition is not None and (
        messages := condition_messages(choice.condition, declared)
    ):
        raise FieldError(" ".join(messages), "condition")
    if messages := effects_messages(choice.effects, declared):
        raise FieldError(" ".join(messages), "effects")


def save_module(actor, document: Document, base: int, fields: Mapping[str, object]) -> Revision:
    """Change the module's ``fields`` (the engine Module's, by name) that the form changed from
    revision ``base``, on the newest revision; its id, authors and licence stay as its source has
    them. A field someone else changed meanwhile to something else is refused (FieldError, with
    the newest revision as the form's new base, so that saving again replaces theirs)."""
    start = queries.revision_by_number(document, base)
    shown = queries.draft_of(start).model if start else None
    if not isinstance(shown, Module):
        shown = None

    def change(module: Module, latest: Revision):
        changed = {
            name: value
            for name, value in fields.items()
            if shown is None or getattr(shown, name) != value
        }
        if shown is not None and latest.number != base:
            clashing = [
                name
                for name, value in changed.items()
                if getattr(module, name) not in (getattr(shown, name), value)
            ]
            if clashing:
                names = " and the ".join(_MODULE_FIELD_NAMES[name] for name in clashing)
                raise FieldError(
                    f"The {names} changed after you opened the form (the newest revision is "
                    f"{latest.number}, saved by {latest.author_name}). Your text is still in the "
                    "form; saving it again replaces the newer one (the history keeps it).",
                    clashing[0],
                    base=latest.number,
                )
        return replace(module, **changed), "Edited the module form"

    return _apply(actor, document, change, _module_of, dump_module)


def _apply_to_scenario(actor, document: Document, change) -> Revision:
    return _apply(actor, document, change, _scenario_of, dump_scenario)


def _apply(actor, document: Document, change: Callable, read: Callable, dump: Callable):
    """Apply ``change`` to the newest revision's model and save it on top of that revision;
    again on the next newest if another save took the number first."""
    for _ in range(MAX_SAVE_TRIES):
        latest = queries.latest_revision(document)
        changed, message = change(read(latest), latest)
        try:
            return save_source(actor, document, latest.number, dump(changed), message)
        except Conflict:
            continue
    raise StudioError("Others kept saving at the same moment; nothing was saved: try again.")


def _scenario_of(revision: Revision) -> Scenario:
    draft = queries.draft_of(revision)
    if not is_losslessly_editable(draft):
        raise StudioError(
            "The source has a problem the forms cannot keep; fix it in the source editor first."
        )
    return draft.model


def _module_of(revision: Revision) -> Module:
    module = queries.draft_of(revision).model
    if not isinstance(module, Module):
        raise StudioError("Fix the module's source before using the form.")
    return module


def _since(latest: Revision, base: int) -> str:
    if latest.number == base:
        return ""
    return f" in revision {latest.number}, saved after you opened the form"


def _removed_since(latest: Revision, base: int) -> str:
    if latest.number == base:
        return ""
    return (
        f" any more (it was removed or renamed in revision {latest.number}, saved by "
        f"{latest.author_name} after you opened the form)"
    )
