"""Write scenarios, modules and assessments back in the documented text format.

``parse_scenario(dump_scenario(s)) == s`` for every valid scenario ``s`` (likewise modules and
assessments): lines that would read as syntax are escaped with a backslash.
"""

from ._text import (
    BODY_SPECIALS,
    CHOICE_SPECIALS,
    OPTION_SPECIALS,
    QUESTION_SPECIALS,
    escape,
)
from .assessment import CONCORDANCE_ANSWERS, Assessment, Option, Question, ScaleStep, signed
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


def dump_assessment(assessment: Assessment) -> str:
    """The assessment as file text, ending with a newline."""
    attempts = "unlimited" if assessment.attempts is None else assessment.attempts
    lines = [
        f"id: {assessment.id}",
        f"module: {assessment.module}",
        f"title: {assessment.title}",
        f"summary: {assessment.summary}",
        f"pass_mark: {assessment.pass_mark}",
        f"attempts: {attempts}",
        *_authors(assessment.authors),
        f"licence: {assessment.licence}",
    ]
    for question in assessment.questions:
        lines += ["", *_question(question)]
    return "\n".join(lines) + "\n"


def _authors(authors: tuple[Author, ...]) -> list[str]:
    return [f"author: {author.kind} | {author.credit}" for author in authors]


def _variable(variable: Variable) -> str:
    line = f"var {Effect(variable.name, '=', variable.initial)!s}"
    return f"{line} | {variable.description}" if variable.description else line


def _block(text: str, specials: tuple[str, ...]) -> list[str]:
    return [escape(line, specials) for line in text.split("\n")] if text else []


def _feedback(text: str, specials: tuple[str, ...]) -> list[str]:
    """Feedback indented under a choice or an option: its first line on ``feedback:``."""
    if not text:
        return []
    head, *rest = text.split("\n")
    rest_lines = _block("\n".join(rest), specials)
    return [f"  feedback: {head}", *(f"    {line}" if line else "" for line in rest_lines)]


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
    return lines + _feedback(choice.feedback, CHOICE_SPECIALS)


def _question(question: Question) -> list[str]:
    lines = [f":: {question.id} | {question.title}", f"type: {question.type}"]
    if question.scale:
        lines.append(f"scale: {' | '.join(map(_step, question.scale))}")
    elif question.points != 1:
        lines.append(f"points: {question.points}")
    if question.stem:
        lines += ["", *_block(question.stem, QUESTION_SPECIALS)]
    if question.options:
        lines.append("")
        for option in question.options:
            lines += _option(option)
    if question.rubric:
        lines += ["", "rubric:", *(f"- {c.text} | {c.points}" for c in question.rubric)]
    lines += _part("model answer", question.model_answer)
    lines += _part("situation", question.situation)
    # A hypothesis, its new information and the panel read best together, as one block.
    lines += _part("hypothesis", question.hypothesis)
    lines += _part("new information", question.new_information, gap=False)
    if question.panel:
        pairs = zip(CONCORDANCE_ANSWERS, question.panel, strict=True)
        lines.append("panel: " + ", ".join(f"{signed(answer)}={count}" for answer, count in pairs))
    return lines + _part("feedback", question.feedback)


def _step(step: ScaleStep) -> str:
    return step.label if step.points is None else f"{step.label} = {step.points}"


def _option(option: Option) -> list[str]:
    mark = "x" if option.is_correct else " "
    return [f"- [{mark}] {option.label}", *_feedback(option.feedback, OPTION_SPECIALS)]


def _part(name: str, text: str, gap: bool = True) -> list[str]:
    """A named Markdown part: on its ``name:`` line when it is one plain line, else below it."""
    if not text:
        return []
    blank = [""] if gap else []
    if "\n" not in text and text == text.strip():
        return [*blank, f"{name}: {text}"]
    return [*blank, f"{name}:", *_block(text, QUESTION_SPECIALS)]
