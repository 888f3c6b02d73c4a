"""The tutor's side of cohorts: create, invite, set modules, and read how the cohort is doing."""

from datetime import UTC, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.assessments.queries import cohort_assessment_results
from eduapp.cohorts import services
from eduapp.cohorts.access import load_taught_cohort
from eduapp.cohorts.dashboard import assigned_modules, module_summaries, progress_page
from eduapp.cohorts.forms import (
    ActionForm,
    AssignModuleForm,
    CohortForm,
    CoTutorForm,
    InviteLearnersForm,
)
from eduapp.cohorts.queries import cohorts_taught_by, invites_of
from eduapp.content.models import Document, DocumentKind
from eduapp.content.queries import published_modules
from eduapp.extensions import db
from eduapp.reflections.queries import waiting_reflection_counts
from eduapp.security.access import requires

bp = Blueprint("cohorts", __name__, template_folder="templates")
TEACHERS = (Role.TUTOR, Role.ADMIN)


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


@bp.get("/<int:cohort_id>")
@requires(*TEACHERS)
def dashboard(cohort_id: int):
    cohort = load_taught_cohort(cohort_id)
    modules = assigned_modules(cohort)
    # First: it may have to count a module again, and commit, before the page is read.
    summaries = module_summaries(cohort, modules)
    pagination, rows = progress_page(cohort, modules, request.args.get("page", 1, type=int))
    assign_form = AssignModuleForm(formdata=None)
    assign_form.module.choices = [(v.document_id, v.title) for v in published_modules()]
    return render_template(
        "cohorts/dashboard.html",
        cohort=cohort,
        modules=modules,
        summaries=summaries,
        pagination=pagination,
        rows=rows,
        invites=invites_of(cohort),
        invite_form=InviteLearnersForm(formdata=None),
        tutor_form=CoTutorForm(formdata=None),
        assign_form=assign_form,
        action_form=ActionForm(),
        # Counted for the learners on this page only, so the page costs the same at any size.
        waiting=waiting_reflection_counts(cohort, [row.member.user_id for row in rows]),
        results=cohort_assessment_results(cohort, [row.member.user_id for row in rows]),
    )


def _back(cohort_id: int, anchor: str = ""):
    return redirect(url_for(".dashboard", cohort_id=cohort_id) + anchor)


@bp.post("/<int:cohort_id>/invite")
@requires(*TEACHERS)
def invite(cohort_id: int):
    cohort = load_taught_cohort(cohort_id)
    form = InviteLearnersForm()
    if form.validate_on_submit():
        added, refused = services.invite_emails(cohort, form.emails.data)
        flash(
            f"{len(added)} learner(s) invited. Each sees the invitation on signing in, once "
            "they have confirmed that the address is theirs.",
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
            flash(str(error), "error")
        else:
            flash(f"{user.display_name} now teaches this cohort too.", "success")
    return _back(cohort.id, "#people")


@bp.post("/<int:cohort_id>/modules")
@requires(*TEACHERS)
def assign(cohort_id: int):
    cohort = load_taught_cohort(cohort_id)
    form = AssignModuleForm()
    form.module.choices = [(str(v.document_id), v.title) for v in published_modules()]
    document = None
    if form.validate_on_submit() and (form.module.data or "").isdigit():
        document = db.session.get(Document, int(form.module.data))
    if document is None or document.kind != DocumentKind.MODULE.value:
        flash("Choose a published module.", "error")
        return _back(cohort.id, "#modules")
    due_at = datetime.combine(form.due.data, time(23, 59), tzinfo=UTC) if form.due.data else None
    services.assign_module(cohort, document, due_at)
    flash("Module set for the cohort.", "success")
    return _back(cohort.id, "#modules")


@bp.post("/<int:cohort_id>/modules/<int:document_id>/remove")
@requires(*TEACHERS)
def unassign(cohort_id: int, document_id: int):
    cohort = load_taught_cohort(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.unassign_module(cohort, document_id)
    return _back(cohort.id, "#modules")


@bp.post("/<int:cohort_id>/code")
@requires(*TEACHERS)
def renew_code(cohort_id: int):
    cohort = load_taught_cohort(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    code = services.renew_join_code(cohort)
    flash(f"New join code: {code}. The old one no longer works.", "success")
    return _back(cohort.id)
