"""Edits made through the studio's forms: the parsed draft is changed and written back.

A form edit is a save like any other (``revisions.save_source``): a new revision on top of the
revision the form was shown with, or a Conflict when someone saved since.
"""

from collections.abc import Mapping
from dataclasses import replace

from eduapp.content.models import Document, Revision
from eduapp.engine import Choice, Module, Node, Scenario, Variable, dump_module, dump_scenario
from eduapp.studio import queries
from eduapp.studio.drafts import Draft, is_losslessly_editable
from eduapp.studio.errors import StudioError
from eduapp.studio.revisions import save_source


def add_node(actor, document: Document, base: int, node: Node) -> Revision:
    """Add ``node`` to the scenario as revision ``base`` has it."""
    scenario = _editable_scenario(document, base)
    if any(existing.id == node.id for existing in scenario.nodes):
        raise StudioError(f"A node with the id '{node.id}' exists already.")
    changed = replace(scenario, nodes=(*scenario.nodes, node))
    return save_source(actor, document, base, dump_scenario(changed), f"Added node '{node.id}'")


def add_choice(actor, document: Document, base: int, node_id: str, choice: Choice) -> Revision:
    """Add ``choice`` to the node ``node_id``, which must not be an ending."""
    scenario = _editable_scenario(document, base)
    nodes = list(scenario.nodes)
    index = next((i for i, n in enumerate(nodes) if n.id == node_id), None)
    if index is None:
        raise StudioError(f"There is no node '{node_id}'.")
    if nodes[index].is_ending:
        raise StudioError("An ending has no choices; pick another node.")
    nodes[index] = replace(nodes[index], choices=(*nodes[index].choices, choice))
    changed = replace(scenario, nodes=tuple(nodes))
    message = f"Added choice '{choice.label[:60]}' to '{node_id}'"
    return save_source(actor, document, base, dump_scenario(changed), message)


def add_variable(actor, document: Document, base: int, variable: Variable) -> Revision:
    """Declare ``variable`` in the scenario, under a name not used yet."""
    scenario = _editable_scenario(document, base)
    if any(v.name == variable.name for v in scenario.variables):
        raise StudioError(f"A variable '{variable.name}' exists already.")
    changed = replace(scenario, variables=(*scenario.variables, variable))
    message = f"Added variable '{variable.name}'"
    return save_source(actor, document, base, dump_scenario(changed), message)


def save_module(actor, document: Document, base: int, fields: Mapping[str, object]) -> Revision:
    """Change the module's ``fields`` (the engine Module's, by name); its id, authors and licence
    stay as its source has them."""
    module = _draft_at(document, base).model
    if not isinstance(module, Module):
        raise StudioError("Fix the module's source before using the form.")
    changed = replace(module, **fields)
    return save_source(actor, document, base, dump_module(changed), "Edited the module form")


def _draft_at(document: Document, base: int) -> Draft:
    """The draft the form was shown with; the newest if there is no revision ``base`` (saving
    then answers with a Conflict)."""
    revision = queries.revision_by_number(document, base) or queries.latest_revision(document)
    return queries.draft_of(revision)


def _editable_scenario(document: Document, base: int) -> Scenario:
    draft = _draft_at(document, base)
    if not is_losslessly_editable(draft):
        raise StudioError(
            "The source has a problem the forms cannot keep; fix it in the source editor first."
        )
    return draft.model
