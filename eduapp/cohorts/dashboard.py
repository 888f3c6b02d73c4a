"""The cohort dashboard's data: each learner's status on each assigned module.

Summaries are read from running counts and the learner grid is paged, so the page costs the
same for a cohort of 30 or of 10,000.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from eduapp.accounts.models import Profession, User
from eduapp.cohorts.models import Cohort, CohortMember, CohortModule
from eduapp.cohorts.progress import ModuleStatus, status_of
from eduapp.content.models import DocumentKind
from eduapp.content.queries import module_of, newest_scenario_versions, newest_versions
from eduapp.extensions import db, utcnow
from eduapp.tallies.models import CohortModuleProgress
from eduapp.tallies.queries import ModuleProgress, learners_progress

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


def _per_learner(cohort: Cohort, modules: list[AssignedModule], user_ids=None):
    """Per member who began any of the modules: (finished, started) scenario counts per module,
    read by ``tallies.queries.learners_progress``. With ``user_ids``, only those learners (a
    page) are read."""
    members = sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    if user_ids is not None:
        members = members.where(CohortMember.user_id.in_(user_ids))
    return learners_progress(members, [module.scenario_ids for module in modules])


def _needs(modules: list[AssignedModule]) -> list[tuple[int, datetime | None]]:
    """Per module: how many scenarios complete it, and its due date (read once, not per row)."""
    return [(len(set(module.scenario_ids)), module.assignment.due_at) for module in modules]


def _statuses(counts, needs: list[tuple[int, datetime | None]], now: datetime) -> list[str]:
    """A learner's status on each module, from their (finished, started) counts in module order,
    by the one rule (``tallies.queries.ModuleProgress``).

    ``counts`` is flat, as ``_per_learner`` lays it out; a learner who began nothing has None.
    """
    return [
        ModuleProgress(counts[2 * index] or 0, counts[2 * index + 1] or 0, total).status(
            due_at, now
        )
        for index, (total, due_at) in enumerate(needs)
    ]


def module_summaries(cohort: Cohort, modules: list[AssignedModule]) -> list[dict[str, int]]:
    """How many learners stand at each status on each module, in the order of ``modules``.

    Read from the cohort's running counts (eduapp/tallies/progress.py), which publishing keeps
    for each module's scenarios: two small reads, at any cohort size, and never a write.
    """
    if not modules:
        return []
    counted = {
        module_id: (begun, completed)
        for module_id, begun, completed in db.session.execute(
            sa.select(
                CohortModuleProgress.module_document_id,
                CohortModuleProgress.begun,
                CohortModuleProgress.completed,
            ).where(CohortModuleProgress.cohort_id == cohort.id)
        )
    }
    total = db.session.scalar(sa.select(sa.func.count()).where(CohortMember.cohort_id == cohort.id))
    now = utcnow()
    summaries = []
    for module in modules:
        started, completed = counted.get(module.assignment.document_id, (0, 0))
        summary = dict.fromkeys((status.value for status in ModuleStatus), 0)
        # Each kind of learner gets the status status_of gives it: the rule stays in one place.
        for is_completed, is_started, learners in (
            (True, True, completed),
            (False, True, started - completed),
            (False, False, total - started),
        ):
            status = status_of(is_completed, is_started, module.assignment.due_at, now)
            summary[status] += learners
        summaries.append(summary)
    return summaries


@dataclass(frozen=True)
class LearnerRow:
    member: CohortMember
    statuses: list[str]


def progress_page(cohort: Cohort, modules: list[AssignedModule], page: int):
    """One page of learners in name order, each with a status per assigned module.

    Three statements whatever the number of modules: the page of members with their users, the
    count of members, and the page's learners' progress on every module.
    """
    pagination = db.paginate(
        sa.select(CohortMember)
        .join(CohortMember.user)
        # The grid shows names and professions: the users' roles are not loaded with them.
        .options(contains_eager(CohortMember.user).lazyload(User.roles))
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(User.display_name, User.id),
        page=page,
        per_page=LEARNERS_PER_PAGE,
        error_out=False,
    )
    user_ids = [member.user_id for member in pagination.items]
    counts = {}
    if modules and user_ids:
        counts = {
            row.user_id: row[1:]
            for row in db.session.execute(_per_learner(cohort, modules, user_ids))
        }
    needs, now = _needs(modules), utcnow()
    nothing = (None,) * (2 * len(modules))
    rows = [
        LearnerRow(member, _statuses(counts.get(member.user_id, nothing), needs, now))
        for member in pagination.items
    ]
    return pagination, rows


#: Rows fetched from the database at a time while progress.csv is written.
EXPORT_BATCH = 500


def progress_rows(cohort: Cohort, modules: list[AssignedModule]) -> Iterator[tuple]:
    """Every member in name order: (name, e-mail, profession, module title, status) per module.

    One statement for the whole cohort, read EXPORT_BATCH rows at a time (a server-side cursor
    on PostgreSQL) as plain columns, never as ORM objects, so an export of any size is written
    as it is read. The rows are produced when the iterator is consumed: wrap it in
    ``stream_with_context`` to send it as a response.
    """
    if not modules:
        return iter(())
    per_learner = _per_learner(cohort, modules).subquery()
    statement = (
        sa.select(
            User.display_name,
            User.email,
            User.profession,
            *[column for column in per_learner.c if column.name != "user_id"],
        )
        .select_from(CohortMember)
        .join(User, User.id == CohortMember.user_id)
        .outerjoin(per_learner, per_learner.c.user_id == CohortMember.user_id)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(User.display_name, User.id)
    )
    # Read now, while the request's session holds the modules; the rows are read later.
    titles = [module.title for module in modules]
    return _export(statement, titles, _needs(modules))


def _export(statement, titles: list[str], needs: list[tuple[int, datetime | None]]):
    now = utcnow()
    with db.session.execute(statement, execution_options={"yield_per": EXPORT_BATCH}) as result:
        for name, email, profession, *counts in result:
            label = Profession(profession).label if profession else ""
            for title, status in zip(titles, _statuses(counts, needs, now), strict=True):
                yield name, email, label, title, status
