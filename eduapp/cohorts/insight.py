"""What a tutor reads about a cohort: progress, and how the cohort chose, split by profession.

Every figure is read from the cohort's running tallies (eduapp/tallies), so a page costs the same
for a cohort of 30 or of 10,000; Python only arranges the rows for display. What the insight
page and its exports show goes through ``scenario_insight``, which never gives a column to
fewer than ``SMALL_CELL_MINIMUM`` learners (docs/privacy.md).
"""

from collections.abc import Iterable
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


def time_per_node(
    cohort: Cohort, scenario_document_id: int, without: Iterable[str] = ()
) -> list[NodeTime]:
    """Per node, the cohort's visits and the seconds spent before choosing, slowest first;
    learners of the professions ``without`` are left out."""
    visits = sa.func.sum(CohortTally.visits)
    mean = sa.func.sum(CohortTally.seconds_total) * 1.0 / visits
    rows = db.session.execute(
        _tallies(
            cohort,
            scenario_document_id,
            CohortTally.choice_label != ENDED,
            CohortTally.profession.not_in(list(without)),
        )
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


#: The column that counts together professions with fewer than the minimum each.
OTHER_PROFESSIONS = "other professions"


@dataclass(frozen=True)
class ProfessionColumns:
    """How a cohort's insight splits its learners, so that no column is one or two people.

    A profession with at least the minimum of the cohort's learners has a column of its own;
    the others are counted together in ``OTHER_PROFESSIONS`` when they are at least the minimum
    together, and otherwise left out of every figure (``hidden``): with so few, the figures
    would be single learners' choices, and a total would give them away as a difference.
    """

    own: tuple[str, ...]
    merged: tuple[str, ...]
    hidden: tuple[str, ...]

    @property
    def keys(self) -> list[str]:
        """The columns, in display order."""
        return [*self.own, *([OTHER_PROFESSIONS] if self.merged else [])]

    def label(self, key: str) -> str:
        if key != OTHER_PROFESSIONS:
            return key.replace("_", " ").capitalize()
        return self.merged_label

    @property
    def merged_label(self) -> str:
        return "Other professions" if self.own else "All professions"

    def export_label(self, key: str) -> str:
        """The column as a CSV names it: the merged professions are listed."""
        if key != OTHER_PROFESSIONS:
            return key
        return f"{self.label(key).lower()} ({', '.join(self.merged)})"

    def group(self, by_profession: dict[str, int]) -> dict[str, int]:
        """Counts per profession as counts per column; hidden professions drop out."""
        grouped: dict[str, int] = {}
        for profession, count in by_profession.items():
            if profession in self.own:
                key = profession
            elif profession in self.merged:
                key = OTHER_PROFESSIONS
            else:
                continue
            grouped[key] = grouped.get(key, 0) + count
        return grouped


def profession_columns(cohort: Cohort, minimum: int) -> ProfessionColumns:
    """The columns of the cohort's insight, from its running count of members per profession."""
    members = dict(
        db.session.execute(
            sa.select(CohortProfession.profession, CohortProfession.members).where(
                CohortProfession.cohort_id == cohort.id, CohortProfession.members > 0
            )
        ).all()
    )
    small = sorted(p for p, count in members.items() if count < minimum)
    together = sum(members[p] for p in small) >= minimum
    return ProfessionColumns(
        own=tuple(sorted(p for p, count in members.items() if count >= minimum)),
        merged=tuple(small) if together else (),
        hidden=() if together else tuple(small),
    )


@dataclass(frozen=True)
class ScenarioInsight:
    """Everything the insight page and its CSV exports show of one scenario."""

    columns: ProfessionColumns
    decisions: dict[str, DecisionInsight]
    endings: dict[str, dict[str, int]]
    times: list[NodeTime]


def scenario_insight(cohort: Cohort, scenario_document_id: int, minimum: int) -> ScenarioInsight:
    """How the cohort played a scenario, by ``profession_columns``: the one place that decides
    what tutors see of groups of learners (docs/privacy.md)."""
    columns = profession_columns(cohort, minimum)
    if not columns.keys:
        return ScenarioInsight(columns, {}, {}, [])
    decisions: dict[str, DecisionInsight] = {}
    for node_id, decision in choices_by_profession(cohort, scenario_document_id).items():
        for label, row in decision.choices.items():
            counts = columns.group(row.by_profession)
            if counts:
                shown = decisions.setdefault(node_id, DecisionInsight(node_id))
                shown.choices[label] = ChoiceRow(label, counts)
    endings = {
        node_id: counts
        for node_id, by_profession in endings_by_profession(cohort, scenario_document_id).items()
        if (counts := columns.group(by_profession))
    }
    times = time_per_node(cohort, scenario_document_id, without=columns.hidden)
    return ScenarioInsight(columns, decisions, endings, times)
