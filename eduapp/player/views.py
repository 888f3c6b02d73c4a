"""The learner's side: modules, playing a scenario, and the ending with its path."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.assessments.queries import standing_for_module
from eduapp.content.models import DocumentKind
from eduapp.content.queries import (
    module_of,
    newest_scenario_versions,
    newest_version,
    published_modules,
)
from eduapp.engine import offered_choices
from eduapp.player import services
from eduapp.player.forms import StartForm, StepForm
from eduapp.player.models import Attempt
from eduapp.player.queries import (
    StepAttempt,
    attempts_of,
    how_others_chose,
    node_html,
    progress_by_scenario,
    recording,
    scenario_of_attempt,
    step_page,
)
from eduapp.reflections.models import Visibility
from eduapp.security.access import get_owned_or_404, requires, signed_in
from eduapp.studio.queries import co_author_credits, credit_sentence
from eduapp.tallies.queries import module_progress

bp = Blueprint("player", __name__, template_folder="templates")


@bp.get("/modules")
@signed_in
def modules():
    versions = published_modules()
    parsed = {v.id: module_of(v) for v in versions}
    scenario_versions = newest_scenario_versions(
        [slug for module in parsed.values() for slug in module.scenarios]
    )
    progress = module_progress(
        current_user.id,
        {
            version.document_id: [
                scenario_versions[s].document_id
                for s in parsed[version.id].scenarios
                if s in scenario_versions
            ]
            for version in versions
        },
    )
    rows = [
        {"version": v, "module": parsed[v.id], "progress": progress[v.document_id]}
        for v in versions
    ]
    return render_template(
        "player/modules.html", rows=rows, is_learner=current_user.has_role(Role.LEARNER)
    )


@bp.get("/modules/<slug>")
@signed_in
def module(slug: str):
    version = newest_version(DocumentKind.MODULE, slug) or abort(404)
    parsed = module_of(version)
    scenario_versions = newest_scenario_versions(list(parsed.scenarios))
    progress = progress_by_scenario(current_user.id)
    scenarios = [
        {
            "version": scenario_versions[s],
            "progress": progress.get(scenario_versions[s].document_id),
        }
        for s in parsed.scenarios
        if s in scenario_versions
    ]
    return render_template(
        "player/module.html",
        version=version,
        module=parsed,
        scenarios=scenarios,
        credits=credit_sentence(co_author_credits(version.document_id)),
        start_form=StartForm(),
        can_play=current_user.has_role(Role.LEARNER),
        assessment=standing_for_module(current_user, slug),
    )


@bp.post("/scenarios/<slug>/start")
@requires(Role.LEARNER)
def start(slug: str):
    version = newest_version(DocumentKind.SCENARIO, slug) or abort(404)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    attempt = services.start_attempt(current_user, version, fresh=form.fresh.data)
    return redirect(url_for("player.attempt", attempt_id=attempt.id))


@bp.get("/attempts")
@requires(Role.LEARNER)
def attempts():
    return render_template("player/attempts.html", attempts=attempts_of(current_user.id))


# An attempt is its owner's alone: a learner's play, or an author's playtest of a draft.
@bp.get("/attempts/<int:attempt_id>")
@signed_in
def attempt(attempt_id: int):
    attempt = get_owned_or_404(Attempt, attempt_id, query=step_page())
    scenario = scenario_of_attempt(attempt)
    if attempt.is_completed:
        ending = scenario.node(attempt.node_id)
        return render_template(
            "player/ending.html",
            attempt=attempt,
            scenario=scenario,
            ending=ending,
            body=node_html(attempt, ending.body),
            debrief=node_html(attempt, ending.debrief, 3),
            others=(
                {}
                if attempt.is_playtest
                else how_others_chose(attempt, current_app.config["SMALL_CELL_MINIMUM"])
            ),
            reflections={r.step: r for r in attempt.reflections},
        )
    return _render_step(attempt, scenario, StepForm(formdata=None, step=attempt.step))


@bp.post("/attempts/<int:attempt_id>")
@signed_in
def step(attempt_id: int):
    attempt = get_owned_or_404(Attempt, attempt_id, query=recording())
    form = StepForm()
    if not form.validate_on_submit():
        if attempt.is_completed or form.step.data != attempt.step:
            return redirect(url_for("player.attempt", attempt_id=attempt_id))
        return _render_step(attempt, scenario_of_attempt(attempt), form), 400
    reflection = services.ReflectionInput(
        form.reflection.data or "", Visibility(form.visibility.data)
    )
    if form.choice.data is None:
        if services.save_reflection(attempt, form.step.data, reflection):
            flash("Your reflection is saved.", "success")
        return redirect(url_for("player.attempt", attempt_id=attempt_id))
    outcome = services.choose(attempt, form.step.data, form.choice.data, reflection)
    if outcome is services.Outcome.STALE:
        flash("That step was already recorded, so here is where you are now.", "info")
    elif outcome is services.Outcome.UNAVAILABLE:
        flash("That choice is not available here.", "error")
    return redirect(url_for("player.attempt", attempt_id=attempt_id))


def _render_step(attempt: Attempt | StepAttempt, scenario, form: StepForm):
    node = scenario.node(attempt.node_id)
    reflection = attempt.reflection_here
    if reflection is not None and form.reflection.data is None:
        form.reflection.data = reflection.body
        form.visibility.data = reflection.visibility
    last_event = attempt.arrival
    feedback = None
    if last_event is not None:
        previous = scenario.node(last_event.from_node)
        feedback = {
            "label": last_event.choice_label,
            "text": previous.choices[last_event.choice_number - 1].feedback,
        }
    return render_template(
        "player/step.html",
        attempt=attempt,
        scenario=scenario,
        node=node,
        body=node_html(attempt, node.body),
        form=form,
        choices=offered_choices(scenario, attempt.state),
        feedback=feedback,
        reflection=reflection,
    )
