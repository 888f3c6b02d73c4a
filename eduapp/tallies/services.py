"""Writes of the tallies, each inside the transaction of what it counts: called by the
receivers of the domains' events (receivers.py), never by the domains themselves.

Concurrency: every writer first takes the learner's row lock (``lock_learner``; a choice is
recorded with it already held, taken by the player with the attempt, which tells the profession
it read under it), so a choice and that learner joining a cohort, leaving it or changing
profession never interleave; and
every writer touches tally rows in key order, so two learners' writers can wait for each
other but never deadlock. Counts are added in the database (``INSERT ... ON CONFLICT DO
UPDATE``), never read, changed in Python and written back.

What learners are shown of each other ("how others chose") is not a running count but a
snapshot, renewed in steps of several learners (``_check_shared_figures``, docs/privacy.md).
"""

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app

from eduapp.accounts import services as accounts
from eduapp.accounts.models import User
from eduapp.cohorts.models import CohortMember
from eduapp.content.models import Version
from eduapp.extensions import db, dialect_insert, prepared, utcnow
from eduapp.player.models import Attempt, AttemptStatus, ChoiceEvent
from eduapp.player.signals import RecordedChoice
from eduapp.tallies import progress
from eduapp.tallies.models import (
    ENDED,
    NO_PROFESSION,
    SLOW_VISIT_SECONDS,
    CohortProfession,
    CohortTally,
    LearnerChoice,
    SharedChoiceFigure,
    SharedFigureMark,
    VersionChoiceCount,
)

COUNTERS = ("attempts", "visits", "seconds_total", "slow_visits")
TALLY_KEY = ("cohort_id", "document_id", "node_id", "choice_label", "profession")
#: Rows per INSERT: well under SQLite's limit on bound parameters.
BATCH = 500


def lock_learner(user_id: int) -> str:
    """Hold the learner's row until commit and return their profession as the tallies count it
    (``accounts.services.lock_learner``)."""
    return accounts.lock_learner(user_id) or NO_PROFESSION


def attempt_started(user_id: int, document_id: int) -> None:
    """A learner (never a playtest) started an attempt at a scenario."""
    lock_learner(user_id)
    progress.scenario_begun(user_id, document_id, _cohorts_of(user_id))


@prepared
def _count_choice(insert) -> sa.Insert:
    """The choice, and the ending it reached if it reached one, added to the tallies of every
    cohort the learner belongs to, in key order: one statement, whatever the cohorts."""
    members = CohortMember.__table__
    of_learner = members.c.user_id == sa.bindparam("user_id")
    events = ChoiceEvent.__table__
    # An attempt counts once per choice: not if it took this choice here at an earlier step.
    taken_before = sa.exists().where(
        events.c.attempt_id == sa.bindparam("attempt_id"),
        events.c.from_node == sa.bindparam("node_id", type_=sa.String),
        events.c.choice_number == sa.bindparam("choice_number"),
        events.c.step < sa.bindparam("step"),
    )
    first_in_attempt = sa.case((taken_before, 0), else_=1)

    def bound(name: str, type_) -> sa.BindParameter:
        return sa.bindparam(name, type_=type_)

    chosen = sa.select(
        members.c.cohort_id,
        bound("document_id", sa.Integer).label("document_id"),
        bound("node_id", sa.String).label("node_id"),
        bound("choice_label", sa.Text).label("choice_label"),
        bound("profession", sa.String).label("profession"),
        first_in_attempt.label("attempts"),
        sa.literal(1).label("visits"),
        bound("seconds", sa.BigInteger).label("seconds_total"),
        bound("slow", sa.Integer).label("slow_visits"),
    ).where(of_learner)
    ended = sa.select(
        members.c.cohort_id,
        bound("document_id", sa.Integer),
        bound("ended_at", sa.String),
        sa.literal(ENDED, sa.Text),
        bound("profession", sa.String),
        sa.literal(1),
        sa.literal(0),
        sa.literal(0, sa.BigInteger),
        sa.literal(0),
    ).where(of_learner, bound("ended", sa.Boolean))
    rows = sa.union_all(chosen, ended).subquery("counted")
    tallies = CohortTally.__table__
    statement = insert(tallies).from_select(
        [*TALLY_KEY, *COUNTERS],
        sa.select(rows).where(sa.true()).order_by(*(rows.c[name] for name in TALLY_KEY)),
    )
    return statement.on_conflict_do_update(
        index_elements=list(TALLY_KEY),
        set_={name: tallies.c[name] + statement.excluded[name] for name in COUNTERS},
    )


