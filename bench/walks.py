"""A learner's play for the generator: random walks through the engine, reflections on the way,
and assessment attempts for the scenarios they finished. Rows are appended to a batch."""

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from eduapp.accounts.models import User
from eduapp.assessments.models import AssessmentAnswer, AssessmentAttempt
from eduapp.engine import offered_choices, start_state, take_choice
from eduapp.player.models import Attempt, AttemptStatus, ChoiceEvent
from eduapp.reflections.models import Reflection, Visibility

#: The cohort begins here; everything generated is dated after it.
BEGINNING = datetime(2026, 9, 1, tzinfo=UTC)


def play(
    batch,
    course,
    rng: random.Random,
    user_id: int,
    next_id: Callable[[], int],
    wanted: int,
    tutor_id: int,
) -> list[str]:
    """Random walks through the engine until ``wanted`` choices are recorded.

    Returns the slugs of the scenarios the learner finished, in the order first finished.
    """
    index, taken, finished_slugs = rng.randrange(2), 0, []
    now = batch.rows[User][-1]["created_at"] + timedelta(hours=rng.randrange(1, 48))
    while taken < wanted:
        slug, version_id, scenario = course.scenarios[index % len(course.scenarios)]
        attempt_id, started = next_id(), now
        state = start_state(scenario)
        while taken < wanted and not scenario.node(state.node_id).is_ending:
            node = scenario.node(state.node_id)
            seconds = int(rng.lognormvariate(3.5, 0.8))
            if node.reflect and rng.random() < 0.3:
                reflect(batch, rng, attempt_id, user_id, state, node, now, tutor_id)
            offered = offered_choices(scenario, state)
            pick = rng.choice(offered)
            after = take_choice(scenario, state, pick.number)
            now += timedelta(seconds=seconds)
            batch.rows[ChoiceEvent].append(
                {
                    "attempt_id": attempt_id,
                    "step": after.step,
                    "from_node": state.node_id,
                    "choice_number": pick.number,
                    "choice_label": pick.choice.label,
                    "to_node": after.node_id,
                    "variables_after": dict(after.variables),
                    "seconds_on_node": seconds,
                    "created_at": now,
                }
            )
            state, taken = after, taken + 1
        finished = scenario.node(state.node_id).is_ending
        batch.rows[Attempt].append(
            {
                "id": attempt_id,
                "user_id": user_id,
                "version_id": version_id,
                "revision_id": None,
                "status": (
                    AttemptStatus.COMPLETED if finished else AttemptStatus.IN_PROGRESS
                ).value,
                "node_id": state.node_id,
                "variables": dict(state.variables),
                "step": state.step,
                "is_playtest": False,
                "started_at": started,
                "node_entered_at": now,
                "completed_at": now if finished else None,
            }
        )
        if finished:
            batch.completed.append(attempt_id)
            if slug not in finished_slugs:
                finished_slugs.append(slug)
        # Most learners move on; some play the same scenario again.
        index += 0 if rng.random() < 0.2 else 1
        now += timedelta(hours=rng.randrange(1, 72))
    return finished_slugs


def reflect(batch, rng, attempt_id, user_id, state, node, now, tutor_id) -> None:
    shared = rng.random() < 0.5
    batch.rows[Reflection].append(
        {
            "attempt_id": attempt_id,
            "user_id": user_id,
            "step": state.step,
            "node_id": node.id,
            "prompt": node.reflect,
            "body": f"Thinking about {node.title}: what I noticed, and what I would do next time.",
            "visibility": (Visibility.TUTORS if shared else Visibility.PRIVATE).value,
            "created_at": now,
            "updated_at": now,
        }
    )
    if shared and rng.random() < 0.4:
        reply = {"author_id": tutor_id, "body": "Thank you: say more?", "created_at": now}
        batch.replies.append({"attempt_id": attempt_id, "step": state.step, "reply": reply})


def assess(
    batch, course, rng: random.Random, user_id: int, finished: list[str], next_id: Callable[[], int]
) -> None:
    """One submitted assessment per finished scenario, most of the time; some wait for a mark."""
    for slug in finished:
        if slug not in course.assessments or rng.random() < 0.3:
            continue
        version_id, text_question = course.assessments[slug]
        attempt_id, points = next_id(), rng.randrange(11)
        waiting = text_question is not None and rng.random() < 0.1
        submitted = BEGINNING + timedelta(days=rng.randrange(1, 60))
        batch.rows[AssessmentAttempt].append(
            {
                "id": attempt_id,
                "user_id": user_id,
                "version_id": version_id,
                "number": 1,
                "started_at": submitted - timedelta(minutes=20),
                "submitted_at": submitted,
                "points": None if waiting else float(points),
                "max_points": 10.0,
                "is_passed": None if waiting else points >= 6,
            }
        )
        if waiting:
            batch.rows[AssessmentAnswer].append(
                {
                    "attempt_id": attempt_id,
                    "question_id": text_question,
                    "answer": "What I would say to the patient, and why.",
                    "points": None,
                    "max_points": 4.0,
                    "needs_marking": True,
                }
            )
