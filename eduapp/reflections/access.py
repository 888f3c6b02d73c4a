"""Loading reflections and peer reviews for the current user: anything they may not read is a
logged 404."""

import logging

from flask import abort
from flask_login import current_user

from eduapp.extensions import db
from eduapp.reflections.models import PeerReviewAllocation, Reflection, Visibility
from eduapp.reflections.queries import reflection_of_allocation, shared_reflection_for
from eduapp.security.access import get_owned_or_404

log = logging.getLogger("eduapp.access")


def load_shared_reflection(reflection_id: int) -> Reflection:
    """The reflection, if its author shared it with tutors and the current user teaches them."""
    reflection = shared_reflection_for(current_user, reflection_id)
    if reflection is None:
        if db.session.get(Reflection, reflection_id) is not None:
            log.warning("refused: reflection %s is not shared with this tutor", reflection_id)
        abort(404)
    return reflection


def load_own_reflection(reflection_id: int) -> Reflection:
    """The current user's own reflection, unless it was written in a playtest (a learner's
    reflections are those of their play of the course)."""
    reflection = get_owned_or_404(Reflection, reflection_id)
    if reflection.attempt.is_playtest:
        log.warning("refused: reflection %s was written in a playtest", reflection_id)
        abort(404)
    return reflection


def load_own_allocation(allocation_id: int) -> tuple[PeerReviewAllocation, Reflection]:
    """The current user's peer-review allocation and the reflection it reviews, while its author
    still shares it: made private again, it is withdrawn from review."""
    allocation = get_owned_or_404(PeerReviewAllocation, allocation_id, owner_attr="reviewer_id")
    reflection = reflection_of_allocation(allocation)
    if reflection.visibility != Visibility.TUTORS.value:
        log.info("refused: reflection %s was withdrawn from peer review", reflection.id)
        abort(404)
    return allocation, reflection
