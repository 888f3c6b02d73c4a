"""The learner's own pages: My learning, joining cohorts, My data, and admins' erasure page."""

import logging

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import Cohort
from eduapp.cohorts.queries import (
    cohorts_of_learner,
    invite_for,
    invites_await_confirmation,
    is_member_of,
    pending_invites_for,
)
from eduapp.csv_export import csv_response
from eduapp.extensions import db, utcnow
from eduapp.mydata import export, queries, services
from eduapp.mydata.forms import (
    ButtonForm,
    CarryOutErasureForm,
    ErasureRequestForm,
    JoinCodeForm,
)
from eduapp.mydata.models import ErasureRequest
from eduapp.player.queries import attempts_of
from eduapp.security.access import requires, signed_in

bp = Blueprint("mydata", __name__, template_folder="templates")
log = logging.getLogger("eduapp.access")


def _learning_page(join_form: JoinCodeForm, status: int = 200):
    page = render_template(
        "mydata/learning.html",
        learning=queries.module_status_for(current_user),
        cohorts=cohorts_of_learner(current_user),
        invites=pending_invites_for(current_user),
        invites_await_confirmation=invites_await_confirmation(current_user),
        attempts=attempts_of(current_user.id),
        assessments=queries.assessment_results(current_user),
        join_form=join_form,
        button=ButtonForm(),
    )
    return page, status


@bp.get("/my/learning")
@requires(Role.LEARNER)
def learning():
    return _learning_page(JoinCodeForm(formdata=None))


@bp.post("/my/cohorts/join")
@requires(Role.LEARNER)
def join_with_code():
    form = JoinCodeForm()
    if form.validate_on_submit():
        try:
            cohort = cohorts.join_with_code(current_user, form.code.data)
        except cohorts.CohortError as error:
            form.code.errors.append(str(error))
        else:
            flash(f"You joined {cohort.name}.", "success")
            return redirect(url_for("mydata.learning"))
    return _learning_page(form, 400)


@bp.post("/my/invitations/<int:invite_id>/join")
@requires(Role.LEARNER)
def join_invited(invite_id: int):
    invite = invite_for(current_user, invite_id)
    if invite is None:
        log.warning("refused: cohort invitation %s is not for this user", invite_id)
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    cohort = cohorts.join(current_user, invite.cohort)
    flash(f"You joined {cohort.name}.", "success")
    return redirect(url_for("mydata.learning"))


@bp.post("/my/cohorts/<int:cohort_id>/leave")
@requires(Role.LEARNER)
def leave(cohort_id: int):
    if not is_member_of(current_user, cohort_id):
        log.warning("refused: user is not a member of cohort %s", cohort_id)
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    cohort = db.session.get(Cohort, cohort_id)
    cohorts.leave(current_user, cohort)
    flash(f"You left {cohort.name}. Your attempts and reflections stay yours.", "info")
    return redirect(url_for("mydata.learning"))


def _data_page(form: ErasureRequestForm, status: int = 200):
    page = render_template(
        "mydata/data.html",
        pending=queries.pending_erasure_request(current_user),
        form=form,
        can_request=current_user.has_role(Role.LEARNER),
    )
    return page, status


# Any signed-in user may see and download their own data; erasure is for learners' accounts.
@bp.get("/my/data")
@signed_in
def data():
    return _data_page(ErasureRequestForm(formdata=None))


@bp.post("/my/data")
@requires(Role.LEARNER)
def request_erasure():
    form = ErasureRequestForm()
    if not form.validate_on_submit():
        return _data_page(form, 400)
    if services.request_erasure(current_user):
        flash("Your request is recorded. An administrator will carry it out.", "success")
    else:
        flash("You asked already; your request is waiting for an administrator.", "info")
    return redirect(url_for("mydata.data"))


def _filename(stem: str, extension: str) -> str:
    return f"eduapp-{stem}-{utcnow():%Y-%m-%d}.{extension}"


@bp.get("/my/data/export")
@signed_in
def export_json():
    response = Response(export.export_json(current_user), mimetype="application/json")
    filename = _filename("my-data", "json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/my/data/<any(choices, reflections):kind>.csv")
@signed_in
def export_csv(kind: str):
    if kind == "choices":
        header, rows = export.CHOICE_HEADER, export.choice_rows(current_user)
    else:
        header, rows = export.REFLECTION_HEADER, export.reflection_rows(current_user)
    return csv_response(_filename(f"my-{kind}", "csv"), header, rows)


@bp.get("/admin/erasure")
@requires(Role.ADMIN)
def erasure_requests():
    pending = queries.pending_erasure_requests()
    return render_template(
        "mydata/erasure.html",
        pending=pending,
        forms={r.id: CarryOutErasureForm(formdata=None, prefix=f"r{r.id}") for r in pending},
        done=queries.carried_out_erasures(),
    )


@bp.post("/admin/erasure/<int:request_id>")
@requires(Role.ADMIN)
def carry_out_erasure(request_id: int):
    erasure = db.get_or_404(ErasureRequest, request_id)
    form = CarryOutErasureForm(prefix=f"r{erasure.id}")
    if erasure.carried_out_at is not None:
        flash("That request was carried out already.", "info")
    elif not form.validate_on_submit():
        flash("Tick “I have checked this request” to erase the account.", "error")
    else:
        try:
            services.erase_learner(erasure.user, current_user)
        except services.ErasureError as error:
            flash(str(error), "error")
        else:
            flash(f"Account {erasure.user_id} is erased.", "success")
    return redirect(url_for("mydata.erasure_requests"))
