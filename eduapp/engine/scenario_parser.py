"""Parse a scenario file into a :class:`Scenario`, collecting every problem before refusing it.

Everything here is one pass over the lines, so a hostile file costs linear time.
"""

import re
from dataclasses import dataclass, field

from ._header import SectionReader, check_id, first, read_authors, read_header, require
from ._text import (
    BODY_SPECIALS,
    CHOICE_SPECIALS,
    blocks,
    check_size,
    clean_text,
    parse_number,
    split_key,
    split_lines,
    unescape,
)
from .expressions import KEYWORDS, ExpressionError, parse_condition, parse_effects
from .problems import ContentError, Problem
from .scenario import PROFESSIONS, Choice, Node, Scenario, Variable
from .validate import validate_scenario

#: Twine users keep stories of several thousand passages; past this, split the scenario.
MAX_NODES = 5000
VAR_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
_SINGLE_KEYS = ("id", "title", "summary", "professions", "licence", "start")
_REPEATABLE_KEYS = ("author", "var")


def parse_scenario(text: str, filename: str = "<text>") -> Scenario:
    """Parse and validate a scenario file; raise ContentError listing every problem."""
    scenario, problems = read_scenario(text, filename)
    if problems:
        raise ContentError(problems)
    return scenario


def read_scenario(text: str, filename: str = "<text>") -> tuple[Scenario, list[Problem]]:
    """Build what can be built of a scenario and list its problems, without refusing it.

    The studio uses this to draw and preview a draft that does not validate yet. Only a file
    too large to read at all raises ContentError.
    """
    check_size(text, filename)
    lines = split_lines(text)
    starts = [index for index, line in enumerate(lines) if line.startswith("::")]
    if len(starts) > MAX_NODES:
        raise ContentError(
            [
                Problem(
                    filename,
                    starts[MAX_NODES] + 1,
                    f"This scenario has {len(starts):,} nodes; the limit is {MAX_NODES:,}. "
                    "Split it into smaller scenarios.",
                )
            ]
        )
    problems: list[Problem] = []
    header_end = starts[0] if starts else len(lines)
    entries = read_header(lines[:header_end], filename, problems, _SINGLE_KEYS, _REPEATABLE_KEYS)
    require(entries, ("id", "title", "summary", "professions", "licence"), filename, problems)
    check_id(entries, filename, problems)
    reader = _NodeReader(lines, filename, problems)
    nodes = tuple(reader.read(begin, end) for begin, end in blocks(starts, len(lines)))
    scenario = Scenario(
        id=first(entries, "id"),
        title=first(entries, "title"),
        summary=first(entries, "summary"),
        professions=_professions(entries, filename, problems),
        authors=read_authors(entries, filename, problems),
        licence=first(entries, "licence"),
        variables=_variables(entries, filename, problems),
        start=first(entries, "start"),
        nodes=nodes,
    )
    start_line = entries["start"][0][0] if "start" in entries else 1
    problems += validate_scenario(scenario, filename, start_line=start_line)
    return scenario, sorted(problems, key=lambda problem: problem.line)


def _professions(entries, filename: str, problems: list[Problem]) -> tuple[str, ...]:
    found: list[str] = []
    for number, value in entries.get("professions", []):
        for name in filter(None, (part.strip() for part in value.split(","))):
            if name not in PROFESSIONS:
                allowed = ", ".join(PROFESSIONS)
                problems.append(
                    Problem(filename, number, f"Unknown profession '{name}' (use: {allowed}).")
                )
            elif name in found:
                problems.append(Problem(filename, number, f"'{name}' is listed twice."))
            else:
                found.append(name)
    return tuple(found)


def _variables(entries, filename: str, problems: list[Problem]) -> tuple[Variable, ...]:
    declared: dict[str, tuple[int, Variable]] = {}
    for number, value in entries.get("var", []):
        spec, _, description = value.partition("|")
        name, equals, initial_text = (part.strip() for part in spec.partition("="))
        initial = {"true": True, "false": False}.get(initial_text, parse_number(initial_text))
        if not equals:
            message = "Declare a variable as 'var name = value | description'."
        elif not VAR_NAME_RE.fullmatch(name) or name in KEYWORDS:
            message = (
                f"'{name}' cannot be a variable name: use lowercase letters, digits and '_', "
                "starting with a letter (and not and, or, not, true or false)."
            )
        elif initial is None:
            message = f"The starting value of '{name}' must be a whole number, true or false."
        elif name in declared:
            message = f"Variable '{name}' is declared twice (first on line {declared[name][0]})."
        else:
            declared[name] = (number, Variable(name, initial, description.strip()))
            continue
        problems.append(Problem(filename, number, message))
    return tuple(variable for _, variable in declared.values())