def count_choice(choice: RecordedChoice) -> None:
    """Add one recorded choice to the tallies of every cohort the learner belongs to, and to
    the version's count of learners per choice. The player holds the learner's row lock from
    reading the attempt, and tells the profession it read under it."""
    profession = choice.profession or NO_PROFESSION
    db.session.execute(
        _count_choice(),
        {
            "user_id": choice.user_id,
            "document_id": choice.document_id,
            "node_id": choice.node_id,
            "choice_label": choice.choice_label,
            "profession": profession,
            "attempt_id": choice.attempt_id,
            "choice_number": choice.choice_number,
            "step": choice.step,
            "seconds": choice.seconds,
            "slow": int(choice.seconds >= SLOW_VISIT_SECONDS),
            "ended_at": choice.ended_at,
            "ended": choice.ended_at is not None,
        },
    )
    _count_learner(choice)
    if choice.ended_at is not None:
        progress.scenario_finished(choice.user_id, choice.document_id, _cohorts_of(choice.user_id))


def learner_joined(user_id: int, cohort_id: int) -> None:
    """Add everything the learner has played to a cohort they have just joined."""
    profession = lock_learner(user_id)
    _add_to_tallies(_history_rows(user_id, [cohort_id], profession))
    _count_members({(cohort_id, profession): 1})
    progress.learner_joined(user_id, cohort_id)


def learner_left(user_id: int, cohort_id: int) -> None:
    """Take the learner's play out of a cohort they have just left."""
    profession = lock_learner(user_id)
    _subtract_from_tallies(_history_rows(user_id, [cohort_id], profession))
    _drop_empty([cohort_id])
    _count_members({(cohort_id, profession): -1})
    progress.learner_left(user_id, cohort_id)


def profession_changing(user_id: int, new_profession: str | None) -> None:
    """Move the learner's play to their new profession in every cohort they belong to."""
    old = lock_learner(user_id)
    cohort_ids = _cohorts_of(user_id)
    new = new_profession or NO_PROFESSION
    if new == old or not cohort_ids:
        return
    moved = _history_rows(user_id, cohort_ids, old)
    _subtract_from_tallies(moved)
    _add_to_tallies(
        {
            (cohort, document, node, label, new): counts
            for (cohort, document, node, label, _), counts in moved.items()
        }
    )
    _drop_empty(cohort_ids)
    _count_members({(cohort_id, old): -1 for cohort_id in cohort_ids})
    _count_members({(cohort_id, new): 1 for cohort_id in cohort_ids})


def rebuild() -> None:
    """Recompute every tally from the recorded choices (after a bulk import, or to repair),
    then check every node's shared figures as if a step had just been reached there."""
    for model in (CohortProfession, CohortTally, VersionChoiceCount, LearnerChoice):
        db.session.execute(sa.delete(model))
    progress.recount_all()
    _recount_cohort_professions()
    _recount_cohort_tallies()
    _recount_version_counts()
    _check_all_shared_figures()


def _stored_profession() -> sa.ColumnElement[str]:
    """The user's profession as the tallies store it. Rendered inline, so that the database sees
    the same expression in SELECT and GROUP BY."""
    return sa.func.coalesce(User.profession, sa.literal(NO_PROFESSION, literal_execute=True))


