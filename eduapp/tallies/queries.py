"""Reads of a learner's progress, and the one rule for how far they are through a module.

Progress is read from ``learner_scenarios`` (one row per learner and scenario they began, with
whether they ever finished it), which the tallies keep in the transaction of each attempt
started and each ending reached (progress.py); playtests never write it. The modules pages, My
learning and the cohort dashboard read it here, and the running counts per cohort are kept by
the same rule (``ModuleProgress.of``), so the three never disagree.

Domains may import this module: reading a table is not telling (docs/architecture.md, Events).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from eduapp.cohorts.progress import status_of
from eduapp.extensions import db, utcnow
from eduapp.tallies.models import LearnerScenario


@dataclass(frozen=True)
class ModuleProgress:
    """How far a learner is through a module: of the scenarios it needs, how many they
    finished at least once and how many they began."""

    finished: int
    started: int
    total: int

    @classmethod
    def of(cls, scenario_ids: Iterable[int], progress: dict[int, bool], **fields):
        """The progress on a module needing ``scenario_ids`` (each counted once), from the
        learner's ``{scenario document id: finished}`` (``scenario_progress``)."""
        needed = set(scenario_ids)
        return cls(
            finished=sum(1 for s in needed if progress.get(s, False)),
            started=sum(1 for s in needed if s in progress),
            total=len(needed),
            **fields,
        )

    @property
    def is_completed(self) -> bool:
        """Every scenario of the module finished at least once (a module needing none never is)."""
        return self.total > 0 and self.finished >= self.total

    @property
    def is_started(self) -> bool:
        """Any scenario of the module begun."""
        return self.started > 0

    def status(self, due_at: datetime | None = None, now: datetime | None = None) -> str:
        """The status shown for the module, due by ``due_at`` if set (``cohorts.progress``)."""
        return status_of(self.is_completed, self.is_started, due_at, now or utcnow())


def scenario_progress(user_id: int, scenario_ids: Iterable[int] | None = None) -> dict[int, bool]:
    """The scenarios the learner began (of ``scenario_ids``, if given), each with whether they
    finished it at least once, on any version."""
    query = sa.select(LearnerScenario.document_id, LearnerScenario.finished).where(
        LearnerScenario.user_id == user_id
    )
    if scenario_ids is not None:
        query = query.where(LearnerScenario.document_id.in_(sorted(set(scenario_ids))))
    return dict(db.session.execute(query).all())


def module_progress(user_id: int, modules: dict[int, Sequence[int]]) -> dict[int, ModuleProgress]:
    """The learner's progress on each module (module id -> its scenario document ids), in one
    query whatever the number of modules."""
    progress = scenario_progress(user_id, {s for ids in modules.values() for s in ids})
    return {module_id: ModuleProgress.of(ids, progress) for module_id, ids in modules.items()}


def learners_progress(learners: sa.Select, modules: Sequence[Sequence[int]]) -> sa.Select:
    """Many learners' progress in one query: ``user_id``, then ``finished_<i>`` and
    ``started_<i>`` for each module ``i`` of ``modules`` (its scenario document ids), for each
    of ``learners`` (a query of user ids) who began any of them.

    Pivoted with ``sum(case ...)`` from the learners' rows, one per scenario, so each scenario
    counts once per module; ``ModuleProgress(finished, started, total)`` then applies the rule
    (a learner without a row began nothing).
    """
    scenario_ids = sorted({s for ids in modules for s in ids})
    finished = sa.case((LearnerScenario.finished, 1), else_=0)
    columns = []
    for index, ids in enumerate(modules):
        # A scenario may belong to several modules: it counts in each.
        in_module = LearnerScenario.document_id.in_(sorted(set(ids)) or [-1])
        columns += [
            sa.func.sum(sa.case((in_module, finished), else_=0)).label(f"finished_{index}"),
            sa.func.sum(sa.case((in_module, 1), else_=0)).label(f"started_{index}"),
        ]
    return (
        sa.select(LearnerScenario.user_id, *columns)
        .where(
            LearnerScenario.document_id.in_(scenario_ids or [-1]),
            LearnerScenario.user_id.in_(learners),
        )
        .group_by(LearnerScenario.user_id)
    )