@dataclass
class _ChoiceDraft:
    """A choice being read: its ``[[...]]`` line and the indented lines under it."""

    line: int
    label: str
    target: str
    valid: bool
    condition: object = None
    effects: tuple = ()
    feedback: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    in_feedback: bool = False

    def build(self) -> Choice | None:
        if not self.valid:
            return None
        return Choice(
            self.label,
            self.target,
            self.condition,
            self.effects,
            clean_text(self.feedback),
            line=self.line,
        )


class _NodeReader(SectionReader):
    """Reads one node block: header line, attributes, body, choices, debrief."""

    noun = "node"
    attribute_names = ("speaker", "reflect", "ending")

    def ends_attributes(self, line: str) -> bool:
        return line.startswith("debrief:")

    def read(self, begin: int, end: int) -> Node:
        node_id, title = self.head(begin)
        index, attributes = self.attributes(begin + 1, end)
        body = []
        while index < end and not self.lines[index].startswith(("[[", "debrief:")):
            body.append(unescape(self.lines[index], BODY_SPECIALS))
            index += 1
        index, choices = self.choices(index, end)
        values = {name: value for name, (_, value) in attributes.items()}
        return Node(
            id=node_id,
            title=title,
            body=clean_text(body),
            speaker=values.get("speaker", ""),
            reflect=values.get("reflect", ""),
            ending=values.get("ending", ""),
            debrief=self.debrief(index, end),
            choices=choices,
            line=begin + 1,
        )

    def choices(self, index: int, end: int) -> tuple[int, tuple[Choice, ...]]:
        drafts: list[_ChoiceDraft] = []
        while index < end and not self.lines[index].startswith("debrief:"):
            line = self.lines[index]
            if line.startswith("[["):
                drafts.append(self.choice_head(index))
            elif not line.strip():
                if drafts[-1].in_feedback:
                    drafts[-1].feedback.append("")
            elif line[0] in " \t":
                self.choice_line(drafts[-1], index)
            else:
                self.report(
                    index,
                    "Text after the choices: move it above the first choice, "
                    "or indent it under a choice.",
                )
            index += 1
        return index, tuple(filter(None, (draft.build() for draft in drafts)))

    def choice_head(self, index: int) -> _ChoiceDraft:
        line = self.lines[index].rstrip()
        inner = line[2:-2] if line.endswith("]]") and len(line) >= 4 else ""
        arrow = inner.rfind("->")
        label, target = inner[:arrow].strip(), inner[arrow + 2 :].strip()
        if arrow < 0:
            self.report(index, "A choice line should look like '[[label -> target-node]]'.")
        elif not label:
            self.report(index, f"The choice going to '{target}' has no label.")
        return _ChoiceDraft(index + 1, label, target, valid=arrow >= 0 and bool(label))

    def choice_line(self, draft: _ChoiceDraft, index: int) -> None:
        line = self.lines[index].strip()
        if draft.in_feedback and not line.startswith(CHOICE_SPECIALS):
            draft.feedback.append(unescape(line, CHOICE_SPECIALS))
            return
        key, value = split_key(line) or ("", "")
        draft.in_feedback = False
        if not line.startswith(CHOICE_SPECIALS):
            self.report(
                index, "Under a choice, indented lines start with 'if:', 'set:' or 'feedback:'."
            )
        elif key in draft.seen:
            self.report(index, f"'{key}:' appears twice under this choice.")
        elif key == "feedback":
            draft.in_feedback = True
            draft.feedback.append(value)
        else:
            try:
                if key == "if":
                    draft.condition = parse_condition(value)
                else:
                    draft.effects = parse_effects(value)
            except ExpressionError as error:
                what = "condition" if key == "if" else "'set:' line"
                self.report(index, f"This {what} does not read correctly: {error}")
        draft.seen.add(key)

    def debrief(self, index: int, end: int) -> str:
        if index >= end:
            return ""
        lines = [self.lines[index][len("debrief:") :].strip()]
        for later in range(index + 1, end):
            line = self.lines[later]
            if line.startswith("[["):
                self.report(later, "A choice cannot come after 'debrief:'; move it above.")
            elif line.startswith("debrief:"):
                self.report(later, "'debrief:' appears twice in this node.")
            else:
                lines.append(unescape(line, BODY_SPECIALS))
        return clean_text(lines)