def _recount_cohort_professions() -> None:
    profession = _stored_profession()
    db.session.execute(
        sa.insert(CohortProfession).from_select(
            ["cohort_id", "profession", "members"],
            sa.select(CohortMember.cohort_id, profession, sa.func.count())
            .join(User, User.id == CohortMember.user_id)
            .group_by(CohortMember.cohort_id, profession),
        )
    )


def _recount_cohort_tallies() -> None:
    history = _history().subquery()
    profession = _stored_profession()
    db.session.execute(
        sa.insert(CohortTally).from_select(
            [*TALLY_KEY, *COUNTERS],
            sa.select(
                CohortMember.cohort_id,
                history.c.document_id,
                history.c.node_id,
                history.c.choice_label,
                profession,
                *(sa.func.sum(history.c[name]) for name in COUNTERS),
            )
            .join(CohortMember, CohortMember.user_id == history.c.user_id)
            .join(User, User.id == history.c.user_id)
            .group_by(
                CohortMember.cohort_id,
                history.c.document_id,
                history.c.node_id,
                history.c.choice_label,
                profession,
            ),
        )
    )


def _recount_version_counts() -> None:
    learner_events = (
        sa.select(Attempt.user_id, Attempt.version_id, ChoiceEvent.from_node)
        .join(Attempt, Attempt.id == ChoiceEvent.attempt_id)
        .where(Attempt.is_playtest.is_(False))
    )
    decided = sa.union(
        learner_events.add_columns(ChoiceEvent.choice_number),
        learner_events.add_columns(sa.literal(0)),
    )
    db.session.execute(
        sa.insert(LearnerChoice).from_select(
            ["user_id", "version_id", "node_id", "choice_number"], decided
        )
    )
    db.session.execute(
        sa.insert(VersionChoiceCount).from_select(
            ["version_id", "node_id", "choice_number", "learners"],
            sa.select(
                LearnerChoice.version_id,
                LearnerChoice.node_id,
                LearnerChoice.choice_number,
                sa.func.count(),
            ).group_by(
                LearnerChoice.version_id, LearnerChoice.node_id, LearnerChoice.choice_number
            ),
        )
    )


# Helpers --------------------------------------------------------------------------------------
def _cohorts_of(user_id: int) -> list[int]:
    """The cohorts the learner belongs to, in key order."""
    return list(
        db.session.scalars(
            sa.select(CohortMember.cohort_id)
            .where(CohortMember.user_id == user_id)
            .order_by(CohortMember.cohort_id)
        )
    )


def _add_to_tallies(deltas: dict[tuple, tuple[int, ...]]) -> None:
    """Add each row's counts, creating the rows that do not exist yet.

    Rows go in key order: the lock order every writer shares.
    """
    rows = [
        dict(zip(TALLY_KEY, key, strict=True)) | dict(zip(COUNTERS, counts, strict=True))
        for key, counts in sorted(deltas.items())
        if any(counts)
    ]
    for start in range(0, len(rows), BATCH):
        statement = dialect_insert(CohortTally).values(rows[start : start + BATCH])
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=list(TALLY_KEY),
                set_={
                    name: getattr(CohortTally, name) + getattr(statement.excluded, name)
                    for name in COUNTERS
                },
            )
        )


def _subtract_from_tallies(deltas: dict[tuple, tuple[int, ...]]) -> None:
    """Take each row's counts away again: the rows exist, since they were added before."""
    table = CohortTally.__table__
    statement = (
        sa.update(table)
        .where(*(table.c[name] == sa.bindparam(f"key_{name}") for name in TALLY_KEY))
        .values({name: table.c[name] - sa.bindparam(f"less_{name}") for name in COUNTERS})
    )
    rows = [
        {f"key_{name}": value for name, value in zip(TALLY_KEY, key, strict=True)}
        | {f"less_{name}": value for name, value in zip(COUNTERS, counts, strict=True)}
        for key, counts in sorted(deltas.items())
    ]
    if rows:
        db.session.execute(statement, rows)


