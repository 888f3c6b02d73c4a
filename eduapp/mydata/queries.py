"""Reads of a learner's own data: progress on modules, status on assigned work, erasure requests."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.assessments.models import AssessmentAttempt
from eduapp.assessments.queries import assessments_with_modules, submitted_attempts
from eduapp.cohorts.models import Cohort, CohortMember, CohortModule
from eduapp.cohorts.progress import ModuleStatus
from eduapp.content.models import Version
from eduapp.content.queries import module_of, newest_scenario_versions, published_modules
from eduapp.extensions import db, utcnow
from eduapp.mydata.models import ErasureRequest
from eduapp.tallies import queries as tallies


@dataclass(frozen=True)
class ModuleProgress(tallies.ModuleProgress):
    """A published module and how far the learner is through its scenarios (the one rule:
    ``tallies.queries.ModuleProgress``)."""

    version: Version


@dataclass(frozen=True)
class Assignment:
    """A module a cohort of the learner's set, with its due date and the learner's status."""

    cohort: Cohort
    module: ModuleProgress
    due_at: datetime | None
    status: str

    @property
    def is_open(self) -> bool:
        return self.status != ModuleStatus.COMPLETED.value


@dataclass(frozen=True)
class MyLearning:
    modules: list[ModuleProgress]
    assignments: list[Assignment]

    @property
    def due(self) -> list[Assignment]:
        """Unfinished work with a due date, soonest (or most overdue) first."""
        dated = [a for a in self.assignments if a.due_at is not None and a.is_open]
        return sorted(dated, key=lambda a: (a.due_at, a.module.version.title, a.cohort.name))

    def assignments_of(self, cohort_id: int) -> list[Assignment]:
        return [a for a in self.assignments if a.cohort.id == cohort_id]


def _module_scenarios(modules: list[Version]) -> dict[int, list[int]]:
    """Module document id -> the document ids of its published scenarios (each parsed once)."""
    parsed = {version.document_id: module_of(version) for version in modules}
    scenarios = newest_scenario_versions(sorted({s for m in parsed.values() for s in m.scenarios}))
    return {
        document_id: sorted({scenarios[s].document_id for s in module.scenarios if s in scenarios})
        for document_id, module in parsed.items()
    }


def module_status_for(user: User, now: datetime | None = None) -> MyLearning:
    """The learner's progress on every published module, and their status on each module the
    cohorts they belong to have set, by the one rule (``tallies.queries.ModuleProgress``)."""
    now = now or utcnow()
    modules = published_modules()
    needs = _module_scenarios(modules)
    scenarios = tallies.scenario_progress(user.id, {s for ids in needs.values() for s in ids})
    progress = {
        version.document_id: ModuleProgress.of(
            needs[version.document_id], scenarios, version=version
        )
        for version in modules
    }
    assigned = db.session.execute(
        sa.select(CohortModule, Cohort)
        .join(Cohort, Cohort.id == CohortModule.cohort_id)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user.id)
        .order_by(Cohort.name, Cohort.id, CohortModule.assigned_at)
    )
    assignments = [
        Assignment(
            cohort,
            progress[row.document_id],
            row.due_at,
            progress[row.document_id].status(row.due_at, now),
        )
        for row, cohort in assigned
        if row.document_id in progress  # a module no longer published is not work to do
    ]
    return MyLearning(list(progress.values()), assignments)


@dataclass(frozen=True)
class AssessmentResults:
    version: Version
    module_title: str
    #: Submitted attempts, newest first.
    attempts: list[AssessmentAttempt]


def assessment_results(user: User) -> list[AssessmentResults]:
    """The learner's submitted attempts at each published assessment, in course order (read
    through the assessments domain's own queries)."""
    results = (
        AssessmentResults(version, title, submitted_attempts(user.id, version.document_id))
        for version, title in assessments_with_modules()
    )
    return [result for result in results if result.attempts]


def pending_erasure_request(user: User) -> ErasureRequest | None:
    return db.session.scalar(
        sa.select(ErasureRequest).where(
            ErasureRequest.user_id == user.id, ErasureRequest.carried_out_at.is_(None)
        )
    )


def pending_erasure_requests() -> list[ErasureRequest]:
    """Requests waiting for an admin, oldest first."""
    return list(
        db.session.scalars(
            sa.select(ErasureRequest)
            .where(ErasureRequest.carried_out_at.is_(None))
            .order_by(ErasureRequest.requested_at, ErasureRequest.id)
        )
    )


def carried_out_erasures(limit: int = 20) -> list[ErasureRequest]:
    """The most recent erasures, newest first."""
    return list(
        db.session.scalars(
            sa.select(ErasureRequest)
            .where(ErasureRequest.carried_out_at.is_not(None))
            .order_by(ErasureRequest.carried_out_at.desc(), ErasureRequest.id.desc())
            .limit(limit)
        )
    )
