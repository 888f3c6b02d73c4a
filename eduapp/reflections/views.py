"""Shared reflections: the tutor's queue and replies, the learner's view, anonymous peer review."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.reflections import queries, services
from eduapp.reflections.access import (
    load_own_allocation,
    load_own_reflection,
    load_shared_reflection,
)
from eduapp.reflections.forms import (
    OpenPeerReviewForm,
    PeerReviewForm,
    QueueFilterForm,
    ReplyForm,
    ThemesForm,
    VisibilityForm,
)
from eduapp.reflections.models import Reflection, Visibility
from eduapp.security.access import requires

bp = Blueprint("reflections", __name__, template_folder="templates")


# The tutor's side ----------------------------------------------------------------------------
@bp.get("/reflections/queue")
@requires(Role.TUTOR)
def queue():
    options = queries.queue_options(current_user)
    form = QueueFilterForm(request.args)
    form.set_choices(options.cohorts, options.modules, options.scenarios, options.nodes)
    valid = form.validate()
    page = None
    if valid:
        filters = queries.QueueFilters(
            waiting_only=form.status.data != "all",
            cohort_id=int(form.cohort.data) if form.cohort.data else None,
            scenario_slugs=_scenario_slugs(options, form),
            node_id=form.node.data or None,
            profession=form.profession.data or None,
        )
        page = queries.queue_page(current_user, filters, request.args.get("page", 1, type=int))
    filter_args = {k: v for k, v in request.args.items() if k != "page" and k in form}
    return render_template(
        "reflections/queue.html",
        form=form,
        page=page,
        details=queries.details_for(page.items) if page else None,
        filter_args=filter_args,
        has_cohorts=bool(options.cohorts),
    )


def _scenario_slugs(options: queries.QueueOptions, form: QueueFilterForm):
    slugs = None
    if form.module.data:
        slugs = set(options.scenarios_of_module(form.module.data))
    if form.scenario.data:
        slugs = {form.scenario.data} & slugs if slugs is not None else {form.scenario.data}
    return tuple(sorted(slugs)) if slugs is not None else None


@bp.get("/reflections/<int:reflection_id>")
@requires(Role.TUTOR)
def reflection(reflection_id: int):
    reflection = load_shared_reflection(reflection_id)
    return _render_reflection(reflection, ReplyForm(formdata=None))


def _render_reflection(
    reflection: Reflection,
    reply_form: ReplyForm,
    status: int = 200,
    themes_form: ThemesForm | None = None,
):
    details = queries.details_for([reflection])
    if themes_form is None:
        themes_form = ThemesForm(formdata=None, themes=details.themes[reflection.id])
    themes_form.themes.choices = queries.theme_names()
    open_form = OpenPeerReviewForm(formdata=None)
    cohorts = queries.peer_review_cohorts(current_user, reflection)
    open_form.cohort.choices = [(c.id, c.name) for c in cohorts]
    page = render_template(
        "reflections/reflection.html",
        reflection=reflection,
        details=details,
        reply_form=reply_form,
        themes_form=themes_form,
        open_form=open_form,
        peer_reviews=queries.peer_reviews_of(reflection),
        cohort_names={c.id: c.name for c in cohorts},
    )
    return page, status


@bp.post("/reflections/<int:reflection_id>/replies")
@requires(Role.TUTOR)
def reply(reflection_id: int):
    reflection = load_shared_reflection(reflection_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _render_reflection(reflection, form, 400)
    services.reply(current_user, reflection, form.body.data)
    flash("Your reply is sent; the learner is notified.", "success")
    return redirect(url_for("reflections.reflection", reflection_id=reflection.id))


@bp.post("/reflections/<int:reflection_id>/themes")
@requires(Role.TUTOR)
def themes(reflection_id: int):
    reflection = load_shared_reflection(reflection_id)
    form = ThemesForm()
    if form.validate_on_submit():
        try:
            services.set_themes(
                current_user, reflection, form.themes.data or [], form.new_theme.data or ""
            )
        except services.ReflectionError as error:
            form.new_theme.errors.append(str(error))
        else:
            flash("Themes saved.", "success")
            return redirect(url_for("reflections.reflection", reflection_id=reflection.id))
    return _render_reflection(reflection, ReplyForm(formdata=None), 400, themes_form=form)


@bp.post("/reflections/<int:reflection_id>/peer-review")
@requires(Role.TUTOR)
def open_peer_review(reflection_id: int):
    reflection = load_shared_reflection(reflection_id)
    form = OpenPeerReviewForm()
    form.cohort.choices = [
        (c.id, c.name) for c in queries.peer_review_cohorts(current_user, reflection)
    ]
    if not form.validate_on_submit():
        flash("Choose a cohort you teach that the author belongs to.", "error")
    else:
        try:
            review = services.open_peer_review(current_user, reflection, form.cohort.data)
        except services.ReflectionError as error:
            flash(str(error), "error")
        else:
            drawn = len(review.allocations)
            flash(
                f"Opened for peer review: {drawn} reviewer{'' if drawn == 1 else 's'} drawn.",
                "success",
            )
    return redirect(url_for("reflections.reflection", reflection_id=reflection.id))


# The learner's side --------------------------------------------------------------------------
@bp.get("/my/reflections")
@requires(Role.LEARNER)
def my_reflections():
    page = queries.learner_reflections_page(current_user, request.args.get("page", 1, type=int))
    return render_template(
        "reflections/my_reflections.html",
        page=page,
        details=queries.details_for(page.items, with_reviews=True),
        forms={r.id: _visibility_form(r) for r in page.items},
        rubric=services.RUBRIC,
    )


@bp.get("/my/reflections/<int:reflection_id>")
@requires(Role.LEARNER)
def my_reflection(reflection_id: int):
    reflection = load_own_reflection(reflection_id)
    return render_template(
        "reflections/my_reflection.html",
        reflection=reflection,
        details=queries.details_for([reflection], with_reviews=True),
        form=_visibility_form(reflection),
        rubric=services.RUBRIC,
    )


def _visibility_form(reflection: Reflection) -> VisibilityForm:
    return VisibilityForm(formdata=None, visibility=reflection.visibility)


@bp.post("/my/reflections/<int:reflection_id>/visibility")
@requires(Role.LEARNER)
def set_visibility(reflection_id: int):
    reflection = load_own_reflection(reflection_id)
    form = VisibilityForm()
    if not form.validate_on_submit():
        abort(400)
    services.change_visibility(reflection, Visibility(form.visibility.data))
    flash(f"Visible to: {reflection.visibility_label}.", "success")
    return redirect(url_for("reflections.my_reflection", reflection_id=reflection.id))


# Peer review ---------------------------------------------------------------------------------
@bp.get("/peer-reviews")
@requires(Role.LEARNER)
def peer_reviews():
    return render_template(
        "reflections/peer_reviews.html", allocations=queries.allocations_of(current_user)
    )


@bp.get("/peer-reviews/<int:allocation_id>")
@requires(Role.LEARNER)
def peer_review(allocation_id: int):
    allocation, reflection = load_own_allocation(allocation_id)
    return _render_peer_review(allocation, reflection, PeerReviewForm(formdata=None))


def _render_peer_review(allocation, reflection, form: PeerReviewForm, status: int = 200):
    page = render_template(
        "reflections/peer_review.html",
        allocation=allocation,
        reflection=reflection,
        form=form,
        rubric=services.RUBRIC,
        scenario_title=queries.scenario_title(reflection),
    )
    return page, status


@bp.post("/peer-reviews/<int:allocation_id>")
@requires(Role.LEARNER)
def submit_peer_review(allocation_id: int):
    allocation, reflection = load_own_allocation(allocation_id)
    if allocation.submitted_at is not None:
        flash("You have submitted this review already; it cannot be changed.", "info")
        return redirect(url_for("reflections.peer_review", allocation_id=allocation.id))
    form = PeerReviewForm()
    if not form.validate_on_submit():
        return _render_peer_review(allocation, reflection, form, 400)
    if services.submit_peer_review(allocation, form.scores(), form.comment.data):
        flash("Thank you: your review is sent to the author, without your name.", "success")
    else:
        flash("You have submitted this review already; it cannot be changed.", "info")
    return redirect(url_for("reflections.peer_review", allocation_id=allocation.id))