def _count_members(changes: dict[tuple[int, str], int]) -> None:
    """Add members of a profession to cohorts (a negative number takes them away)."""
    for (cohort_id, profession), change in sorted(changes.items()):
        statement = dialect_insert(CohortProfession).values(
            cohort_id=cohort_id, profession=profession, members=max(change, 0)
        )
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=["cohort_id", "profession"],
                set_={"members": CohortProfession.members + change},
            )
        )
    db.session.execute(
        sa.delete(CohortProfession).where(
            CohortProfession.cohort_id.in_({cohort_id for cohort_id, _ in changes}),
            CohortProfession.members == 0,
        )
    )


def _drop_empty(cohort_ids: Iterable[int]) -> None:
    db.session.execute(
        sa.delete(CohortTally).where(
            CohortTally.cohort_id.in_(list(cohort_ids)),
            *(getattr(CohortTally, name) == 0 for name in COUNTERS),
        )
    )


def _learner_rows() -> sa.Select:
    """The learner's rows for deciding at the node (choice 0) and for this choice, as a SELECT:
    a statement with several VALUES rows has no cache key, so it would be compiled on every
    click."""
    row = [sa.bindparam(name, type_=sa.Integer) for name in ("user_id", "version_id")]
    row.append(sa.bindparam("node_id", type_=sa.String))
    decided = sa.select(*row, sa.literal(0, sa.Integer))
    chosen = sa.select(*row, sa.bindparam("number", type_=sa.Integer))
    return decided.union_all(chosen)


@prepared
def _add_learner_choice(insert) -> sa.Insert:
    """The learner's rows for the choice, each only the first time; returns the numbers added.
    (SQLite, which cannot put an ``INSERT`` in a ``WITH``; PostgreSQL: ``_count_first_choice``.)"""
    choices = LearnerChoice.__table__
    return (
        insert(choices)
        .from_select(["user_id", "version_id", "node_id", "choice_number"], _learner_rows())
        .on_conflict_do_nothing()
        .returning(choices.c.choice_number)
    )


@prepared
def _count_version_choice(insert) -> sa.Insert:
    """The version's count for a number (``number``): SQLite runs it for the numbers added, as
    one batch in key order."""
    counts = VersionChoiceCount.__table__
    statement = insert(counts).values(
        version_id=sa.bindparam("version_id"),
        node_id=sa.bindparam("node_id"),
        choice_number=sa.bindparam("number"),
        learners=1,
    )
    return statement.on_conflict_do_update(
        index_elements=["version_id", "node_id", "choice_number"],
        set_={"learners": counts.c.learners + 1},
    ).returning(counts.c.choice_number, counts.c.learners)


@prepared
def _count_first_choice(insert) -> sa.Insert:
    """PostgreSQL: the learner's rows for the choice and, for those added (the first time),
    the version's counts, in one statement (``WITH added AS (INSERT ... RETURNING) INSERT ...
    SELECT ... FROM added``); returns each added number's count."""
    choices = LearnerChoice.__table__
    added = (
        insert(choices)
        .from_select(["user_id", "version_id", "node_id", "choice_number"], _learner_rows())
        .on_conflict_do_nothing()
        .returning(choices.c.choice_number)
        .cte("added")
    )
    counts = VersionChoiceCount.__table__
    statement = insert(counts).from_select(
        ["version_id", "node_id", "choice_number", "learners"],
        sa.select(
            sa.bindparam("version_id", type_=sa.Integer),
            sa.bindparam("node_id", type_=sa.String),
            added.c.choice_number,
            sa.literal(1, sa.Integer),
        ).order_by(added.c.choice_number),
    )
    return (
        statement.on_conflict_do_update(
            index_elements=["version_id", "node_id", "choice_number"],
            set_={"learners": counts.c.learners + 1},
        )
        .returning(counts.c.choice_number, counts.c.learners)
        .add_cte(added, nest_here=True)
    )


