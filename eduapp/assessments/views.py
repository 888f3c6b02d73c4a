"""Assessments: learners take a module's assessment; tutors mark free-text answers."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.assessments import queries, services
from eduapp.assessments.access import load_answer_to_mark
from eduapp.assessments.forms import (
    CONCORDANCE_CHOICES,
    AnswerSheetForm,
    MarkForm,
    QueueFilterForm,
    StartForm,
    field_name,
    read_answers,
    unanswered,
    within_rubric,
)
from eduapp.assessments.models import AssessmentAttempt
from eduapp.cohorts.queries import cohorts_taught_by
from eduapp.security.access import get_owned_or_404, requires, signed_in
from eduapp.transaction import commit_despite_status

bp = Blueprint("assessments", __name__, template_folder="templates")
bp.add_app_template_global(CONCORDANCE_CHOICES, "concordance_choices")


@bp.app_template_filter("score_number")
def score_number(value: float | None) -> str:
    """1.0 as "1", 1.6 as "1.6", 0.8333 as "0.83": points as people write them."""
    return "" if value is None else f"{round(value, 2):g}"


@bp.get("/marking")
@requires(Role.TUTOR)
def marking_queue():
    form = QueueFilterForm(request.args)
    cohorts = cohorts_taught_by(current_user)
    modules = queries.assessments_with_modules()
    form.cohort.choices = [("", "All my cohorts")] + [(str(c.id), c.name) for c in cohorts]
    form.module.choices = [("", "All modules")] + [(v.slug, title) for v, title in modules]
    cohort_id = next((c.id for c in cohorts if str(c.id) == form.cohort.data), None)
    document_id = next((v.document_id for v, _ in modules if v.slug == form.module.data), None)
    page = queries.marking_page(
        current_user,
        request.args.get("page", 1, type=int),
        cohort_id=cohort_id,
        document_id=document_id,
    )
    return render_template(
        "assessments/queue.html",
        form=form,
        page=page,
        rows=queries.with_questions(page.items),
        # The pager's links keep the filters as they were asked for.
        filter_args={name: form[name].data for name in ("cohort", "module") if form[name].data},
    )


@bp.get("/marking/<int:answer_id>")
@requires(Role.TUTOR)
def mark(answer_id: int):
    answer = load_answer_to_mark(answer_id)
    return _render_mark(answer, _mark_form(answer, formdata=None))


@bp.post("/marking/<int:answer_id>")
@requires(Role.TUTOR)
def save_mark(answer_id: int):
    answer = load_answer_to_mark(answer_id)
    form = _mark_form(answer)
    if form.validate_on_submit() and within_rubric(form, queries.question_of(answer).rubric):
        try:
            services.mark_answer(
                current_user,
                answer,
                [entry.data for entry in form.points],
                form.feedback.data or "",
                url_for(".attempt", attempt_id=answer.attempt_id),
            )
        except services.AssessmentError as error:
            flash(str(error), "error")
        else:
            flash(f"Marked {answer.attempt.user.display_name}'s answer.", "success")
            return redirect(url_for(".marking_queue"))
    return _render_mark(answer, form), 400


def _mark_form(answer, **kwargs) -> MarkForm:
    given = answer.rubric_points or {}
    rubric = queries.question_of(answer).rubric
    points = [given.get(str(index)) for index in range(len(rubric))]
    return MarkForm(points=points, feedback=answer.tutor_feedback, **kwargs)


def _render_mark(answer, form: MarkForm):
    return render_template(
        "assessments/mark.html",
        answer=answer,
        attempt=answer.attempt,
        learner=answer.attempt.user,
        assessment=queries.assessment_of_attempt(answer.attempt),
        question=queries.question_of(answer),
        form=form,
    )


@bp.get("/attempts/<int:attempt_id>")
@signed_in
def attempt(attempt_id: int):
    attempt = get_owned_or_404(AssessmentAttempt, attempt_id)
    if attempt.submitted_at is None:
        saved = {row.question_id: row.answer for row in attempt.answers}
        return _render_sheet(attempt, AnswerSheetForm(formdata=None), saved, {})
    return render_template(
        "assessments/result.html",
        attempt=attempt,
        assessment=queries.assessment_of_attempt(attempt),
        reviews=queries.attempt_review(attempt),
        # What the learner may do next depends on the newest version, not this attempt's.
        standing=queries.standing(current_user.id, queries.newest_of(attempt.version)),
    )


@bp.post("/attempts/<int:attempt_id>")
@signed_in
def answer(attempt_id: int):
    attempt = get_owned_or_404(AssessmentAttempt, attempt_id)
    form = AnswerSheetForm()
    if not form.validate_on_submit():
        abort(400)
    if attempt.submitted_at is not None:
        flash("Your answers were already submitted; here is your result.", "info")
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    assessment = queries.assessment_of_attempt(attempt)
    answers, errors = read_answers(assessment, request.form)
    if errors:
        return _render_sheet(attempt, form, answers, errors), 400
    missing = unanswered(assessment, answers) if form.submit.data else []
    if missing:
        services.save_draft(attempt, answers)
        errors = {question_id: "Answer this question before you submit." for question_id in missing}
        page = _render_sheet(attempt, form, answers, errors, saved=True)
        commit_despite_status()  # what was written is kept, though the form comes back
        return page, 400
    if not form.submit.data:
        services.save_draft(attempt, answers)
        flash("Your answers are saved. Come back to finish and submit them.", "success")
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    if not services.submit(attempt, answers):
        flash("Your answers were already submitted; here is your result.", "info")
    return redirect(url_for(".attempt", attempt_id=attempt.id))


def _render_sheet(attempt, form, answers: dict, errors: dict, *, saved: bool = False):
    return render_template(
        "assessments/take.html",
        attempt=attempt,
        assessment=queries.assessment_of_attempt(attempt),
        form=form,
        answers=answers,
        errors=errors,
        saved=saved,
        field_name=field_name,
    )


@bp.get("/<slug>")
@signed_in
def overview(slug: str):
    version, assessment = queries.assessment_by_slug(slug) or abort(404)
    return render_template(
        "assessments/overview.html",
        standing=queries.standing(current_user.id, version),
        attempts=queries.submitted_attempts(current_user.id, version.document_id),
        module=queries.module_of_assessment(assessment),
        start_form=StartForm(),
        can_take=current_user.has_role(Role.LEARNER),
    )


@bp.post("/<slug>/start")
@requires(Role.LEARNER)
def start(slug: str):
    version, _ = queries.assessment_by_slug(slug) or abort(404)
    if not StartForm().validate_on_submit():
        abort(400)
    try:
        attempt = services.start_attempt(current_user, version)
    except services.AssessmentError as error:
        flash(str(error), "error")
        return redirect(url_for(".overview", slug=slug))
    return redirect(url_for(".attempt", attempt_id=attempt.id))
