"""The tutor's side of cohorts: create, invite, set modules, and read how the cohort is doing.

A form sent with something to correct comes back on the dashboard with the message beside the
field and what was typed (400); buttons come back to the dashboard with a message.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.assessments.queries import cohort_assessment_results
from eduapp.cohorts import services
from eduapp.cohorts.access import TEACHERS, load_taught_cohort
from eduapp.cohorts.dashboard import assigned_modules, module_summaries, progress_page
from eduapp.cohorts.forms import (
    EXPIRED,
    ActionForm,
    AssignModuleForm,
    CohortForm,
    CoTutorForm,
    InviteLearnersForm,
)
from eduapp.cohorts.models import Cohort
from eduapp.cohorts.queries import cohorts_taught_by, invites_of
from eduapp.reflections.queries import waiting_reflection_counts
from eduapp.security.access import requires

bp = Blueprint("cohorts", __name__, template_folder="templates")


@bp.get("/")
@requires(*TEACHERS)
def index():
    return render_template(
        "cohorts/index.html",
        cohorts=cohorts_taught_by(current_user),
        form=CohortForm(formdata=None),
    )


@bp.post("/new")
@requires(*TEACHERS)
def create():
    form = CohortForm()
    if not form.validate_on_submit():
        return render_template(
            "cohorts/index.html", cohorts=cohorts_taught_by(current_user), form=form
        ), 400
    cohort = services.create_cohort(current_user, form.name.data)
    flash(f"Cohort created. Share the join code {cohort.join_code} with your learners.", "success")
    return redirect(url_for(".dashboard", cohort_id=cohort.id))


def _dashboard_page(
    cohort: Cohort,
    *,
    invite_form: InviteLearnersForm | None = None,
    tutor_form: CoTutorForm | None = None,
    assign_form: AssignModuleForm | None = None,
    status: int = 200,
):
    """The dashboard, with a form sent back to correct (and its errors) in place of a blank one."""
    modules = assigned_modules(cohort)
    pagination, rows = progress_page(cohort, modules, request.args.get("page", 1, type=int))
    learner_ids = [row.member.user_id for row in rows]
    page = render_template(
        "cohorts/dashboard.html",
        cohort=cohort,
        modules=modules,
        summaries=module_summaries(cohort, modules),
        pagination=pagination,
        rows=rows,
        invites=invites_of(cohort),
        invite_form=invite_form or InviteLearnersForm(formdata=None),
        tutor_form=tutor_form or CoTutorForm(formdata=None),
        assign_form=assign_form or AssignModuleForm(formdata=None),
        action_form=ActionForm(),
        # Counted for the learners on this page only, so the page costs the same at any size.
        waiting=waiting_reflection_counts(cohort, learner_ids),
        results=cohort_assessment_results(cohort, learner_ids),
    )
    return page, status


@bp.get("/<int:cohort_id>")
@requires(*TEACHERS)
def dashboard(cohort_id: int):
    return _dashboard_page(load_taught_cohort(cohort_id))


def _back(cohort_id: int, anchor: str = ""):
    return redirect(url_for(".dashboard", cohort_id=cohort_id) + anchor)


@bp.post("/<int:cohort_id>/invite")
@requires(*TEACHERS)
def invite(cohort_id: int):
    cohort = load_taught_cohort(cohort_id)
    form = InviteLearnersForm()
    if not form.validate_on_submit():
        return _dashboard_page(cohort, invite_form=form, status=400)
    added, refused = services.invite_emails(cohort, form.emails.data, current_user)
    flash(
        f"{len(added)} learner(s) invited and told by e-mail. Each sees the invitation on "
        "signing in, once they have confirmed that the address is theirs.",
        "success",
    )
    if refused:
        flash("Not e-mail addresses: " + ", ".join(refused), "error")
    return _back(cohort.id, "#people")


@bp.post("/<int:cohort_id>/tutors")
@requires(*TEACHERS)
def add_tutor(cohort_id: int):
    cohort = load_taught_cohort(cohort_id)
    form = CoTutorForm()
    if form.validate_on_submit():
        try:
            user = services.add_co_tutor(cohort, form.email.data)
        except services.CohortError as error:
            form.email.errors.append(str(error))
        else:
            flash(f"{user.display_name} now teaches this cohort too.", "success")
            return _back(cohort.id, "#people")
    return _dashboard_page(cohort, tutor_form=form, status=400)


@bp.post("/<int:cohort_id>/modules")
@requires(*TEACHERS)
def assign(cohort_id: int):
    cohort = load_taught_cohort(cohort_id)
    form = AssignModuleForm()
    if not form.validate_on_submit():
        return _dashboard_page(cohort, assign_form=form, status=400)
    services.set_module(cohort, form.module.data, form.due.data)
    flash("Module set for the cohort.", "success")
    return _back(cohort.id, "#modules")


@bp.post("/<int:cohort_id>/modules/<int:document_id>/remove")
@requires(*TEACHERS)
def unassign(cohort_id: int, document_id: int):
    cohort = load_taught_cohort(cohort_id)
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
    elif services.unassign_module(cohort, document_id):
        flash("Module removed from the cohort.", "success")
    else:
        flash("That module is not set for this cohort (any more).", "info")
    return _back(cohort.id, "#modules")


@bp.post("/<int:cohort_id>/code")
@requires(*TEACHERS)
def renew_code(cohort_id: int):
    cohort = load_taught_cohort(cohort_id)
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
    else:
        code = services.renew_join_code(cohort)
        flash(f"New join code: {code}. The old one no longer works.", "success")
    return _back(cohort.id)