def _count_learner(choice: RecordedChoice) -> None:
    """Each learner counts once per choice they ever took at a node, and once for deciding
    there at all: the insert adds the learner's row only the first time, and only then is the
    version's count raised, in key order."""
    params = {
        "user_id": choice.user_id,
        "version_id": choice.version_id,
        "node_id": choice.node_id,
        "number": choice.choice_number,
    }
    if db.session.get_bind().dialect.name == "postgresql":
        counted = db.session.execute(_count_first_choice(), params).all()
    else:
        added = db.session.execute(_add_learner_choice(), params).scalars().all()
        counted = []
        if added:  # in key order, both in one statement (a batch of the same upsert)
            counted = db.session.execute(
                _count_version_choice(), [params | {"number": number} for number in sorted(added)]
            ).all()
    deciders = dict(counted).get(0)
    if deciders is not None:
        _check_shared_figures(choice.version_id, choice.node_id, deciders)


def _history(user_id: int | None = None) -> sa.CompoundSelect:
    """Per learner, scenario, node and choice label: the learner's counts (endings included)."""
    learner = [Attempt.is_playtest.is_(False)]
    if user_id is not None:
        learner.append(Attempt.user_id == user_id)
    slow = sa.case((ChoiceEvent.seconds_on_node >= SLOW_VISIT_SECONDS, 1), else_=0)
    choices = (
        sa.select(
            Attempt.user_id,
            Version.document_id,
            ChoiceEvent.from_node.label("node_id"),
            ChoiceEvent.choice_label,
            sa.func.count(sa.distinct(ChoiceEvent.attempt_id)).label("attempts"),
            sa.func.count().label("visits"),
            sa.func.sum(ChoiceEvent.seconds_on_node).label("seconds_total"),
            sa.func.sum(slow).label("slow_visits"),
        )
        .join(Attempt, Attempt.id == ChoiceEvent.attempt_id)
        .join(Version, Version.id == Attempt.version_id)
        .where(*learner)
        .group_by(
            Attempt.user_id, Version.document_id, ChoiceEvent.from_node, ChoiceEvent.choice_label
        )
    )
    endings = (
        sa.select(
            Attempt.user_id,
            Version.document_id,
            Attempt.node_id,
            sa.literal(ENDED),
            sa.func.count(),
            sa.literal(0),
            sa.literal(0),
            sa.literal(0),
        )
        .join(Version, Version.id == Attempt.version_id)
        .where(*learner, Attempt.status == AttemptStatus.COMPLETED.value)
        .group_by(Attempt.user_id, Version.document_id, Attempt.node_id)
    )
    return sa.union_all(choices, endings)


def _history_rows(user_id: int, cohort_ids: list[int], profession: str) -> dict:
    """The learner's whole play as tally rows for these cohorts."""
    return {
        (cohort_id, document_id, node_id, label, profession): tuple(int(c) for c in counts)
        for _, document_id, node_id, label, *counts in db.session.execute(_history(user_id))
        for cohort_id in cohort_ids
    }


# Shared figures: what learners see of how others chose ---------------------------------------
def _check_shared_figures(version_id: int, node_id: str, deciders: int) -> None:
    """A new learner decided at the node (``deciders`` in all): once every ``step`` of them,
    look at the node's snapshot again.

    The claim is one guarded upsert of the node's mark, so of concurrent choices only one
    looks again (on PostgreSQL they already queue on the node's count row before this).
    """
    step = current_app.config["SHARED_FIGURES_STEP"]
    if deciders < step:
        return
    claim = dialect_insert(SharedFigureMark).values(
        version_id=version_id, node_id=node_id, checked_at_learners=deciders, shown_learners=0
    )
    shown = db.session.scalar(
        claim.on_conflict_do_update(
            index_elements=["version_id", "node_id"],
            set_={"checked_at_learners": claim.excluded.checked_at_learners},
            where=SharedFigureMark.checked_at_learners <= claim.excluded.checked_at_learners - step,
        ).returning(SharedFigureMark.shown_learners)
    )
    if shown is not None:
        _renew_shared_figures(
            {(version_id, node_id): shown},
            LearnerChoice.version_id == version_id,
            LearnerChoice.node_id == node_id,
        )


