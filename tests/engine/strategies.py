"""Hypothesis strategies for valid scenarios and modules, valid by construction.

Graph shape: non-ending nodes come first (the first is the start), endings last. Each node
after the start gets an unconditional choice from an earlier non-ending (so every node is
reachable, in play too), and each non-ending gets an unconditional choice to a later node (so an
ending is always reachable, by always taking such a "forward" choice). Extra choices may loop
back and carry random conditions and effects.
"""

from hypothesis import strategies as st

from eduapp.engine import (
    AUTHOR_KINDS,
    PROFESSIONS,
    Author,
    Choice,
    Module,
    Node,
    Scenario,
    Variable,
)
from eduapp.engine._text import clean_text
from eduapp.engine.expressions import (
    KEYWORDS,
    And,
    BoolLit,
    Compare,
    Effect,
    IntLit,
    Name,
    Not,
    Or,
)

#: Lines that look like syntax, escapes or Markdown: the serializer must keep them as text.
TRICKY_LINES = (
    "[[Go -> somewhere]]",
    "[[",
    "\\[[not a choice",
    "\\\\[[two backslashes",
    "debrief:",
    "debrief: more",
    "\\debrief: escaped",
    "::",
    ":: node | Title",
    "\\:: escaped",
    "  [[indented -> x]]",
    "if: x == 1",
    "set: y = 2",
    "feedback: z",
    "\\if: escaped",
    "speaker: nurse",
    "ending: The end",
    "var x = 1",
    "# heading",
    "- item",
    "> quote",
    "**bold** and *italic* and `code`",
    "    a code block",
    "a | b -> c ]]",
    "\\*not emphasis\\*",
    "\\",
    "\t tabbed",
    "<script>alert(1)</script>",
)

_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
_free_line = st.text(_CHARS, max_size=40)
_line = st.one_of(st.sampled_from(TRICKY_LINES), _free_line)

#: A single-line field: no surrounding spaces, never empty.
one_line = st.one_of(st.sampled_from(TRICKY_LINES), _free_line).map(str.strip).filter(bool)
#: Multi-line Markdown as the parser keeps it (indentation kept, trailing spaces dropped).
markdown = st.lists(_line.map(str.rstrip), max_size=6).map(clean_text)
#: Feedback: continued lines lose their indentation.
feedback_text = st.lists(_line.map(str.strip), max_size=4).map(clean_text)

scenario_ids = st.from_regex(r"[a-z0-9-]{3,64}", fullmatch=True)
variable_names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda name: name not in KEYWORDS
)
authors = st.builds(Author, st.sampled_from(AUTHOR_KINDS), one_line)
professions = st.lists(st.sampled_from(PROFESSIONS), min_size=1, max_size=3, unique=True).map(tuple)


def conditions(int_names: list[str], bool_names: list[str]) -> st.SearchStrategy:
    """Well-typed conditions over the given variables."""
    numbers = st.one_of(st.integers(-1000, 1000).map(IntLit), *_names(int_names))
    booleans = st.one_of(st.booleans().map(BoolLit), *_names(bool_names))
    base = st.one_of(
        booleans,
        st.builds(Compare, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), numbers, numbers),
        st.builds(Compare, st.sampled_from(["==", "!="]), booleans, booleans),
    )
    return st.recursive(
        base,
        lambda inner: st.one_of(
            inner.map(Not),
            st.lists(inner, min_size=2, max_size=3).map(lambda ops: And(tuple(ops))),
            st.lists(inner, min_size=2, max_size=3).map(lambda ops: Or(tuple(ops))),
        ),
        max_leaves=6,
    )


def _names(names: list[str]) -> list[st.SearchStrategy]:
    return [st.sampled_from(names).map(Name)] if names else []


def effects(variables: tuple[Variable, ...]) -> st.SearchStrategy:
    """Well-typed effect lists over the given variables (possibly empty)."""
    if not variables:
        return st.just(())

    def one(variable: Variable) -> st.SearchStrategy:
        if isinstance(variable.initial, bool):
            return st.builds(Effect, st.just(variable.name), st.just("="), st.booleans())
        return st.builds(
            Effect, st.just(variable.name), st.sampled_from(["=", "+=", "-="]), st.integers(-9, 9)
        )

    return st.lists(st.sampled_from(variables).flatmap(one), max_size=3).map(tuple)


@st.composite
def scenarios(draw, max_nodes: int = 8) -> Scenario:
    """A valid scenario: see the module docstring for its shape."""
    middle = draw(st.integers(0, max_nodes - 3))
    endings = 1 if middle == 0 else draw(st.integers(1, 2))
    ids = draw(
        st.lists(
            st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True),
            min_size=middle + endings,
            max_size=middle + endings,
            unique=True,
        )
    )
    names = draw(st.lists(variable_names, max_size=3, unique=True))
    variables = tuple(
        Variable(
            name, draw(st.one_of(st.booleans(), st.integers(-50, 50))), draw(st.just("") | one_line)
        )
        for name in names
    )
    ints = [v.name for v in variables if not isinstance(v.initial, bool)]
    bools = [v.name for v in variables if isinstance(v.initial, bool)]
    edges: list[list[tuple[int, bool]]] = [[] for _ in ids]  # per node: (target, may be hidden)
    for index in range(1, len(ids)):
        edges[draw(st.integers(0, min(index, middle) - 1))].append((index, False))
    for index in range(middle):
        edges[index].append((draw(st.integers(index + 1, len(ids) - 1)), False))
    if middle:
        for _ in range(draw(st.integers(0, 4))):
            source = draw(st.integers(0, middle - 1))
            edges[source].append((draw(st.integers(0, len(ids) - 1)), True))
    nodes = []
    for index, node_id in enumerate(ids):
        choices = []
        for target, conditional in draw(st.permutations(edges[index])):
            condition = draw(st.none() | conditions(ints, bools)) if conditional else None
            choices.append(
                Choice(
                    draw(one_line),
                    ids[target],
                    condition,
                    draw(effects(variables)),
                    draw(feedback_text),
                )
            )
        is_ending = index >= middle
        nodes.append(
            Node(
                id=node_id,
                title=draw(one_line),
                body=draw(markdown),
                speaker=draw(st.just("") | one_line),
                reflect=draw(st.just("") | one_line),
                ending=draw(one_line) if is_ending else "",
                debrief=draw(markdown.filter(bool)) if is_ending else "",
                choices=tuple(choices),
            )
        )
    return Scenario(
        id=draw(scenario_ids),
        title=draw(one_line),
        summary=draw(one_line),
        professions=draw(professions),
        authors=tuple(draw(st.lists(authors, min_size=1, max_size=3))),
        licence=draw(one_line),
        variables=variables,
        start=ids[0],
        nodes=tuple(nodes),
    )


_section = st.lists(
    st.one_of(
        st.sampled_from([":: reading", "::", "\\::", "\\\\:: x", *TRICKY_LINES]), _free_line
    ).map(str.rstrip),
    max_size=6,
).map(clean_text)

modules = st.builds(
    Module,
    id=scenario_ids,
    title=one_line,
    order=st.integers(-999_999_999, 999_999_999),
    summary=one_line,
    outcomes=st.lists(one_line, min_size=1, max_size=3).map(tuple),
    scenarios=st.lists(scenario_ids, max_size=3).map(tuple),
    authors=st.lists(authors, min_size=1, max_size=3).map(tuple),
    licence=one_line,
    reading=_section.filter(bool),
    references=_section,
)
