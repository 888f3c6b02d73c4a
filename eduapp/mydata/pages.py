"""The My learning page, built in one place: for its own view, and again by a cohort join that
failed (``cohorts.membership_views``), so the message shows beside what the learner typed."""

from flask import render_template
from flask_login import current_user

from eduapp.cohorts.forms import JoinCodeForm
from eduapp.cohorts.queries import (
    cohorts_of_learner,
    invites_await_confirmation,
    pending_invites_for,
)
from eduapp.mydata import queries
from eduapp.player.queries import attempts_of


def learning_page(join_form: JoinCodeForm | None = None, status: int = 200):
    """The current learner's page, with ``join_form`` (sent back to correct) or a blank one."""
    page = render_template(
        "mydata/learning.html",
        learning=queries.module_status_for(current_user),
        cohorts=cohorts_of_learner(current_user),
        invites=pending_invites_for(current_user),
        invites_await_confirmation=invites_await_confirmation(current_user),
        attempts=attempts_of(current_user.id),
        assessments=queries.assessment_results(current_user),
        join_form=join_form or JoinCodeForm(formdata=None),
    )
    return page, status
