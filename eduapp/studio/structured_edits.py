"""Edits made through the studio's forms: the parsed draft is changed and written back.

A form edit is an action (add this node, this choice, this variable; set these module fields),
not a text: it is applied to the newest revision, whichever revision the form was shown with, so
someone using the forms never meets a text merge. If another save takes the next revision
number first, the same action is applied again to that one. When the action no longer makes
sense on the newest revision (the node a choice starts from was removed meanwhile), a
FieldError says so, and the view shows the form again with what was typed.
"""

from collections.abc import Callable, Mapping
from dataclasses import replace

from eduapp.content.models import Document, Revision
from eduapp.engine import Choice, Module, Node, Scenario, Variable, dump_module, dump_scenario
from eduapp.studio import queries
from eduapp.studio.drafts import is_losslessly_editable
from eduapp.studio.errors import Conflict, FieldError, StudioError
from eduapp.studio.revisions import MAX_SAVE_TRIES, save_source

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
