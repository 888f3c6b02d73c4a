"""The cohort dashboard's data: each learner's status on each assigned module.

Summaries are counted in the database; the learner grid is paged, so the page costs the same
for a cohort of 30 or of 10,000.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.cohorts.models import Cohort, CohortMember, CohortModule
from eduapp.cohorts.progress import ModuleStatus, status_of
from eduapp.content.models import DocumentKind, Version
from eduapp.content.queries import module_of, newest_scenario_versions, newest_versions
from eduapp.extensions import db, utcnow
from eduapp.player.models import Attempt, AttemptStatus

LEARNERS_PER_PAGE = 50


@dataclass(frozen=True)
class AssignedModule:
    assignment: CohortModule
    title: str
    slug: str
    #: (scenario document id, slug, title) for each scenario of the module's newest version.
    scenarios: list[tuple[int, str, str]]

    @property
    def scenario_ids(self) -> list[int]:
        return [document_id for document_id, _, _ in self.scenarios]


def assigned_modules(cohort: Cohort) -> list[AssignedModule]:
    """The cohort's modules in the order they were set, with their newest scenarios.

    Two queries whatever the number of modules: the newest module versions, then the newest
    versions of all their scenarios.
    """
    modules = {v.document_id: v for v in newest_versions(DocumentKind.MODULE)}
    parsed = {d: module_of(v) for d, v in modules.items()}
    scenario_versions = newest_scenario_versions(
        sorted({slug for module in parsed.values() for slug in module.scenarios})
    )
    result = []
    for assignment in cohort.modules:
        version = modules.get(assignment.document_id)
        if version is None:
            continue
        module = parsed[assignment.document_id]
        scenarios = [
            (scenario_versions[s].document_id, s, scenario_versions[s].title)
            for s in module.scenarios
            if s in scenario_versions
        ]
        result.append(AssignedModule(assignment, module.title, version.slug, scenarios))
    return result


def _per_learner(cohort: Cohort, module: AssignedModule, user_ids=None):
    """Per member: how many of the module's scenarios they finished, and how many they began.

    Attempts are first reduced to one row per (learner, scenario), then counted per learner:
    two hash aggregations instead of a sorted COUNT(DISTINCT). Members are a semi-join, so the
    database reads attempts straight from the (version, playtest, user) index.
    """
    members = sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    if user_ids is not None:
        # One page of learners: the index is probed for just these.
        members = members.where(CohortMember.user_id.in_(user_ids))
    is_completed = sa.case((Attempt.status == AttemptStatus.COMPLETED.value, 1), else_=0)
    per_scenario = (
        sa.select(Attempt.user_id, sa.func.max(is_completed).label("is_completed"))
        .join(Version, Version.id == Attempt.version_id)
        .where(
            Version.document_id.in_(module.scenario_ids or [-1]),
            Attempt.is_playtest.is_(False),
            Attempt.user_id.in_(members),
        )
        .group_by(Attempt.user_id, Version.document_id)
        .subquery()
    )
    return sa.select(
        per_scenario.c.user_id,
        sa.func.sum(per_scenario.c.is_completed).label("completed"),
        sa.func.count().label("started"),
    ).group_by(per_scenario.c.user_id)


def module_summary(cohort: Cohort, module: AssignedModule) -> dict[str, int]:
    """How many learners stand at each status on this module."""
    members = db.session.scalar(
        sa.select(sa.func.count()).where(CohortMember.cohort_id == cohort.id)
    )
    per_learner = _per_learner(cohort, module).subquery()
    needed = len(module.scenario_ids)
    completed, started = db.session.execute(
        sa.select(
            sa.func.count().filter(per_learner.c.completed >= needed),
            sa.func.count(),
        ).select_from(per_learner)
    ).one()
    completed = completed if needed else 0
    in_progress = started - completed
    not_started = members - started
    due_at = module.assignment.due_at
    is_past = due_at is not None and due_at < utcnow()
    return {
        ModuleStatus.COMPLETED.value: completed,
        ModuleStatus.IN_PROGRESS.value: 0 if is_past else in_progress,
        ModuleStatus.NOT_STARTED.value: 0 if is_past else not_started,
        ModuleStatus.OVERDUE.value: in_progress + not_started if is_past else 0,
    }


@dataclass(frozen=True)
class LearnerRow:
    member: CohortMember
    statuses: list[str]


def progress_page(cohort: Cohort, modules: list[AssignedModule], page: int):
    """One page of learners, each with a status per assigned module."""
    pagination = db.paginate(
        sa.select(CohortMember)
        .join(User, User.id == CohortMember.user_id)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(User.display_name, User.id),
        page=page,
        per_page=LEARNERS_PER_PAGE,
        error_out=False,
    )
    user_ids = [member.user_id for member in pagination.items]
    now = utcnow()
    counts = {
        module.slug: {
            user_id: (completed, started)
            for user_id, completed, started in db.session.execute(
                _per_learner(cohort, module, user_ids)
            )
        }
        for module in modules
    }
    rows = []
    for member in pagination.items:
        statuses = []
        for module in modules:
            completed, started = counts[module.slug].get(member.user_id, (0, 0))
            is_completed = bool(module.scenario_ids) and completed >= len(module.scenario_ids)
            statuses.append(status_of(is_completed, started > 0, module.assignment.due_at, now))
        rows.append(LearnerRow(member, statuses))
    return pagination, rows
