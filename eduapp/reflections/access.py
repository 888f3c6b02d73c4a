"""Loading a shared reflection for a tutor: anything they may not read is a logged 404."""

import logging

from flask import abort
from flask_login import current_user

from eduapp.extensions import db
from eduapp.player.models import Reflection
from eduapp.reflections.queries import shared_reflection_for

log = logging.getLogger("eduapp.access")


def load_shared_reflection(reflection_id: int) -> Reflection:
    """The reflection, if its author shared it with tutors and the current user teaches them."""
    reflection = shared_reflection_for(current_user, reflection_id)
    if reflection is None:
        if db.session.get(Reflection, reflection_id) is not None:
            log.warning("refused: reflection %s is not shared with this tutor", reflection_id)
        abort(404)
    return reflection
