"""Checking the whole course: every module, assessment and scenario file, and how they fit."""

from dataclasses import dataclass, field
from pathlib import Path

from ._text import MAX_FILE_BYTES, MAX_FILE_SIZE_TEXT
from .assessment import Assessment
from .assessment_parser import parse_assessment
from .module import Module, parse_module
from .player import search_endings
from .problems import ContentError, Problem
from .scenario import Scenario
from .scenario_parser import parse_scenario


@dataclass(frozen=True)
class ScenarioStats:
    """Counts that tell an editor how big and how branching a scenario is."""

    id: str
    nodes: int
    decision_points: int
    endings: int
    variables: int
    reflection_prompts: int


@dataclass
class CourseReport:
    """Everything ``check_course`` found; the course is loadable when ``problems`` is empty."""

    problems: list[Problem]
    scenarios: dict[str, Scenario]
    modules: dict[str, Module]
    stats: list[ScenarioStats]
    assessments: dict[str, Assessment] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def scenario_stats(scenario: Scenario) -> ScenarioStats:
    """Count nodes, decision points (2+ choices), endings, variables and reflection prompts."""
    nodes = scenario.nodes
    return ScenarioStats(
        id=scenario.id,
        nodes=len(nodes),
        decision_points=sum(len(node.choices) >= 2 for node in nodes),
        endings=sum(node.is_ending for node in nodes),
        variables=len(scenario.variables),
        reflection_prompts=sum(bool(node.reflect) for node in nodes),
    )


def check_course(curriculum_dir: Path, scenarios_dir: Path) -> CourseReport:
    """Parse every scenario, module and assessment file; check ids, links and endings across them.

    Assessments are read from ``curriculum/assessments/*.md`` when that folder exists.
    """
    report = CourseReport([], {}, {}, [])
    scenario_stems = set()
    for path, text in _read_all(Path(scenarios_dir), report.problems):
        scenario_stems.add(path.stem)
        scenario = _parse(parse_scenario, path, text, report.problems)
        if scenario is not None and _check_id(scenario.id, path, text, report.scenarios, report):
            report.scenarios[scenario.id] = scenario
            report.stats.append(scenario_stats(scenario))
            report.problems += _unplayable_endings(scenario, str(path))
    module_stems = set()
    for path, text in _read_all(Path(curriculum_dir), report.problems):
        module_stems.add(path.stem)
        module = _parse(parse_module, path, text, report.problems)
        if module is not None and _check_id(module.id, path, text, report.modules, report):
            report.modules[module.id] = module
            for scenario_id in module.scenarios:
                if scenario_id not in scenario_stems | report.scenarios.keys():
                    report.problems.append(
                        Problem(
                            str(path),
                            _line_of(text, f"scenario: {scenario_id}"),
                            f"The module lists scenario '{scenario_id}', but there is no "
                            f"{Path(scenarios_dir) / scenario_id}.md.",
                        )
                    )
    _check_assessments(Path(curriculum_dir), module_stems | report.modules.keys(), report)
    return report


def _check_assessments(curriculum_dir: Path, module_ids: set[str], report: CourseReport) -> None:
    """Parse ``curriculum/assessments/*.md``; each names an existing module, one per module.

    A module without an assessment is not a problem yet: they are still being written.
    """
    folder = curriculum_dir / "assessments"
    if not folder.is_dir():
        return
    owners: dict[str, str] = {}
    for path, text in _read_all(folder, report.problems):
        assessment = _parse(parse_assessment, path, text, report.problems)
        if assessment is None or not _check_id(
            assessment.id, path, text, report.assessments, report
        ):
            continue
        module_id, line = assessment.module, _line_of(text, "module:")
        if module_id not in module_ids:
            message = (
                f"The assessment belongs to module '{module_id}', but there is no "
                f"{curriculum_dir / module_id}.md."
            )
            report.problems.append(Problem(str(path), line, message))
        elif module_id in owners:
            message = (
                f"Module '{module_id}' already has the assessment '{owners[module_id]}'; "
                "a module has one assessment."
            )
            report.problems.append(Problem(str(path), line, message))
        owners.setdefault(module_id, assessment.id)
        report.assessments[assessment.id] = assessment


def _read_all(folder: Path, problems: list[Problem]):
    """Yield (path, text) for each ``*.md`` file, reporting unreadable ones instead."""
    if not folder.is_dir():
        problems.append(Problem(str(folder), 1, "This folder does not exist."))
        return
    for path in sorted(folder.glob("*.md")):
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(
                Problem(str(path), 1, f"This file is larger than {MAX_FILE_SIZE_TEXT}; split it.")
            )
            continue
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            message = "This file is not valid UTF-8 text; save it with UTF-8 encoding."
            problems.append(Problem(str(path), line, message))
            continue
        yield path, text


def _parse(parser, path: Path, text: str, problems: list[Problem]):
    try:
        return parser(text, str(path))
    except ContentError as error:
        problems += error.problems
        return None


def _check_id(item_id: str, path: Path, text: str, seen: dict, report: CourseReport) -> bool:
    """Report an id that differs from the file name or repeats another file's id."""
    line = _line_of(text, "id:")
    if item_id != path.stem:
        message = f"The id '{item_id}' must match the file name: rename the file or the id."
        report.problems.append(Problem(str(path), line, message))
        return False
    if item_id in seen:
        report.problems.append(Problem(str(path), line, f"The id '{item_id}' is used twice."))
        return False
    return True


def _unplayable_endings(scenario: Scenario, filename: str) -> list[Problem]:
    search = search_endings(scenario)
    problems = []
    for node in scenario.nodes:
        if node.is_ending and node.id not in search.paths:
            if search.complete:
                why = "the conditions on the way always hide the choices that lead to it"
            else:
                why = "it was not reached within the search limit; check the conditions on the way"
            message = f"Ending '{node.id}' cannot be reached in play: {why}."
            problems.append(Problem(filename, node.line, message))
    return problems


def _line_of(text: str, prefix: str) -> int:
    """The 1-based number of the first line starting with ``prefix`` (1 if none)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().startswith(prefix):
            return number
    return 1
