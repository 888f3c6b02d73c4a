"""A cohort's LMS course: its tutors sync the roster from the LMS (eduapp/lti/roster.py).

The cohort dashboard shows the course (``lms_course_of``, a template global) with its last sync
and the button; what a sync did, or why it could not, comes back there as a message.
"""

from flask import Blueprint, abort, flash, redirect, url_for

from eduapp.cohorts.access import TEACHERS, load_taught_cohort
from eduapp.cohorts.forms import EXPIRED, ActionForm
from eduapp.lti import roster
from eduapp.lti.models import Context
from eduapp.lti.queries import context_of_cohort
from eduapp.security.access import requires

bp = Blueprint("lti_roster", __name__, url_prefix="/lti/cohorts")


def lms_course_of(cohort_id: int) -> Context | None:
    """The LMS course a cohort came from, with its platform; None for a cohort made in
    eduapp. A template global: the cohort dashboard's "Course in ..." section."""
    return context_of_cohort(cohort_id)


def load_rostered_course(cohort_id: int) -> Context:
    """The LMS course of a cohort the current user teaches, if its LMS shares the roster;
    anything else is a 404."""
    cohort = load_taught_cohort(cohort_id)
    context = context_of_cohort(cohort.id)
    if context is None or not context.memberships_url:
        abort(404)
    return context


@bp.post("/<int:cohort_id>/roster")
@requires(*TEACHERS)
def sync(cohort_id: int):
    context = load_rostered_course(cohort_id)
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
    else:
        try:
            result = roster.sync_roster(context)
        except roster.RosterError as error:
            flash(error.message, "error")
        else:
            flash(result.summary(context.platform.name), "success")
    # The top of the dashboard: the message, then the course section just below it.
    return redirect(url_for("cohorts.dashboard", cohort_id=cohort_id))
