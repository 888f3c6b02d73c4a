"""Playing a scenario: immutable states, the choices offered, and taking one.

Rule for a node whose choices are all hidden by their conditions: the validator cannot know
this will happen, and a learner must never be stuck, so all of that node's choices are offered.
"""

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .expressions import And, Condition, Not, Or, apply_effects, evaluate
from .scenario import Choice, Scenario


class ChoiceUnavailable(ValueError):
    """The choice number is not offered in this state (hidden, unknown, or at an ending)."""


class Variables(Mapping[str, int | bool]):
    """A read-only, hashable mapping of variable values, so states can be compared and stored."""

    def __init__(self, values: Mapping[str, int | bool] = ()) -> None:
        self._items = tuple(sorted(dict(values).items()))
        self._dict = dict(self._items)

    def __getitem__(self, name: str) -> int | bool:
        return self._dict[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Variables):
            return self._items == other._items
        return isinstance(other, Mapping) and self._dict == dict(other)

    def __repr__(self) -> str:
        return repr(self._dict)


@dataclass(frozen=True)
class State:
    """Where a learner is: the node, the variables, and how many choices they have taken."""

    node_id: str
    variables: Mapping[str, int | bool] = field(default_factory=Variables)
    step: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.variables, Variables):
            object.__setattr__(self, "variables", Variables(self.variables))


@dataclass(frozen=True)
class OfferedChoice:
    """A choice as offered, with its 1-based position among its node's choices."""

    number: int
    choice: Choice


def start_state(scenario: Scenario) -> State:
    """The state before any choice: the start node and initial variables."""
    return State(scenario.start, scenario.initial_variables(), 0)


def offered_choices(scenario: Scenario, state: State) -> list[OfferedChoice]:
    """The choices offered now, numbered by source position; all of them if all are hidden."""
    numbered = [
        OfferedChoice(number, choice)
        for number, choice in enumerate(scenario.node(state.node_id).choices, start=1)
    ]
    shown = [
        offered
        for offered in numbered
        if offered.choice.condition is None or evaluate(offered.choice.condition, state.variables)
    ]
    return shown or numbered


def take_choice(scenario: Scenario, state: State, number: int) -> State:
    """The state after taking offered choice ``number``; ChoiceUnavailable otherwise."""
    for offered in offered_choices(scenario, state):
        if offered.number == number:
            return _after(state, offered.choice)
    if is_finished(scenario, state):
        raise ChoiceUnavailable("This is an ending: there are no more choices.")
    raise ChoiceUnavailable(f"Choice {number} is not offered here.")


def _after(state: State, choice: Choice) -> State:
    return State(choice.target, apply_effects(choice.effects, state.variables), state.step + 1)


def is_finished(scenario: Scenario, state: State) -> bool:
    """Whether the learner has reached an ending."""
    return scenario.node(state.node_id).is_ending


#: Work the ending search may do, in steps: weighing a choice in a state costs CHOICE_STEPS
#: (making the state it leads to), one more per part of its condition and per effect, and one
#: per variable copied. About a second at worst, 80 times what the course's largest scenario
#: needs; past it the search stops and says so, and the checker reports the endings it has not
#: reached as "not reached within the search limit".
MAX_SEARCH_STEPS = 1_000_000
CHOICE_STEPS = 16


@dataclass(frozen=True)
class EndingSearch:
    """The result of :func:`search_endings`: a shortest path per ending found."""

    paths: dict[str, list[int]]
    #: False when ``max_states`` or ``max_steps`` stopped the search before every ending was found.
    complete: bool
    #: The steps of work spent (see MAX_SEARCH_STEPS).
    steps: int = 0


def search_endings(
    scenario: Scenario, max_states: int = 200_000, max_steps: int = MAX_SEARCH_STEPS
) -> EndingSearch:
    """Breadth-first search over (node, variables) states, honouring conditions, within
    ``max_states`` states and ``max_steps`` steps of work."""
    wanted = {node.id for node in scenario.nodes if node.is_ending}
    start = start_state(scenario)
    key = (start.node_id, start.variables)
    parents: dict[tuple, tuple | None] = {key: None}
    paths: dict[str, list[int]] = {}
    queue = deque([(key, start)])
    # What weighing every choice of a node in one state costs, known before doing it.
    copied = len(start.variables)
    cost = {
        node.id: sum(
            CHOICE_STEPS + _size(c.condition) + len(c.effects) + copied for c in node.choices
        )
        for node in reversed(scenario.nodes)  # with duplicate ids, the first node wins
    }
    steps = 0
    while queue and len(paths) < len(wanted):
        key, state = queue.popleft()
        if is_finished(scenario, state):
            paths.setdefault(state.node_id, _path(parents, key))
            continue
        if steps + cost[state.node_id] > max_steps:
            return EndingSearch(paths, complete=False, steps=steps)
        steps += cost[state.node_id]
        for offered in offered_choices(scenario, state):
            after = _after(state, offered.choice)
            next_key = (after.node_id, after.variables)
            if next_key in parents:
                continue
            if len(parents) >= max_states:
                return EndingSearch(paths, complete=False, steps=steps)
            parents[next_key] = (key, offered.number)
            queue.append((next_key, after))
    return EndingSearch(paths, complete=True, steps=steps)


def _size(condition: Condition | None) -> int:
    """How many parts a condition has: what evaluating it costs, at most."""
    if condition is None:
        return 0
    if isinstance(condition, And | Or):
        return 1 + sum(_size(operand) for operand in condition.operands)
    if isinstance(condition, Not):
        return 1 + _size(condition.operand)
    return 1


def reachable_endings(scenario: Scenario, max_states: int = 200_000) -> dict[str, list[int]]:
    """For each ending reachable in play, one shortest list of choice numbers leading there."""
    return search_endings(scenario, max_states).paths


def _path(parents: dict[tuple, tuple | None], key: tuple) -> list[int]:
    numbers = []
    while (link := parents[key]) is not None:
        key, number = link
        numbers.append(number)
    return numbers[::-1]
