"""Loading a cohort for its tutors: anyone else gets a logged 404, as if it did not exist."""

import logging

from flask import abort
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.cohorts.models import Cohort
from eduapp.cohorts.queries import is_tutor_of
from eduapp.extensions import db

log = logging.getLogger("eduapp.access")


def load_taught_cohort(cohort_id: int) -> Cohort:
    """The cohort, if the current user teaches it (admins see every cohort)."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        abort(404)
    if not (is_tutor_of(current_user, cohort.id) or current_user.has_role(Role.ADMIN)):
        log.warning("refused: cohort %s is not taught by this user", cohort_id)
        abort(404)
    return cohort
