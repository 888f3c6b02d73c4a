"""Plain-text report of a course check, shared by ``python -m eduapp.engine`` and the Flask CLI."""

from .assessment import QUESTION_TYPES, Assessment
from .course import CourseReport

_SCENARIO_COLUMNS = ("scenario", "nodes", "decisions", "endings", "variables", "reflections")
_MODULE_COLUMNS = ("module", "order", "outcomes", "reading words")
_ASSESSMENT_COLUMNS = ("assessment", "module", "questions", "types", "pass mark %")


def format_report(report: CourseReport) -> str:
    """Each problem as ``file:line: message``, then scenario, module and assessment tables."""
    problems = sorted(report.problems, key=lambda problem: (problem.file, problem.line))
    lines = [str(problem) for problem in problems]
    scenario_rows = [
        (s.id, s.nodes, s.decision_points, s.endings, s.variables, s.reflection_prompts)
        for s in report.stats
    ]
    modules = sorted(report.modules.values(), key=lambda module: (module.order, module.id))
    module_rows = [(m.id, m.order, len(m.outcomes), len(m.reading.split())) for m in modules]
    tables = (
        (_SCENARIO_COLUMNS, scenario_rows),
        (_MODULE_COLUMNS, module_rows),
        (_ASSESSMENT_COLUMNS, _assessment_rows(report)),
    )
    for columns, rows in tables:
        if lines:
            lines.append("")
        lines += _table(columns, rows)
    summary = f"{len(problems)} problem(s)" if problems else "No problems."
    return "\n".join([*lines, "", summary])


def _assessment_rows(report: CourseReport) -> list[tuple]:
    """One row per assessment, in the order of the modules they belong to."""
    orders = {module.id: module.order for module in report.modules.values()}
    assessments = sorted(
        report.assessments.values(), key=lambda a: (orders.get(a.module, 0), a.module, a.id)
    )
    return [(a.id, a.module, len(a.questions), _types_used(a), a.pass_mark) for a in assessments]


def _types_used(assessment: Assessment) -> str:
    used = {question.type for question in assessment.questions}
    return ",".join(kind for kind in QUESTION_TYPES if kind in used)


def _table(columns: tuple[str, ...], rows: list[tuple]) -> list[str]:
    """Columns of numbers are aligned right, columns of words left."""
    cells = [columns, *[tuple(str(value) for value in row) for row in rows]]
    widths = [max(len(row[index]) for row in cells) for index in range(len(columns))]
    numeric = [
        index > 0 and all(isinstance(row[index], int) for row in rows)
        for index in range(len(columns))
    ]

    def render(row: tuple[str, ...]) -> str:
        parts = [
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(row, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return [render(cells[0]), "  ".join("-" * width for width in widths), *map(render, cells[1:])]
