"""Module progress kept as running counts: how many of a cohort's learners began each module,
and how many finished every scenario of it.

A learner's own progress is one row per scenario (`LearnerScenario`: begun, finished), read
and judged by the one rule for a module (`queries.ModuleProgress`: begun once any of its
scenarios is, completed once every one was finished), which every count here follows. A
cohort's counts per module (`CohortModuleProgress`) are computed for the scenarios the module
needs at that time (`ModuleScenario`), then kept up to date by each writer below, in the
transaction of what it counts; when the module's scenarios change (a new module version, a
scenario published for the first time), the transaction that publishes computes that module's
counts again (`ensure_counted`, on content's `module_scenarios_changed`), and so does
`flask tallies rebuild` for every module. Reading the counts never writes.

Concurrency (PostgreSQL): writers change `learner_scenarios` or `cohort_members` *before* they
read which modules to count, and a recount locks both tables against writers first; so a
writer either finished before the recount (which then sees its rows) or reads the recount's
modules after it (and counts against them). Every writer takes the learner's row lock before
it changes either table (a membership change too: cohorts' `membership_changing`), so a writer
never holds one of those tables while waiting for a learner that waits for the recount. Counts
are touched in key order.
"""

from collections.abc import Iterable

import sqlalchemy as sa

from eduapp.cohorts.models import CohortMember
from eduapp.content.models import Version
from eduapp.content.queries import scenarios_of_modules
from eduapp.extensions import db, dialect_insert
from eduapp.player.models import Attempt, AttemptStatus
from eduapp.tallies.models import CohortModuleProgress, LearnerScenario, ModuleScenario
from eduapp.tallies.queries import ModuleProgress, scenario_progress


def scenario_begun(user_id: int, document_id: int, cohort_ids: list[int]) -> None:
    """The learner started an attempt at a scenario (counted the first time only)."""
    added = db.session.scalars(
        dialect_insert(LearnerScenario)
        .values(user_id=user_id, document_id=document_id, finished=False)
        .on_conflict_do_nothing()
        .returning(LearnerScenario.document_id)
    ).all()
    if added:
        after = scenario_progress(user_id)
        before = {s: done for s, done in after.items() if s != document_id}
        _count_change(document_id, before, after, cohort_ids)


