"""The tallies listen to the domains they count. Each event is counted by a synchronous
receiver, in the transaction that records what it tells, so a count never disagrees with what
it counts: if the request rolls back, so does its count.

The domains never import the tallies; the tallies import the domains' signals and models.
``connect(app)`` is called once per app, from ``create_app``.
"""

from flask import Flask

from eduapp.accounts import signals as accounts
from eduapp.cohorts import signals as cohorts
from eduapp.content import signals as content
from eduapp.player import signals as player
from eduapp.tallies import progress, services


def _attempt_started(_app, *, user_id: int, document_id: int) -> None:
    services.attempt_started(user_id, document_id)


def _choice_recorded(_app, *, choice: player.RecordedChoice) -> None:
    services.count_choice(choice)


def _membership_changing(_app, *, user_id: int, cohort_id: int) -> None:
    # The learner's row lock comes before the membership row: the order that keeps a recount's
    # table locks from deadlocking with a join or a leave (progress.py).
    services.lock_learner(user_id)


def _learner_joined(_app, *, user_id: int, cohort_id: int) -> None:
    services.learner_joined(user_id, cohort_id)


def _learner_left(_app, *, user_id: int, cohort_id: int) -> None:
    services.learner_left(user_id, cohort_id)


def _profession_changing(_app, *, user_id: int, profession: str | None) -> None:
    services.profession_changing(user_id, profession)


def _module_scenarios_changed(_app, *, modules: dict[int, list[int]]) -> None:
    progress.ensure_counted(modules)


RECEIVERS = (
    (player.attempt_started, _attempt_started),
    (player.choice_recorded, _choice_recorded),
    (cohorts.membership_changing, _membership_changing),
    (cohorts.learner_joined, _learner_joined),
    (cohorts.learner_left, _learner_left),
    (accounts.profession_changing, _profession_changing),
    (content.module_scenarios_changed, _module_scenarios_changed),
)


def connect(app: Flask) -> None:
    """Count what this app's domains tell."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, sender=app)
