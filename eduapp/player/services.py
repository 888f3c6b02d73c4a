"""Writes of the player: starting attempts, recording choices and reflections.

They change the request's transaction, which commits whole or not at all (eduapp/transaction.py).
A posted step that is not the attempt's current one (a double click, the back button, a
replayed request) records nothing. A learner's attempts and choices are told as events
(player/signals.py), which the tallies count in the same transaction.
"""

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from eduapp.accounts.models import User
from eduapp.accounts.services import lock_learner
from eduapp.content.models import Version
from eduapp.content.queries import scenario_of
from eduapp.engine import ChoiceUnavailable, take_choice
from eduapp.extensions import UTCDateTime, db, prepared, utcnow
from eduapp.player.models import Attempt, AttemptStatus, ChoiceEvent
from eduapp.player.queries import scenario_of_attempt, unfinished_attempt
from eduapp.player.signals import RecordedChoice, attempt_started, choice_recorded
from eduapp.reflections.models import (
    PeerReview,
    Reflection,
    ReflectionReply,
    ReflectionTheme,
    Visibility,
)


class Outcome(enum.Enum):
    RECORDED = "recorded"
    #: The step was already taken; the learner is shown where they are now.
    STALE = "stale"
    #: The choice is not offered at this node (hidden by a condition, or made up).
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class ReflectionInput:
    body: str
    visibility: Visibility


def start_attempt(user: User, version: Version, *, fresh: bool = False) -> Attempt:
    """Resume the learner's unfinished attempt at this scenario, or start one.

    With ``fresh`` an unfinished attempt is closed as abandoned and a new one begins on the
    newest published version.
    """
    unfinished = unfinished_attempt(user.id, version.document_id)
    if unfinished is not None and not fresh:
        return unfinished
    # The learner's row lock before any attempt's, in the order recording a choice takes them.
    lock_learner(user.id)
    if unfinished is not None:
        unfinished.status = AttemptStatus.ABANDONED.value
    attempt = Attempt.at_start(scenario_of(version), user_id=user.id, version=version)
    db.session.add(attempt)
    db.session.flush()
    attempt_started.send(
        current_app._get_current_object(), user_id=user.id, document_id=version.document_id
    )
    return attempt


@prepared
def _claim_step(_insert) -> sa.Update:
    """Move the attempt on, only if it still stands at the step the learner saw."""
    attempts = Attempt.__table__
    return (
        sa.update(attempts)
        .where(attempts.c.id == sa.bindparam("attempt_id"), attempts.c.step == sa.bindparam("seen"))
        .values(
            {name: sa.bindparam(name) for name in ("step", "node_id", "variables", "status")}
            | {
                "node_entered_at": sa.bindparam("now", type_=UTCDateTime),
                "completed_at": sa.bindparam("completed_at", type_=UTCDateTime),
            }
        )
    )


#: The event's columns, from the claim's parameters where they are the same value.
_EVENT = {
    "step": "step", "from_node": "from_node", "choice_number": "choice_number",
    "choice_label": "choice_label", "to_node": "node_id", "variables_after": "variables",
    "seconds_on_node": "seconds_on_node", "created_at": "now",
}  # fmt: skip


