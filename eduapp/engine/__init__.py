"""The scenario engine: parse, validate, serialize and play scenarios and modules.

Pure Python: no Flask, no database, nothing else from eduapp.
"""

from .course import CourseReport, ScenarioStats, check_course, scenario_stats
from .expressions import (
    Condition,
    Effect,
    ExpressionError,
    apply_effects,
    check_condition,
    check_effects,
    evaluate,
    parse_condition,
    parse_effects,
)
from .module import Module, parse_module
from .player import (
    ChoiceUnavailable,
    EndingSearch,
    OfferedChoice,
    State,
    Variables,
    is_finished,
    offered_choices,
    reachable_endings,
    search_endings,
    start_state,
    take_choice,
)
from .problems import ContentError, Problem
from .report import format_report
from .scenario import AUTHOR_KINDS, PROFESSIONS, Author, Choice, Node, Scenario, Variable
from .scenario_parser import MAX_NODES, parse_scenario, read_scenario
from .serialize import dump_module, dump_scenario
from .validate import GraphFacts, graph_facts, validate_scenario

__all__ = [
    "AUTHOR_KINDS",
    "MAX_NODES",
    "PROFESSIONS",
    "Author",
    "Choice",
    "ChoiceUnavailable",
    "Condition",
    "ContentError",
    "CourseReport",
    "Effect",
    "EndingSearch",
    "ExpressionError",
    "GraphFacts",
    "Module",
    "Node",
    "OfferedChoice",
    "Problem",
    "Scenario",
    "ScenarioStats",
    "State",
    "Variable",
    "Variables",
    "apply_effects",
    "check_condition",
    "check_course",
    "check_effects",
    "dump_module",
    "dump_scenario",
    "evaluate",
    "format_report",
    "graph_facts",
    "is_finished",
    "offered_choices",
    "parse_condition",
    "parse_effects",
    "parse_module",
    "parse_scenario",
    "reachable_endings",
    "read_scenario",
    "scenario_stats",
    "search_endings",
    "start_state",
    "take_choice",
    "validate_scenario",
]
