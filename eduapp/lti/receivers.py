"""What LTI listens to: finished scenarios and scored assessments become grades on their way
to the LMS (eduapp/lti/scores.py), in the transaction of what they report.

A choice that does not end its attempt costs nothing here, not even a query: the play step is
every learner's every click.
"""

from flask import Flask

from eduapp.assessments import signals as assessments
from eduapp.lti import scores
from eduapp.player import signals as player


def _choice_recorded(_app, *, choice: player.RecordedChoice) -> None:
    if choice.ended_at is None:
        return
    scores.scenario_finished(choice.user_id, choice.document_id)


def _assessment_scored(_app, *, user_id: int, document_id: int, **_score) -> None:
    # The best of the learner's attempts counts, not only this one: scores.assessment_grade.
    scores.assessment_scored(user_id, document_id)


RECEIVERS = (
    (player.choice_recorded, _choice_recorded),
    (assessments.assessment_scored, _assessment_scored),
)


def connect(app: Flask) -> None:
    """Subscribe to the domains' events, for this app."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, sender=app)