def _record_event() -> sa.Insert:
    """The choice's event. On PostgreSQL it is written with the claim, in one statement
    (``WITH claimed AS (UPDATE ... RETURNING) INSERT ... SELECT ... FROM claimed``): only if
    the step was claimed, and the rows written say whether it was. SQLite, which cannot put an
    ``UPDATE`` in a ``WITH``, writes it alone after ``_claim_step``."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _claim_and_record()
    return _event_alone()


@prepared
def _event_alone(_insert) -> sa.Insert:
    events = ChoiceEvent.__table__
    return sa.insert(events).values(
        {"attempt_id": sa.bindparam("attempt_id")}
        | {
            column: sa.bindparam(name, type_=events.c[column].type)
            for column, name in _EVENT.items()
        }
    )


@prepared
def _claim_and_record(_insert) -> sa.Insert:
    events = ChoiceEvent.__table__
    claimed = _claim_step().returning(Attempt.__table__.c.id).cte("claimed")
    row = sa.select(
        claimed.c.id,
        *(sa.bindparam(name, type_=events.c[column].type) for column, name in _EVENT.items()),
    )
    return (
        sa.insert(events)
        .from_select(["attempt_id", *_EVENT], row)
        .add_cte(claimed, nest_here=True)
        # An INSERT's rowcount is kept only when asked for.
        .execution_options(preserve_rowcount=True)
    )


def choose(
    attempt: Attempt, posted_step: int, number: int, reflection: ReflectionInput | None = None
) -> Outcome:
    """Record one choice, and the reflection written at that node.

    The step is claimed first, with ``UPDATE ... WHERE step = ?``: of two requests posting the
    same step, the second waits for the first to finish, claims nothing and writes nothing.
    """
    scenario = scenario_of_attempt(attempt)
    if attempt.status != AttemptStatus.IN_PROGRESS.value or posted_step != attempt.step:
        _save_late_reflection(attempt, posted_step, reflection)
        return Outcome.STALE
    before = attempt.state
    try:
        after = take_choice(scenario, before, number)
    except ChoiceUnavailable:
        return Outcome.UNAVAILABLE
    node = scenario.node(before.node_id)
    choice = node.choices[number - 1]
    now = utcnow()
    finished = scenario.node(after.node_id).is_ending
    variables = dict(after.variables)
    profession = attempt.learner_profession
    if profession is None:  # not loaded by ``queries.recording``: the learner's lock first
        profession = lock_learner(attempt.user_id) or ""
    seconds = max(0, int((now - attempt.node_entered_at).total_seconds()))
    step = {
        "attempt_id": attempt.id,
        "seen": before.step,
        "step": after.step,
        "node_id": after.node_id,
        "variables": variables,
        "now": now,
        "status": (AttemptStatus.COMPLETED if finished else AttemptStatus.IN_PROGRESS).value,
        "completed_at": now if finished else None,
        "from_node": before.node_id,
        "choice_number": number,
        "choice_label": choice.label,
        "seconds_on_node": seconds,
    }
    if db.session.get_bind().dialect.name == "postgresql":  # the claim with the event
        claimed = db.session.execute(_record_event(), step).rowcount
    else:
        claimed = db.session.execute(_claim_step(), step).rowcount
        if claimed == 1:
            db.session.execute(_record_event(), step)
    if claimed != 1:
        return Outcome.STALE
    if reflection is not None:
        _upsert_reflection(attempt, before.step, before.node_id, node.reflect, reflection)
    if not attempt.is_playtest:
        choice_recorded.send(
            current_app._get_current_object(),
            choice=RecordedChoice(
                user_id=attempt.user_id,
                profession=profession or None,
                attempt_id=attempt.id,
                step=after.step,
                version_id=attempt.version_id,
                document_id=attempt.version.document_id,
                node_id=before.node_id,
                choice_number=number,
                choice_label=choice.label,
                seconds=seconds,
                ended_at=after.node_id if finished else None,
            ),
        )
    # Whoever reads the attempt next reads what was written; the page redirects and reads none.
    db.session.expire(attempt)
    return Outcome.RECORDED


def save_reflection(attempt: Attempt, posted_step: int, reflection: ReflectionInput) -> bool:
    """Save (or update) the reflection for the node visited at ``posted_step``.

    Returns False when that visit had no reflection prompt.
    """
    node_id = _node_at_step(attempt, posted_step)
    if node_id is None:
        return False
    prompt = scenario_of_attempt(attempt).node(node_id).reflect
    if not prompt:
        return False
    _upsert_reflection(attempt, posted_step, node_id, prompt, reflection)
    return True


def _save_late_reflection(attempt, posted_step: int, reflection: ReflectionInput | None) -> None:
    """A stale page may still carry words the learner typed: keep them, never lose them."""
    if reflection is not None and reflection.body.strip():
        save_reflection(attempt, posted_step, reflection)


def _node_at_step(attempt: Attempt, step: int) -> str | None:
    if step == attempt.step:
        return attempt.node_id
    for event in attempt.events:
        if event.step == step + 1:
            return event.from_node
    return None


def _reflection_at(attempt: Attempt, step: int) -> Reflection | None:
    """The reflection written at a step: the one at the attempt's own step came with it."""
    if step == attempt.step and "reflection_here" in attempt.__dict__:
        return attempt.reflection_here
    return _stored_reflection(attempt.id, step)


def _stored_reflection(attempt_id: int, step: int) -> Reflection | None:
    return db.session.scalar(
        sa.select(Reflection).where(Reflection.attempt_id == attempt_id, Reflection.step == step)
    )


def _has_answers(reflection: Reflection) -> bool:
    return any(
        db.session.scalar(sa.select(sa.exists().where(model.reflection_id == reflection.id)))
        for model in (ReflectionReply, ReflectionTheme, PeerReview)
    )


@prepared
def _add_reflection(insert) -> sa.Insert:
    """A new reflection for a visit, unless one was saved for it meanwhile (returns its id
    only if it added it)."""
    reflections = Reflection.__table__
    names = ("attempt_id", "user_id", "step", "node_id", "prompt", "body", "visibility")
    return (
        insert(reflections)
        .values(
            {name: sa.bindparam(name) for name in names}
            | {
                "created_at": sa.bindparam("now", type_=UTCDateTime),
                "updated_at": sa.bindparam("now", type_=UTCDateTime),
            }
        )
        .on_conflict_do_nothing(index_elements=["attempt_id", "step"])
        .returning(reflections.c.id)
    )


def _upsert_reflection(attempt, step: int, node_id: str, prompt: str, reflection: ReflectionInput):
    if not prompt:
        return
    existing = _reflection_at(attempt, step)
    body = reflection.body.strip()
    if existing is None:
        if not body:
            return
        added = db.session.execute(
            _add_reflection(),
            {
                "attempt_id": attempt.id,
                "user_id": attempt.user_id,
                "step": step,
                "node_id": node_id,
                "prompt": prompt,
                "body": body,
                "visibility": reflection.visibility.value,
                "now": utcnow(),
            },
        ).scalar()
        if added is not None:
            return
        # A concurrent save of the same visit won the insert: ours becomes an update.
        existing = _stored_reflection(attempt.id, step)
    if not body:
        # Emptying the box withdraws an unanswered reflection; one that a tutor or a peer has
        # already answered keeps its text, so their answers never lose what they answer.
        if not _has_answers(existing):
            db.session.delete(existing)
    else:
        existing.body = body
        existing.visibility = reflection.visibility.value
    db.session.flush()