def _check_all_shared_figures() -> None:
    """Look again at every node where at least a step of learners decided (``rebuild``).

    A snapshot is replaced under the same rule as in play, so a rebuild never makes a figure
    move by fewer than a step of eligible learners.
    """
    step = current_app.config["SHARED_FIGURES_STEP"]
    deciders = {
        (version_id, node_id): learners
        for version_id, node_id, learners in db.session.execute(
            sa.select(
                VersionChoiceCount.version_id,
                VersionChoiceCount.node_id,
                VersionChoiceCount.learners,
            ).where(VersionChoiceCount.choice_number == 0, VersionChoiceCount.learners >= step)
        )
    }
    shown = {
        (version_id, node_id): learners
        for version_id, node_id, learners in db.session.execute(
            sa.select(
                SharedFigureMark.version_id,
                SharedFigureMark.node_id,
                SharedFigureMark.shown_learners,
            )
        )
    }
    rows = [
        {
            "version_id": version_id,
            "node_id": node_id,
            "checked_at_learners": learners,
            "shown_learners": 0,
        }
        for (version_id, node_id), learners in sorted(deciders.items())
    ]
    for start in range(0, len(rows), BATCH):
        statement = dialect_insert(SharedFigureMark).values(rows[start : start + BATCH])
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=["version_id", "node_id"],
                set_={"checked_at_learners": statement.excluded.checked_at_learners},
            )
        )
    _renew_shared_figures({key: shown.get(key, 0) for key in deciders})


def _renew_shared_figures(shown: dict[tuple[int, str], int], *where) -> None:
    """Count again, for these nodes (of a version), the learners whose account is old enough
    (``SHARED_FIGURES_ACCOUNT_AGE``) per choice; replace a node's snapshot only where they are
    at least a step more than the ``shown`` snapshot holds, so that fresh accounts cannot move
    it and every change folds in at least a step of learners. ``where`` narrows the count."""
    config = current_app.config
    cutoff = utcnow() - config["SHARED_FIGURES_ACCOUNT_AGE"]
    eligible: dict[tuple[int, str], dict[int, int]] = {}
    for version_id, node_id, number, learners in db.session.execute(
        sa.select(
            LearnerChoice.version_id,
            LearnerChoice.node_id,
            LearnerChoice.choice_number,
            sa.func.count(),
        )
        .join(User, User.id == LearnerChoice.user_id)
        .where(User.created_at <= cutoff, *where)
        .group_by(LearnerChoice.version_id, LearnerChoice.node_id, LearnerChoice.choice_number)
    ):
        eligible.setdefault((version_id, node_id), {})[number] = learners
    renewed = {
        key: eligible[key]
        for key, before in sorted(shown.items())
        if eligible.get(key, {}).get(0, 0) >= before + config["SHARED_FIGURES_STEP"]
    }
    if not renewed:
        return
    keys = [
        {"key_version": version_id, "key_node": node_id, "shown": by_choice[0]}
        for (version_id, node_id), by_choice in renewed.items()
    ]
    figures = SharedChoiceFigure.__table__
    db.session.execute(
        sa.delete(figures).where(
            figures.c.version_id == sa.bindparam("key_version"),
            figures.c.node_id == sa.bindparam("key_node"),
        ),
        keys,
    )
    rows = [
        {"version_id": version_id, "node_id": node_id, "choice_number": number, "learners": count}
        for (version_id, node_id), by_choice in renewed.items()
        for number, count in sorted(by_choice.items())
    ]
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(figures), rows[start : start + BATCH])
    marks = SharedFigureMark.__table__
    db.session.execute(
        sa.update(marks)
        .where(
            marks.c.version_id == sa.bindparam("key_version"),
            marks.c.node_id == sa.bindparam("key_node"),
        )
        .values(shown_learners=sa.bindparam("shown")),
        keys,
    )
