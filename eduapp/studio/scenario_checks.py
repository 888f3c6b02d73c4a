"""What the node forms ask of a scenario before they change it: whether a condition or effects
fit its variables, where a variable is used, what a new node's id could be.

Pure functions over the engine's objects; the forms and structured_edits use them, so the same
rule answers when a form is shown, when it is posted and when it is re-applied after a race.
"""

import re
from dataclasses import dataclass, replace

from eduapp.engine import Choice, Condition, Effect, Scenario, check_condition, check_effects
from eduapp.engine.expressions import And, BoolLit, Compare, Name, Not, Or

#: Where a variable appears: the node and the choice (by its label), and in what.
WHERE = {"condition": "offered only if", "effects": "changes"}


@dataclass(frozen=True)
class Use:
    node_title: str
    choice_label: str
    part: str  # "condition" or "effects"

    def __str__(self) -> str:
        return f"“{self.choice_label}” in “{self.node_title}” ({WHERE[self.part]})"


def declared_types(scenario: Scenario) -> dict[str, type]:
    """Each declared variable's type (int or bool), by name."""
    return {variable.name: type(variable.initial) for variable in scenario.variables}


def condition_messages(condition: Condition, declared: dict[str, type]) -> list[str]:
    """Plain-language messages for a condition that does not fit the scenario's variables."""
    return [_plain(message) for message in check_condition(condition, declared)]


def effects_messages(effects: tuple[Effect, ...], declared: dict[str, type]) -> list[str]:
    """Plain-language messages for effects that do not fit the scenario's variables."""
    return [_plain(message) for message in check_effects(effects, declared)]


def _plain(message: str) -> str:
    """The engine's messages speak of the header; a form user declares with a button."""
    return re.sub(
        r"'([a-z_][a-z0-9_]*)' is not declared: add 'var \1 = \.\.\.' to the header\.",
        r"'\1' is not a variable of this scenario yet: declare it, or check the spelling.",
        message,
    )


def undeclared(
    condition: Condition | None, effects: tuple[Effect, ...], declared: dict[str, type]
) -> dict[str, int | bool]:
    """Names used but not declared, each with a sensible starting value: false for what is used
    as true/false (alone, compared with true or false, set to true or false), else 0."""
    found: dict[str, int | bool] = {}
    for name, is_flag in _names(condition) if condition is not None else ():
        if name not in declared:
            found[name] = False if is_flag or found.get(name) is False else 0
    for effect in effects:
        if effect.name not in declared and effect.name not in found:
            found[effect.name] = False if isinstance(effect.value, bool) else 0
    return found


def _names(condition: Condition):
    """(name, used as true/false) for every variable of the condition."""
    if isinstance(condition, And | Or):
        for operand in condition.operands:
            yield from _names(operand)
    elif isinstance(condition, Not):
        yield from _names(condition.operand)
    elif isinstance(condition, Compare):
        is_flag = isinstance(condition.left, BoolLit) or isinstance(condition.right, BoolLit)
        for atom in (condition.left, condition.right):
            if isinstance(atom, Name):
                yield atom.name, is_flag
    elif isinstance(condition, Name):
        yield condition.name, True


def uses_of(scenario: Scenario, name: str) -> list[Use]:
    """Every choice whose condition or effects use the variable ``name``."""
    uses = []
    for node in scenario.nodes:
        for choice in node.choices:
            if choice.condition is not None and any(
                used == name for used, _ in _names(choice.condition)
            ):
                uses.append(Use(node.title, choice.label, "condition"))
            if any(effect.name == name for effect in choice.effects):
                uses.append(Use(node.title, choice.label, "effects"))
    return uses


def rename_variable(scenario: Scenario, old: str, new: str) -> Scenario:
    """The scenario with the variable ``old`` called ``new`` everywhere it is declared or used."""
    variables = tuple(replace(v, name=new) if v.name == old else v for v in scenario.variables)
    nodes = tuple(
        replace(node, choices=tuple(_renamed_choice(c, old, new) for c in node.choices))
        for node in scenario.nodes
    )
    return replace(scenario, variables=variables, nodes=nodes)


def _renamed_choice(choice: Choice, old: str, new: str) -> Choice:
    return replace(
        choice,
        condition=None if choice.condition is None else _rename(choice.condition, old, new),
        effects=tuple(replace(e, name=new) if e.name == old else e for e in choice.effects),
    )


def _rename(condition: Condition, old: str, new: str) -> Condition:
    if isinstance(condition, And | Or):
        return type(condition)(tuple(_rename(op, old, new) for op in condition.operands))
    if isinstance(condition, Not):
        return Not(_rename(condition.operand, old, new))
    if isinstance(condition, Compare):
        return Compare(
            condition.op, _rename(condition.left, old, new), _rename(condition.right, old, new)
        )
    if isinstance(condition, Name) and condition.name == old:
        return Name(new)
    return condition


def retarget(scenario: Scenario, old: str, new: str) -> Scenario:
    """Every choice that goes to ``old`` goes to ``new`` instead; so does ``start:``."""
    nodes = tuple(
        replace(
            node,
            choices=tuple(replace(c, target=new) if c.target == old else c for c in node.choices),
        )
        for node in scenario.nodes
    )
    return replace(scenario, nodes=nodes, start=new if scenario.start == old else scenario.start)


def choices_to(scenario: Scenario, node_id: str) -> list[tuple[str, Choice]]:
    """The choices of other nodes that go to ``node_id``, with the title of the node each is in."""
    return [
        (node.title, choice)
        for node in scenario.nodes
        if node.id != node_id
        for choice in node.choices
        if choice.target == node_id
    ]


def new_node_id(title: str, taken: set[str]) -> str:
    """An id for a node called ``title``: its words in lowercase joined by dashes, numbered
    when taken."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    stem = "-".join(words)[:56].strip("-") or "node"
    candidate, number = stem, 2
    while candidate in taken:
        candidate, number = f"{stem}-{number}", number + 1
    return candidate
