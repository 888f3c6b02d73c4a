"""Reading a draft's source as the studio needs it: build what can be built, list its problems.

A draft may be invalid while people work on it; it can be saved, drawn and commented on, but
not playtested or published until it validates.
"""

from dataclasses import dataclass

from eduapp.cache import MIB, ByteBoundedCache
from eduapp.content.models import DocumentKind
from eduapp.engine import (
    Assessment,
    ContentError,
    Module,
    Problem,
    Scenario,
    dump_scenario,
    parse_assessment,
    parse_module,
    read_scenario,
)

#: A draft lists at most this many problems, then says how many more there are: a 1 MB source
#: can have 200,000, which no one reads and which would hold 140 bytes of memory per character.
MAX_PROBLEMS = 200

#: Drafts kept per worker process. Everything above is bounded by MAX_PROBLEMS and the engine's
#: MAX_NODES, so an entry holds at most ~60 bytes per character of source (key included) plus
#: ~1 MB per 2,000 near-empty nodes (2.5 MB at 5,000): test_rows_hardening_identity.py
#: measures it. A draft over 1 MB is charged more than the budget, so it is parsed each time
#: (0.13 s for 5,000 nodes: docs/performance.md, "Big scenarios").
DRAFTS = ByteBoundedCache(64 * MIB, bytes_per_char=64, bytes_per_entry=5 * MIB // 2)


@dataclass(frozen=True)
class Draft:
    kind: DocumentKind
    slug: str
    #: The scenario, module or assessment as far as it could be read; None when nothing could be.
    model: Scenario | Module | Assessment | None
    problems: tuple[Problem, ...]

    @property
    def is_valid(self) -> bool:
        return self.model is not None and not self.problems

    @property
    def title(self) -> str:
        return (self.model.title if self.model else "") or self.slug

    @property
    def section_titles(self) -> dict[str, str]:
        """The titles of a scenario's nodes or an assessment's questions, by id, in order."""
        if isinstance(self.model, Scenario):
            return {node.id: node.title for node in self.model.nodes}
        if isinstance(self.model, Assessment):
            return {question.id: question.title for question in self.model.questions}
        return {}


def filename_of(kind: DocumentKind, slug: str) -> str:
    folder = {
        DocumentKind.SCENARIO: "scenarios",
        DocumentKind.ASSESSMENT: "curriculum/assessments",
    }.get(kind, "curriculum")
    return f"{folder}/{slug}.md"


@DRAFTS.memoize
def read_draft(kind: DocumentKind, slug: str, source: str) -> Draft:
    """The draft in ``source`` with its problems, as the checker would report them."""
    filename = filename_of(kind, slug)
    try:
        if kind == DocumentKind.SCENARIO:
            model, problems = read_scenario(source, filename)
        elif kind == DocumentKind.ASSESSMENT:
            model, problems = parse_assessment(source, filename), []
        else:
            model, problems = parse_module(source, filename), []
    except ContentError as error:
        return Draft(kind, slug, None, _first_problems(error.problems))
    if model.id != slug:
        problems = [
            Problem(filename, 1, f"The id must stay '{slug}': learners' records refer to it."),
            *problems,
        ]
    return Draft(kind, slug, model, _first_problems(problems))


def _first_problems(problems: list[Problem]) -> tuple[Problem, ...]:
    """The first MAX_PROBLEMS problems, and a last one saying how many more were found."""
    if len(problems) <= MAX_PROBLEMS:
        return tuple(problems)
    rest = problems[MAX_PROBLEMS]
    more = len(problems) - MAX_PROBLEMS
    return (
        *problems[:MAX_PROBLEMS],
        Problem(rest.file, rest.line, f"... and {more:,} more problems from here on."),
    )


def is_losslessly_editable(draft: Draft) -> bool:
    """True when rewriting the draft from its parsed form would keep everything written.

    Forms edit the parsed scenario and write it back; a line the parser could not read would be
    dropped, so forms are offered only when writing back changes no problem (graph problems,
    like a node not linked yet, are fine: they survive the rewrite).
    """
    if draft.kind != DocumentKind.SCENARIO or draft.model is None:
        return False
    if len(draft.problems) > MAX_PROBLEMS:  # problems past the first are not kept to compare
        return False
    rewritten = read_draft(draft.kind, draft.slug, dump_scenario(draft.model))
    return rewritten.model == draft.model and _messages(rewritten) == _messages(draft)


def _messages(draft: Draft) -> list[str]:
    return sorted(problem.message for problem in draft.problems)
