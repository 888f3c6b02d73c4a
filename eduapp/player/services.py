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
from eduapp.content.models import Version
from eduapp.content.queries import scenario_of
from eduapp.engine import ChoiceUnavailable, State, take_choice
from eduapp.extensions import db, utcnow
from eduapp.player.models import Attempt, AttemptStatus, ChoiceEvent, Reflection, Visibility
from eduapp.player.queries import scenario_of_attempt, unfinished_attempt
from eduapp.player.signals import RecordedChoice, attempt_started, choice_recorded
from eduapp.reflections.models import PeerReview, ReflectionReply, ReflectionTheme


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
    if unfinished is not None:
        unfinished.status = AttemptStatus.ABANDONED.value
    attempt = Attempt.at_start(scenario_of(version), user_id=user.id, version=version)
    db.session.add(attempt)
    db.session.flush()
    attempt_started.send(
        current_app._get_current_object(), user_id=user.id, document_id=version.document_id
    )
    return attempt


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
    claimed = db.session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.step == before.step)
        .values(
            step=after.step,
            node_id=after.node_id,
            variables=dict(after.variables),
            node_entered_at=now,
            status=(AttemptStatus.COMPLETED if finished else AttemptStatus.IN_PROGRESS).value,
            completed_at=now if finished else None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return Outcome.STALE
    if reflection is not None:
        _upsert_reflection(attempt, before.step, before.node_id, node.reflect, reflection)
    seconds = max(0, int((now - attempt.node_entered_at).total_seconds()))
    first_in_attempt = not _took_before(attempt, before.node_id, number)
    _record_event(attempt, before, after, number, choice.label, seconds)
    if not attempt.is_playtest:
        choice_recorded.send(
            current_app._get_current_object(),
            choice=RecordedChoice(
                user_id=attempt.user_id,
                version_id=attempt.version_id,
                document_id=attempt.version.document_id,
                node_id=before.node_id,
                choice_number=number,
                choice_label=choice.label,
                seconds=seconds,
                first_in_attempt=first_in_attempt,
                ended_at=after.node_id if finished else None,
            ),
        )
    # Whoever reads the attempt next reads what was written; the page redirects and reads none.
    db.session.expire(attempt)
    return Outcome.RECORDED


def _took_before(attempt: Attempt, node_id: str, number: int) -> bool:
    """Whether the attempt took this choice here before. Its loaded events are all of them:
    the step was claimed unchanged, so no event was recorded since they were read."""
    return any(e.from_node == node_id and e.choice_number == number for e in attempt.events)


def _record_event(attempt, before: State, after: State, number: int, label: str, seconds: int):
    db.session.add(
        ChoiceEvent(
            attempt_id=attempt.id,
            step=after.step,
            from_node=before.node_id,
            choice_number=number,
            choice_label=label,
            to_node=after.node_id,
            variables_after=dict(after.variables),
            seconds_on_node=seconds,
        )
    )
    db.session.flush()


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


def _has_answers(reflection: Reflection) -> bool:
    return any(
        db.session.scalar(sa.select(sa.exists().where(model.reflection_id == reflection.id)))
        for model in (ReflectionReply, ReflectionTheme, PeerReview)
    )


def _upsert_reflection(attempt, step: int, node_id: str, prompt: str, reflection: ReflectionInput):
    if not prompt:
        return
    existing = db.session.scalar(
        sa.select(Reflection).where(Reflection.attempt_id == attempt.id, Reflection.step == step)
    )
    body = reflection.body.strip()
    if existing is None:
        if not body:
            return
        try:
            with db.session.begin_nested():
                db.session.add(
                    Reflection(
                        attempt_id=attempt.id,
                        user_id=attempt.user_id,
                        step=step,
                        node_id=node_id,
                        prompt=prompt,
                        body=body,
                        visibility=reflection.visibility.value,
                    )
                )
        except sa.exc.IntegrityError:
            # A concurrent save of the same visit won the insert: ours becomes an update.
            _upsert_reflection(attempt, step, node_id, prompt, reflection)
        return
    if not body:
        # Emptying the box withdraws an unanswered reflection; one that a tutor or a peer has
        # already answered keeps its text, so their answers never lose what they answer.
        if not _has_answers(existing):
            db.session.delete(existing)
    else:
        existing.body = body
        existing.visibility = reflection.visibility.value
    db.session.flush()
