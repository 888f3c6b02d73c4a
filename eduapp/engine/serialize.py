"""Write scenarios and modules back in the documented text format.

``parse_scenario(dump_scenario(s)) == s`` for every valid scenario ``s`` (likewise modules):
lines that would read as syntax are escaped with a backslash.
"""

from ._text import BODY_SPECIALS, CHOICE_SPECIALS, escape
from .expressions import Effect
from .module import SECTION_SPECIALS, Module
from .scenario import Author, Choice, Node, Scenario, Variable


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as file text, ending with a newline."""
    lines = [
        f"id: {scenario.id}",
        f"title: {scenario.title}",
        f"summary: {scenario.summary}",
        f"professions: {', '.join(scenario.professions)}",
        *_authors(scenario.authors),
        f"licence: {scenario.licence}",
        *(_variable(variable) for variable in scenario.variables),
        f"start: {scenario.start}",
    ]
    for node in scenario.nodes:
        lines += ["", *_node(node)]
    return "\n".join(lines) + "\n"


def dump_module(module: Module) -> str:
    """The module as file text, ending with a newline."""
    lines = [
        f"id: {module.id}",
        f"title: {module.title}",
        f"order: {module.order}",
        f"summary: {module.summary}",
        *(f"outcome: {outcome}" for outcome in module.outcomes),
        *(f"scenario: {scenario_id}" for scenario_id in module.scenarios),
        *_authors(module.authors),
        f"licence: {module.licence}",
        "",
        ":: reading",
        "",
        *_block(module.reading, SECTION_SPECIALS),
    ]
    if module.references:
        lines += ["", ":: references", "", *_block(module.references, SECTION_SPECIALS)]
    return "\n".join(lines) + "\n"


def _authors(authors: tuple[Author, ...]) -> list[str]:
    return [f"author: {author.kind} | {author.credit}" for author in authors]


def _variable(variable: Variable) -> str:
    line = f"var {Effect(variable.name, '=', variable.initial)!s}"
    return f"{line} | {variable.description}" if variable.description else line


def _block(text: str, specials: tuple[str, ...]) -> list[str]:
    return [escape(line, specials) for line in text.split("\n")] if text else []


def _node(node: Node) -> list[str]:
    lines = [f":: {node.id} | {node.title}"]
    for key in ("speaker", "reflect", "ending"):
        if value := getattr(node, key):
            lines.append(f"{key}: {value}")
    if node.body:
        lines += ["", *_block(node.body, BODY_SPECIALS)]
    if node.choices:
        lines.append("")
        for choice in node.choices:
            lines += _choice(choice)
    if node.debrief:
        lines += ["", "debrief:", *_block(node.debrief, BODY_SPECIALS)]
    return lines


def _choice(choice: Choice) -> list[str]:
    lines = [f"[[{choice.label} -> {choice.target}]]"]
    if choice.condition is not None:
        lines.append(f"  if: {choice.condition}")
    if choice.effects:
        lines.append(f"  set: {', '.join(str(effect) for effect in choice.effects)}")
    if choice.feedback:
        head, *rest = choice.feedback.split("\n")
        lines.append(f"  feedback: {head}")
        lines += [
            f"    {line}" if line else "" for line in _block("\n".join(rest), CHOICE_SPECIALS)
        ]
    return lines
