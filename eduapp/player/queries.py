"""Reads of the player: attempts, paths, progress and how other learners chose."""

from dataclasses import dataclass

import sqlalchemy as sa

from eduapp.content.models import Version
from eduapp.content.queries import parse_scenario_source
from eduapp.engine import Scenario
from eduapp.extensions import db
from eduapp.player.models import Attempt, AttemptStatus
from eduapp.tallies.models import LearnerChoice, VersionChoiceCount


def scenario_of_attempt(attempt: Attempt) -> Scenario:
    """The scenario an attempt plays: its published version, or the draft an author playtests."""
    document = attempt.version.document if attempt.version else attempt.revision.document
    return parse_scenario_source(attempt.source, document.slug)


def unfinished_attempt(user_id: int, document_id: int) -> Attempt | None:
    """The learner's newest unfinished attempt at a scenario, whatever version it is on."""
    return db.session.scalar(
        sa.select(Attempt)
        .join(Version, Version.id == Attempt.version_id)
        .where(
            Attempt.user_id == user_id,
            Version.document_id == document_id,
            Attempt.status == AttemptStatus.IN_PROGRESS.value,
            Attempt.is_playtest.is_(False),
        )
        .order_by(Attempt.id.desc())
        .limit(1)
    )


def attempts_of(user_id: int) -> list[Attempt]:
    """Every attempt of a learner, newest first."""
    return list(
        db.session.scalars(
            sa.select(Attempt)
            .where(Attempt.user_id == user_id, Attempt.is_playtest.is_(False))
            .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        )
    )


@dataclass(frozen=True)
class ScenarioProgress:
    document_id: int
    completed: int
    unfinished_attempt_id: int | None


def progress_by_scenario(user_id: int) -> dict[int, ScenarioProgress]:
    """Per scenario document: how many times the learner finished it, and any unfinished attempt."""
    rows = db.session.execute(
        sa.select(
            Version.document_id,
            sa.func.count(Attempt.id).filter(Attempt.status == AttemptStatus.COMPLETED.value),
            sa.func.max(Attempt.id).filter(Attempt.status == AttemptStatus.IN_PROGRESS.value),
        )
        .join(Version, Version.id == Attempt.version_id)
        .where(Attempt.user_id == user_id, Attempt.is_playtest.is_(False))
        .group_by(Version.document_id)
    )
    return {
        document_id: ScenarioProgress(document_id, completed, unfinished)
        for document_id, completed, unfinished in rows
    }


@dataclass(frozen=True)
class OthersChoices:
    """How other learners chose at one node: shown only when enough of them did."""

    learners: int
    by_choice: dict[int, int]

    def share(self, number: int) -> int:
        """Percentage of those learners who took this choice (rounded)."""
        return round(100 * self.by_choice.get(number, 0) / self.learners) if self.learners else 0


def how_others_chose(attempt: Attempt, minimum: int) -> dict[str, OthersChoices]:
    """For each node where this attempt made a choice: other learners' choices on the same version.

    Each other learner counts once per choice they ever took there; nodes where fewer than
    ``minimum`` other learners decided are left out (small-cell suppression). Read from the
    version's running counts, less this learner's own: a few rows per node, at any cohort size.
    """
    nodes = {event.from_node for event in attempt.events}
    if not nodes or attempt.version_id is None:
        return {}
    counts = {
        (node, number): learners
        for node, number, learners in db.session.execute(
            sa.select(
                VersionChoiceCount.node_id,
                VersionChoiceCount.choice_number,
                VersionChoiceCount.learners,
            ).where(
                VersionChoiceCount.version_id == attempt.version_id,
                VersionChoiceCount.node_id.in_(nodes),
            )
        )
    }
    own = db.session.execute(
        sa.select(LearnerChoice.node_id, LearnerChoice.choice_number).where(
            LearnerChoice.user_id == attempt.user_id,
            LearnerChoice.version_id == attempt.version_id,
            LearnerChoice.node_id.in_(nodes),
        )
    )
    for key in own:
        counts[tuple(key)] = counts.get(tuple(key), 0) - 1
    result: dict[str, OthersChoices] = {}
    for (node, number), learners in sorted(counts.items()):
        deciders = counts.get((node, 0), 0)
        if number and learners > 0 and deciders >= minimum:
            result.setdefault(node, OthersChoices(deciders, {})).by_choice[number] = learners
    return result
