"""Checks on a whole scenario: links, reachability, endings, traps, expression types, and
labels no longer than the database keeps.

Reachability follows every choice regardless of conditions (the author catches a condition
that never holds in a playtest; ``player.reachable_endings`` helps). All checks are linear.
"""

from collections import deque
from dataclasses import dataclass

from .expressions import check_condition, check_effects
from .problems import Problem
from .scenario import Node, Scenario

#: The longest choice label. Every choice a learner makes stores its label, and the running
#: counts use it in a key whose index entry PostgreSQL caps at about 2.7 KB (4 bytes a character
#: at worst); the studio's choice form shares this limit.
MAX_CHOICE_LABEL_CHARS = 300


def validate_scenario(scenario: Scenario, filename: str, *, start_line: int = 1) -> list[Problem]:
    """Every structural problem of ``scenario``; ``start_line`` places problems with ``start:``."""
    problems: list[Problem] = []
    by_id: dict[str, Node] = {}
    for node in scenario.nodes:
        if node.id in by_id:
            problems.append(
                Problem(
                    filename,
                    node.line,
                    f"Node '{node.id}' is defined twice (first on line {by_id[node.id].line}).",
                )
            )
        else:
            by_id[node.id] = node
    for node in by_id.values():
        problems += _node_problems(node, by_id, filename)
    problems += _expression_problems(scenario, filename)
    if not by_id:
        message = "This scenario has no nodes; each starts with a line ':: node-id | Title'."
        return [*problems, Problem(filename, start_line, message)]
    if not scenario.start:
        problems.append(
            Problem(filename, start_line, "The header has no 'start:' line naming the first node.")
        )
    elif scenario.start not in by_id:
        problems.append(
            Problem(
                filename,
                start_line,
                f"The start '{scenario.start}' is not a node in this scenario.",
            )
        )
    else:
        problems += _unreachable(scenario.start, by_id, filename)
    problems += _traps(by_id, filename)
    return problems


def _node_problems(node: Node, by_id: dict[str, Node], filename: str) -> list[Problem]:
    problems = []
    for choice in node.choices:
        if len(choice.label) > MAX_CHOICE_LABEL_CHARS:
            problems.append(
                Problem(
                    filename,
                    choice.line,
                    f"This choice label is {len(choice.label):,} characters long; the limit is "
                    f"{MAX_CHOICE_LABEL_CHARS}. Keep the button short and put the rest in the "
                    "node's text or the feedback.",
                )
            )
        if choice.target not in by_id:
            problems.append(
                Problem(
                    filename,
                    choice.line,
                    f"Choice '{choice.label}' goes to '{choice.target}', "
                    "which is not a node in this scenario.",
                )
            )
    if node.is_ending:
        if node.choices:
            message = f"Node '{node.id}' is an ending, so it cannot have choices."
            problems.append(Problem(filename, node.choices[0].line, message))
        if not node.debrief:
            message = (
                f"Ending '{node.id}' has no debrief: add a 'debrief:' line and text after the body."
            )
            problems.append(Problem(filename, node.line, message))
    else:
        if not node.choices:
            message = (
                f"Node '{node.id}' has no choices and is not an ending: "
                "add choices, or an 'ending:' line."
            )
            problems.append(Problem(filename, node.line, message))
        if node.debrief:
            message = f"Node '{node.id}' has a debrief but is not an ending: add an 'ending:' line."
            problems.append(Problem(filename, node.line, message))
    return problems


def _expression_problems(scenario: Scenario, filename: str) -> list[Problem]:
    declared = {variable.name: type(variable.initial) for variable in scenario.variables}
    problems = []
    for node in scenario.nodes:
        for choice in node.choices:
            messages = check_effects(choice.effects, declared)
            if choice.condition is not None:
                messages = check_condition(choice.condition, declared) + messages
            problems += [Problem(filename, choice.line, message) for message in messages]
    return problems


@dataclass(frozen=True)
class GraphFacts:
    """What the choice graph says about each node, ignoring conditions (for maps and checks)."""

    reachable: frozenset[str]
    can_finish: frozenset[str]


def graph_facts(scenario: Scenario) -> GraphFacts:
    """Nodes reachable from the start, and nodes from which some ending can be reached."""
    by_id: dict[str, Node] = {}
    for node in scenario.nodes:
        by_id.setdefault(node.id, node)
    reachable = _reachable(scenario.start, by_id) if scenario.start in by_id else set()
    return GraphFacts(frozenset(reachable), frozenset(_finishing(by_id)))


def _reachable(start: str, by_id: dict[str, Node]) -> set[str]:
    return _search(start, lambda node_id: (c.target for c in by_id[node_id].choices), by_id)


def _finishing(by_id: dict[str, Node]) -> set[str]:
    sources: dict[str, list[str]] = {node_id: [] for node_id in by_id}
    for node in by_id.values():
        for choice in node.choices:
            if choice.target in sources:
                sources[choice.target].append(node.id)
    can_finish: set[str] = set()
    for node in by_id.values():
        if node.is_ending:
            _search(node.id, sources.__getitem__, by_id, can_finish)
    return can_finish


def _unreachable(start: str, by_id: dict[str, Node], filename: str) -> list[Problem]:
    seen = _reachable(start, by_id)
    targeted = {choice.target for node in by_id.values() for choice in node.choices}
    problems = []
    for node in by_id.values():
        if node.id not in seen:
            why = (
                "only from nodes that cannot be reached either"
                if node.id in targeted
                else "no choice goes to it"
            )
            message = f"Node '{node.id}' cannot be reached from the start: {why}."
            problems.append(Problem(filename, node.line, message))
    return problems


def _traps(by_id: dict[str, Node], filename: str) -> list[Problem]:
    can_finish = _finishing(by_id)
    return [
        Problem(
            filename,
            node.line,
            f"No ending can be reached from node '{node.id}': a learner who gets here is stuck.",
        )
        for node in by_id.values()
        if node.choices and not node.is_ending and node.id not in can_finish
    ]


def _search(start, neighbours, by_id, seen: set[str] | None = None) -> set[str]:
    """Breadth-first search from ``start``; returns the ids reached (``seen`` included)."""
    seen = set() if seen is None else seen
    if start in seen:
        return seen
    seen.add(start)
    queue = deque([start])
    while queue:
        for target in neighbours(queue.popleft()):
            if target in by_id and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen
