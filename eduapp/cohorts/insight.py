"""What a tutor reads about a cohort: progress, and how the cohort chose, split by profession.

Every figure is read from the cohort's running tallies (eduapp/tallies), so a page costs the same
for a cohort of 30 or of 10,000; Python only arranges the rows for display.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from eduapp.cohorts.models import Cohort
from eduapp.extensions import db
from eduapp.tallies.models import ENDED, CohortProfession, CohortTally


def _tallies(cohort: Cohort, scenario_document_id: int, *where) -> sa.Select:
    return sa.select(CohortTally).where(
        CohortTally.cohort_id == cohort.id,
        CohortTally.document_id == scenario_document_id,
        *where,
    )


@dataclass
class ChoiceRow:
    label: str
    by_profession: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_profession.values())


@dataclass
class DecisionInsight:
    node_id: str
    choices: dict[str, ChoiceRow] = field(default_factory=dict)

    def professions_total(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for row in self.choices.values():
            for profession, count in row.by_profession.items():
                totals[profession] = totals.get(profession, 0) + count
        return totals


def choices_by_profession(cohort: Cohort, scenario_document_id: int) -> dict[str, DecisionInsight]:
    """At each node, how many of the cohort's attempts took each choice, per profession.

    Grouped by the label recorded with each choice, so attempts on older versions still count.
    """
    rows = db.session.execute(
        _tallies(cohort, scenario_document_id, CohortTally.choice_label != ENDED)
        .with_only_columns(
            CohortTally.node_id,
            CohortTally.choice_label,
            CohortTally.profession,
            CohortTally.attempts,
        )
        .where(CohortTally.attempts > 0)
        .order_by(CohortTally.node_id, CohortTally.choice_label)
    )
    insight: dict[str, DecisionInsight] = {}
    for node_id, label, profession, count in rows:
        decision = insight.setdefault(node_id, DecisionInsight(node_id))
        row = decision.choices.setdefault(label, ChoiceRow(label))
        row.by_profession[profession] = count
    return insight


def endings_by_profession(cohort: Cohort, scenario_document_id: int) -> dict[str, dict[str, int]]:
    """Ending node -> profession -> completed attempts."""
    rows = db.session.execute(
        _tallies(cohort, scenario_document_id, CohortTally.choice_label == ENDED)
        .with_only_columns(CohortTally.node_id, CohortTally.profession, CohortTally.attempts)
        .where(CohortTally.attempts > 0)
    )
    result: dict[str, dict[str, int]] = {}
    for node_id, profession, count in rows:
        result.setdefault(node_id, {})[profession] = count
    return result


@dataclass(frozen=True)
class NodeTime:
    node_id: str
    visits: int
    mean_seconds: float
    #: Visits of SLOW_VISIT_SECONDS or more: learners who lingered, or left the screen.
    slow_visits: int


def time_per_node(cohort: Cohort, scenario_document_id: int) -> list[NodeTime]:
    """Per node, the cohort's visits and the seconds spent before choosing, slowest first."""
    visits = sa.func.sum(CohortTally.visits)
    mean = sa.func.sum(CohortTally.seconds_total) * 1.0 / visits
    rows = db.session.execute(
        _tallies(cohort, scenario_document_id, CohortTally.choice_label != ENDED)
        .with_only_columns(CohortTally.node_id, visits, mean, sa.func.sum(CohortTally.slow_visits))
        .group_by(CohortTally.node_id)
        .having(visits > 0)
        .order_by(mean.desc(), CohortTally.node_id)
    )
    return [
        NodeTime(node, int(count), float(mean_seconds or 0), int(slow or 0))
        for node, count, mean_seconds, slow in rows
    ]


def cohort_professions(cohort: Cohort) -> list[str]:
    """The professions present in the cohort, in a stable order (from its running counts)."""
    return list(
        db.session.scalars(
            sa.select(CohortProfession.profession)
            .where(CohortProfession.cohort_id == cohort.id, CohortProfession.members > 0)
            .order_by(CohortProfession.profession)
        )
    )
