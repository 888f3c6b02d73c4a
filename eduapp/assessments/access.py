"""Loading an answer for marking: only a tutor of a cohort the learner belongs to may; anyone
else gets a logged 404, as if it did not exist."""

import logging

from flask import abort
from flask_login import current_user

from eduapp.assessments.models import AssessmentAnswer
from eduapp.cohorts.queries import teaches_learner
from eduapp.extensions import db

log = logging.getLogger("eduapp.access")


def load_answer_to_mark(answer_id: int) -> AssessmentAnswer:
    """A submitted free-text answer of a learner the current user teaches."""
    answer = db.session.get(AssessmentAnswer, answer_id)
    # Only free-text answers are marked: waiting for a mark, or marked already (to correct it).
    is_markable = answer is not None and (answer.needs_marking or answer.rubric_points is not None)
    if not is_markable or answer.attempt.submitted_at is None:
        abort(404)
    if not teaches_learner(current_user, answer.attempt.user_id):
        log.warning("refused: answer %s is by a learner this tutor does not teach", answer_id)
        abort(404)
    return answer
