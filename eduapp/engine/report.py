"""Plain-text report of a course check, shared by ``python -m eduapp.engine`` and the Flask CLI."""

from .course import CourseReport

_SCENARIO_COLUMNS = ("scenario", "nodes", "decisions", "endings", "variables", "reflections")
_MODULE_COLUMNS = ("module", "order", "outcomes", "reading words")


def format_report(report: CourseReport) -> str:
    """Each problem as ``file:line: message``, then per-scenario and per-module tables."""
    problems = sorted(report.problems, key=lambda problem: (problem.file, problem.line))
    lines = [str(problem) for problem in problems]
    scenario_rows = [
        (s.id, s.nodes, s.decision_points, s.endings, s.variables, s.reflection_prompts)
        for s in report.stats
    ]
    modules = sorted(report.modules.values(), key=lambda module: (module.order, module.id))
    module_rows = [(m.id, m.order, len(m.outcomes), len(m.reading.split())) for m in modules]
    for columns, rows in ((_SCENARIO_COLUMNS, scenario_rows), (_MODULE_COLUMNS, module_rows)):
        if lines:
            lines.append("")
        lines += _table(columns, rows)
    summary = f"{len(problems)} problem(s)" if problems else "No problems."
    return "\n".join([*lines, "", summary])


def _table(columns: tuple[str, ...], rows: list[tuple]) -> list[str]:
    cells = [columns, *[tuple(str(value) for value in row) for row in rows]]
    widths = [max(len(row[index]) for row in cells) for index in range(len(columns))]

    def render(row: tuple[str, ...]) -> str:
        first, *rest = row
        parts = [first.ljust(widths[0])] + [
            v.rjust(w) for v, w in zip(rest, widths[1:], strict=True)
        ]
        return "  ".join(parts).rstrip()

    return [render(cells[0]), "  ".join("-" * width for width in widths), *map(render, cells[1:])]