def scenario_finished(user_id: int, document_id: int, cohort_ids: list[int]) -> None:
    """The learner finished an attempt at a scenario (counted the first time only)."""
    changed = db.session.execute(
        sa.update(LearnerScenario)
        .where(
            LearnerScenario.user_id == user_id,
            LearnerScenario.document_id == document_id,
            LearnerScenario.finished.is_(False),
        )
        .values(finished=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        after = scenario_progress(user_id)
        _count_change(document_id, {**after, document_id: False}, after, cohort_ids)


def learner_joined(user_id: int, cohort_id: int) -> None:
    """Count the learner's progress in a cohort they joined (their membership is written)."""
    _add(_learner_counts(user_id, cohort_id))


def learner_left(user_id: int, cohort_id: int) -> None:
    """Take the learner's progress out of a cohort (their membership is deleted already)."""
    _subtract(_learner_counts(user_id, cohort_id))


def ensure_counted(modules: dict[int, list[int]]) -> None:
    """Make the counts of these modules (module document id -> scenario document ids) be for
    those scenarios, computing again from every learner's progress where they are not.

    In the caller's transaction (publishing, a rebuild): the tables it counts from are locked
    against writers before it reads them, until that transaction ends. Costs one small read
    when nothing changed.
    """
    wanted = {m: set(s) for m, s in modules.items() if s}
    if not wanted or _stored_sets(wanted) == wanted:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text(
                "LOCK TABLE learner_scenarios, cohort_members, module_scenarios "
                "IN SHARE ROW EXCLUSIVE MODE"
            )
        )
    stored = _stored_sets(wanted)  # again: another worker may have just done it
    for module_id, scenario_ids in sorted(wanted.items()):
        if stored.get(module_id) != scenario_ids:
            _recount(module_id, scenario_ids)


def recount_all() -> None:
    """Rebuild each learner's progress from their attempts, then every module's counts for
    the scenarios it needs now."""
    for model in (CohortModuleProgress, ModuleScenario, LearnerScenario):
        db.session.execute(sa.delete(model))
    finished = sa.case((Attempt.status == AttemptStatus.COMPLETED.value, 1), else_=0)
    db.session.execute(
        sa.insert(LearnerScenario).from_select(
            ["user_id", "document_id", "finished"],
            sa.select(Attempt.user_id, Version.document_id, sa.func.max(finished) == 1)
            .join(Version, Version.id == Attempt.version_id)
            .where(Attempt.is_playtest.is_(False))
            .group_by(Attempt.user_id, Version.document_id),
        )
    )
    ensure_counted(scenarios_of_modules())


# Helpers --------------------------------------------------------------------------------------
def _stored_sets(modules: Iterable[int] | sa.Select) -> dict[int, set[int]]:
    """The scenarios each of these modules (ids, or a query of them) was counted for."""
    if not isinstance(modules, sa.Select):
        modules = list(modules)
    stored: dict[int, set[int]] = {}
    for module_id, scenario_id in db.session.execute(
        sa.select(ModuleScenario.module_document_id, ModuleScenario.scenario_document_id).where(
            ModuleScenario.module_document_id.in_(modules)
        )
    ):
        stored.setdefault(module_id, set()).add(scenario_id)
    return stored


def _recount(module_id: int, scenario_ids: set[int]) -> None:
    """The module's counts in every cohort, from every member's progress on its scenarios."""
    db.session.execute(
        sa.delete(ModuleScenario).where(ModuleScenario.module_document_id == module_id)
    )
    db.session.execute(
        sa.delete(CohortModuleProgress).where(CohortModuleProgress.module_document_id == module_id)
    )
    db.session.execute(
        sa.insert(ModuleScenario),
        [
            {"module_document_id": module_id, "scenario_document_id": s}
            for s in sorted(scenario_ids)
        ],
    )
    # ModuleProgress's rule in SQL: a row begins the module, every scenario finished completes
    # it (a counted module needs at least one scenario: ensure_counted).
    finished = sa.case((LearnerScenario.finished, 1), else_=0)
    per_learner = (
        sa.select(LearnerScenario.user_id, sa.func.sum(finished).label("finished"))
        .where(LearnerScenario.document_id.in_(sorted(scenario_ids)))
        .group_by(LearnerScenario.user_id)
        .subquery()
    )
    db.session.execute(
        sa.insert(CohortModuleProgress).from_select(
            ["cohort_id", "module_document_id", "begun", "completed"],
            sa.select(
                CohortMember.cohort_id,
                sa.literal(module_id),
                sa.func.count(),
                sa.func.count().filter(per_learner.c.finished >= len(scenario_ids)),
            )
            .join(per_learner, per_learner.c.user_id == CohortMember.user_id)
            .group_by(CohortMember.cohort_id),
        )
    )


def _counted_modules(scenario_id: int | None = None) -> dict[int, set[int]]:
    """The modules whose counts are kept (those needing ``scenario_id``), with their scenarios."""
    query = sa.select(ModuleScenario.module_document_id)
    if scenario_id is not None:
        query = query.where(ModuleScenario.scenario_document_id == scenario_id)
    return _stored_sets(query)


def _count_change(document_id: int, before: dict, after: dict, cohort_ids: list[int]) -> None:
    """Count what changed for each counted module needing the scenario, in the learner's
    cohorts."""
    deltas = {}
    for module_id, scenario_ids in _counted_modules(document_id).items():
        old, new = (ModuleProgress.of(scenario_ids, p) for p in (before, after))
        change = (
            int(new.is_started) - int(old.is_started),
            int(new.is_completed) - int(old.is_completed),
        )
        if any(change):
            deltas[module_id] = change
    _add({(c, m): change for c in cohort_ids for m, change in deltas.items()})


def _learner_counts(user_id: int, cohort_id: int) -> dict:
    """What the learner adds to a cohort's counts: (1 began, 1 if completed) per module."""
    progress = scenario_progress(user_id)
    counts = {}
    for module_id, scenario_ids in _counted_modules().items():
        module = ModuleProgress.of(scenario_ids, progress)
        if module.is_started:
            counts[(cohort_id, module_id)] = (1, int(module.is_completed))
    return counts


def _add(deltas: dict[tuple[int, int], tuple[int, int]]) -> None:
    rows = [
        {"cohort_id": c, "module_document_id": m, "begun": begun, "completed": completed}
        for (c, m), (begun, completed) in sorted(deltas.items())
    ]
    if not rows:
        return
    statement = dialect_insert(CohortModuleProgress).values(rows)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["cohort_id", "module_document_id"],
            set_={
                "begun": CohortModuleProgress.begun + statement.excluded.begun,
                "completed": CohortModuleProgress.completed + statement.excluded.completed,
            },
        )
    )


def _subtract(deltas: dict[tuple[int, int], tuple[int, int]]) -> None:
    for (cohort_id, module_id), (begun, completed) in sorted(deltas.items()):
        db.session.execute(
            sa.update(CohortModuleProgress)
            .where(
                CohortModuleProgress.cohort_id == cohort_id,
                CohortModuleProgress.module_document_id == module_id,
            )
            .values(
                begun=CohortModuleProgress.begun - begun,
                completed=CohortModuleProgress.completed - completed,
            )
            .execution_options(synchronize_session=False)
        )
