"""The scenario model: immutable dataclasses that the parser builds and everything else reads."""

from dataclasses import dataclass, field

from .expressions import Condition, Effect

PROFESSIONS = (
    "medicine",
    "nursing",
    "pharmacy",
    "physiotherapy",
    "dietetics",
    "occupational therapy",
    "social work",
    "other",
)
AUTHOR_KINDS = ("patient educator", "student", "staff")


@dataclass(frozen=True)
class Author:
    """Who wrote it, credited by role (``kind`` is one of AUTHOR_KINDS)."""

    kind: str
    credit: str


@dataclass(frozen=True)
class Variable:
    """A declared variable with its starting value."""

    name: str
    initial: int | bool
    description: str = ""


@dataclass(frozen=True)
class Choice:
    """``[[label -> target]]`` with its optional condition, effects and feedback."""

    label: str
    target: str
    condition: Condition | None = None
    effects: tuple[Effect, ...] = ()
    feedback: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Node:
    """One step of a scenario; an ending when ``ending`` holds its label."""

    id: str
    title: str
    body: str = ""
    speaker: str = ""
    reflect: str = ""
    ending: str = ""
    debrief: str = ""
    choices: tuple[Choice, ...] = ()
    line: int = field(default=0, compare=False)

    @property
    def is_ending(self) -> bool:
        return bool(self.ending)


@dataclass(frozen=True)
class Scenario:
    """A whole branching scenario. ``node(id)`` looks a node up in constant time."""

    id: str
    title: str
    summary: str
    professions: tuple[str, ...]
    authors: tuple[Author, ...]
    licence: str
    variables: tuple[Variable, ...]
    start: str
    nodes: tuple[Node, ...]
    _by_id: dict[str, Node] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Node] = {}
        for node in self.nodes:
            by_id.setdefault(node.id, node)  # with duplicates (an error), the first wins
        object.__setattr__(self, "_by_id", by_id)

    def node(self, node_id: str) -> Node:
        """The node with this id; KeyError if there is none."""
        return self._by_id[node_id]

    def initial_variables(self) -> dict[str, int | bool]:
        """Each variable's starting value, by name."""
        return {variable.name: variable.initial for variable in self.variables}
