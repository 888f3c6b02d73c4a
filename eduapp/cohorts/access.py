"""Loading cohorts and what hangs on them for the current user: a cohort for its tutors, a
scenario set for it, an invitation for its addressee, a membership for its learner. Anything else
is a 404, as if it did not exist, logged when it is someone else's."""

import logging

from flask import abort
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.cohorts.dashboard import assigned_modules
from eduapp.cohorts.models import Cohort, CohortInvite
from eduapp.cohorts.queries import invite_for, is_member_of, is_tutor_of
from eduapp.content.models import DocumentKind, Version
from eduapp.content.queries import newest_version, scenario_of
from eduapp.engine import Scenario
from eduapp.extensions import db

log = logging.getLogger("eduapp.access")

#: Who reads cohorts: their tutors, and admins (who see every cohort).
TEACHERS = (Role.TUTOR, Role.ADMIN)


def load_taught_cohort(cohort_id: int) -> Cohort:
    """The cohort, if the current user teaches it (admins see every cohort)."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        abort(404)
    if not (is_tutor_of(current_user, cohort.id) or current_user.has_role(Role.ADMIN)):
        log.warning("refused: cohort %s is not taught by this user", cohort_id)
        abort(404)
    return cohort


def load_cohort_scenario(cohort: Cohort, slug: str) -> tuple[Version, Scenario]:
    """The newest version of a scenario of a module set for this (loaded) cohort, parsed."""
    slugs = {s for module in assigned_modules(cohort) for _, s, _ in module.scenarios}
    version = newest_version(DocumentKind.SCENARIO, slug) if slug in slugs else None
    if version is None:
        abort(404)
    return version, scenario_of(version)


def load_own_invitation(invite_id: int) -> CohortInvite:
    """An invitation sent to the current user's address, once they confirmed it is theirs."""
    invite = invite_for(current_user, invite_id)
    if invite is None:
        log.warning("refused: cohort invitation %s is not for this user", invite_id)
        abort(404)
    return invite


def load_joined_cohort(cohort_id: int) -> Cohort:
    """A cohort the current user belongs to."""
    if not is_member_of(current_user, cohort_id):
        log.warning("refused: user is not a member of cohort %s", cohort_id)
        abort(404)
    return db.session.get(Cohort, cohort_id)
