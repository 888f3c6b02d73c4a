"""The scenario engine: parse, validate, serialize and play scenarios, modules and assessments.

Pure Python: no Flask, no database, nothing else from eduapp.
"""

from ._header import MAX_TITLE_CHARS
from ._text import MAX_FILE_BYTES, MAX_FILE_SIZE_TEXT
from .assessment import (
    CONCORDANCE_SCALE,
    MAX_QUESTIONS,
    QUESTION_TYPES,
    Assessment,
    Option,
    Question,
    RubricCriterion,
    ScaleStep,
)
from .assessment_parser import parse_assessment
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
from .scoring import AttemptScore, InvalidAnswer, Score, score_answer, score_attempt
from .serialize import dump_assessment, dump_module, dump_scenario
from .validate import MAX_CHOICE_LABEL_CHARS, GraphFacts, graph_facts, validate_scenario

__all__ = [
    "AUTHOR_KINDS",
    "CONCORDANCE_SCALE",
    "MAX_CHOICE_LABEL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_FILE_SIZE_TEXT",
    "MAX_NODES",
    "MAX_QUESTIONS",
    "MAX_TITLE_CHARS",
    "PROFESSIONS",
    "QUESTION_TYPES",
    "Assessment",
    "AttemptScore",
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
    "InvalidAnswer",
    "Module",
    "Node",
    "OfferedChoice",
    "Option",
    "Problem",
    "Question",
    "RubricCriterion",
    "ScaleStep",
    "Scenario",
    "ScenarioStats",
    "Score",
    "State",
    "Variable",
    "Variables",
    "apply_effects",
    "check_condition",
    "check_course",
    "check_effects",
    "dump_assessment",
    "dump_module",
    "dump_scenario",
    "evaluate",
    "format_report",
    "graph_facts",
    "is_finished",
    "offered_choices",
    "parse_assessment",
    "parse_condition",
    "parse_effects",
    "parse_module",
    "parse_scenario",
    "reachable_endings",
    "read_scenario",
    "scenario_stats",
    "score_answer",
    "score_attempt",
    "search_endings",
    "start_state",
    "take_choice",
    "validate_scenario",
]
