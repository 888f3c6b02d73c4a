"""What a tutor reads about a cohort: progress, and how the cohort chose, split by profession.

Every figure is aggregated in the database; Python only arranges the grouped rows for display.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.cohorts.models import Cohort, CohortMember
from eduapp.content.models import Version
from eduapp.extensions import db
from eduapp.player.models import Attempt, AttemptStatus, ChoiceEvent


def _cohort_attempts(cohort: Cohort, scenario_document_id: int | None = None):
    """Learners' (never playtest) attempts by members of this cohort, as a subquery."""
    query = (
        sa.select(
            Attempt.id.label("attempt_id"),
            Attempt.user_id,
            Attempt.status,
            Attempt.node_id,
            Version.document_id,
            User.profession,
        )
        .join(Version, Version.id == Attempt.version_id)
        .join(CohortMember, CohortMember.user_id == Attempt.user_id)
        .join(User, User.id == Attempt.user_id)
        .where(CohortMember.cohort_id == cohort.id, Attempt.is_playtest.is_(False))
    )
    if scenario_document_id is not None:
        query = query.where(Version.document_id == scenario_document_id)
    return query.subquery()


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
    attempts = _cohort_attempts(cohort, scenario_document_id)
    # Deduplicate (choice, attempt) first, then count: hash aggregations, where a
    # COUNT(DISTINCT) would sort every event (and spill to disk on a large cohort).
    taken = (
        sa.select(
            ChoiceEvent.from_node,
            ChoiceEvent.choice_label,
            attempts.c.profession,
            ChoiceEvent.attempt_id,
        )
        .join(attempts, attempts.c.attempt_id == ChoiceEvent.attempt_id)
        .distinct()
        .subquery()
    )
    rows = db.session.execute(
        sa.select(taken.c.from_node, taken.c.choice_label, taken.c.profession, sa.func.count())
        .group_by(taken.c.from_node, taken.c.choice_label, taken.c.profession)
        .order_by(taken.c.from_node, taken.c.choice_label)
    )
    insight: dict[str, DecisionInsight] = {}
    for node_id, label, profession, count in rows:
        decision = insight.setdefault(node_id, DecisionInsight(node_id))
        row = decision.choices.setdefault(label, ChoiceRow(label))
        row.by_profession[profession or "other"] = count
    return insight


def endings_by_profession(cohort: Cohort, scenario_document_id: int) -> dict[str, dict[str, int]]:
    """Ending node -> profession -> completed attempts."""
    attempts = _cohort_attempts(cohort, scenario_document_id)
    rows = db.session.execute(
        sa.select(attempts.c.node_id, attempts.c.profession, sa.func.count())
        .where(attempts.c.status == AttemptStatus.COMPLETED.value)
        .group_by(attempts.c.node_id, attempts.c.profession)
    )
    result: dict[str, dict[str, int]] = {}
    for node_id, profession, count in rows:
        result.setdefault(node_id, {})[profession or "other"] = count
    return result


@dataclass(frozen=True)
class NodeTime:
    node_id: str
    visits: int
    mean_seconds: float
    longest_seconds: int


def time_per_node(cohort: Cohort, scenario_document_id: int) -> list[NodeTime]:
    attempts = _cohort_attempts(cohort, scenario_document_id)
    rows = db.session.execute(
        sa.select(
            ChoiceEvent.from_node,
            sa.func.count(),
            sa.func.avg(ChoiceEvent.seconds_on_node),
            sa.func.max(ChoiceEvent.seconds_on_node),
        )
        .join(attempts, attempts.c.attempt_id == ChoiceEvent.attempt_id)
        .group_by(ChoiceEvent.from_node)
        .order_by(sa.func.avg(ChoiceEvent.seconds_on_node).desc())
    )
    return [
        NodeTime(node, visits, float(mean or 0), int(longest or 0))
        for node, visits, mean, longest in rows
    ]


def cohort_professions(cohort: Cohort) -> list[str]:
    """The professions present in the cohort, in a stable order."""
    return sorted(
        {
            profession or "other"
            for profession in db.session.scalars(
                sa.select(User.profession)
                .join(CohortMember, CohortMember.user_id == User.id)
                .where(CohortMember.cohort_id == cohort.id)
                .distinct()
            )
        }
    )
