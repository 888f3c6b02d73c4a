"""A learner's side of cohorts: joining with a code or by invitation, and leaving.

The forms are on My learning (mydata); every answer goes back there. A code that joins nothing
shows that page again, with the message beside what was typed (400).
"""

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.cohorts import services
from eduapp.cohorts.access import load_joined_cohort, load_own_invitation
from eduapp.cohorts.forms import EXPIRED, ActionForm, JoinCodeForm
from eduapp.mydata.pages import learning_page
from eduapp.security.access import requires

bp = Blueprint("membership", __name__)


def _back_to_learning():
    return redirect(url_for("mydata.learning"))


@bp.post("/my/cohorts/join")
@requires(Role.LEARNER)
def join_with_code():
    form = JoinCodeForm()
    if form.validate_on_submit():
        try:
            cohort = services.join_with_code(current_user, form.code.data)
        except services.CohortError as error:
            form.code.errors.append(str(error))
        else:
            flash(f"You joined {cohort.name}.", "success")
            return _back_to_learning()
    return learning_page(form, 400)


@bp.post("/my/invitations/<int:invite_id>/join")
@requires(Role.LEARNER)
def join_invited(invite_id: int):
    invite = load_own_invitation(invite_id)
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
    else:
        cohort = services.join(current_user, invite.cohort)
        flash(f"You joined {cohort.name}.", "success")
    return _back_to_learning()


@bp.post("/my/cohorts/<int:cohort_id>/leave")
@requires(Role.LEARNER)
def leave(cohort_id: int):
    cohort = load_joined_cohort(cohort_id)
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
    else:
        services.leave(current_user, cohort)
        flash(f"You left {cohort.name}. Your attempts and reflections stay yours.", "info")
    return _back_to_learning()
