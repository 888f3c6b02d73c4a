"""Per-scenario insight for a cohort (choices by profession, endings, time) and CSV exports.

Every figure comes from ``scenario_insight``, so the page and the exports follow one rule about
small groups of learners (docs/privacy.md).
"""

from flask import Blueprint, current_app, render_template, stream_with_context

from eduapp.cohorts.access import TEACHERS, load_cohort_scenario, load_taught_cohort
from eduapp.cohorts.dashboard import assigned_modules, progress_rows
from eduapp.cohorts.insight import scenario_insight
from eduapp.csv_export import csv_response
from eduapp.security.access import requires
from eduapp.tallies.models import SLOW_VISIT_SECONDS

bp = Blueprint("insight", __name__, template_folder="templates")


def _insight(cohort_id: int, slug: str):
    """The taught cohort, the scenario's newest version parsed, and what may be shown of it."""
    cohort = load_taught_cohort(cohort_id)
    version, parsed = load_cohort_scenario(cohort, slug)
    minimum = current_app.config["SMALL_CELL_MINIMUM"]
    return cohort, version, parsed, scenario_insight(cohort, version.document_id, minimum)


def _node_title(scenario, node_id: str) -> str:
    ids = {node.id for node in scenario.nodes}
    return scenario.node(node_id).title if node_id in ids else f"{node_id} (earlier version)"


@bp.get("/<int:cohort_id>/scenarios/<slug>")
@requires(*TEACHERS)
def scenario(cohort_id: int, slug: str):
    cohort, version, parsed, insight = _insight(cohort_id, slug)
    order = {node.id: index for index, node in enumerate(parsed.nodes)}
    return render_template(
        "cohorts/scenario.html",
        cohort=cohort,
        version=version,
        scenario=parsed,
        columns=insight.columns,
        decisions=sorted(
            insight.decisions.values(), key=lambda d: order.get(d.node_id, len(order))
        ),
        endings=insight.endings,
        times=insight.times,
        slow_seconds=SLOW_VISIT_SECONDS,
        node_title=lambda node_id: _node_title(parsed, node_id),
    )


@bp.get("/<int:cohort_id>/scenarios/<slug>/choices.csv")
@requires(*TEACHERS)
def choices_csv(cohort_id: int, slug: str):
    _, _, parsed, insight = _insight(cohort_id, slug)
    columns = insight.columns
    rows = [
        (node_id, _node_title(parsed, node_id), label, columns.export_label(key), count)
        for node_id, decision in insight.decisions.items()
        for label, row in decision.choices.items()
        for key, count in sorted(row.by_profession.items())
    ]
    header = ("node", "node title", "choice", "profession", "attempts")
    return csv_response(f"{slug}-choices.csv", header, rows)


@bp.get("/<int:cohort_id>/scenarios/<slug>/endings.csv")
@requires(*TEACHERS)
def endings_csv(cohort_id: int, slug: str):
    _, _, parsed, insight = _insight(cohort_id, slug)
    columns = insight.columns
    rows = [
        (node_id, _node_title(parsed, node_id), columns.export_label(key), count)
        for node_id, by_column in insight.endings.items()
        for key, count in sorted(by_column.items())
    ]
    return csv_response(f"{slug}-endings.csv", ("ending", "title", "profession", "attempts"), rows)


@bp.get("/<int:cohort_id>/scenarios/<slug>/time.csv")
@requires(*TEACHERS)
def time_csv(cohort_id: int, slug: str):
    _, _, parsed, insight = _insight(cohort_id, slug)
    rows = [
        (
            t.node_id,
            _node_title(parsed, t.node_id),
            t.visits,
            round(t.mean_seconds, 1),
            t.slow_visits,
        )
        for t in insight.times
    ]
    slow = f"visits of {SLOW_VISIT_SECONDS} s or more"
    header = ("node", "title", "visits", "mean seconds", slow)
    return csv_response(f"{slug}-time.csv", header, rows)


@bp.get("/<int:cohort_id>/progress.csv")
@requires(*TEACHERS)
def progress_csv(cohort_id: int):
    cohort = load_taught_cohort(cohort_id)
    modules = assigned_modules(cohort)
    # One query for the whole cohort, read while the response is sent.
    rows = stream_with_context(progress_rows(cohort, modules))
    header = ("learner", "e-mail", "profession", "module", "status")
    return csv_response(f"cohort-{cohort.id}-progress.csv", header, rows)
