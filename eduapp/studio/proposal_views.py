"""The way to learners: proposing a published scenario to a module (from the scenario's
editor), and the module's co-authors accepting or declining (on the module's editor)."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user

from eduapp.content.models import DocumentKind
from eduapp.security.access import signed_in
from eduapp.studio import proposals, queries
from eduapp.studio.access import load_document, load_proposal
from eduapp.studio.errors import StudioError
from eduapp.studio.forms import ActionForm
from eduapp.studio.pages import editor_page, reach_of
from eduapp.studio.review_forms import ProposalForm

bp = Blueprint("proposals", __name__, template_folder="templates")


@bp.app_context_processor
def scenario_reach() -> dict:
    """``scenario_reach(document)`` for the version page: where learners find a scenario."""
    return {"scenario_reach": reach_of}


@bp.post("/scenario/<slug>/proposals")
@signed_in
def propose(slug: str):
    """Propose the scenario to a module; a refused proposal comes back on the editor."""
    document, membership = load_document(DocumentKind.SCENARIO.value, slug, edit=True)
    form = ProposalForm(modules=queries.proposable_modules(document))
    if form.validate_on_submit():
        try:
            proposal = proposals.propose(current_user, document, form.module.data, form.note.data)
        except StudioError as error:
            form.module.errors = [*form.module.errors, str(error)]
        else:
            if proposal.revision_id is not None:
                flash(
                    "The module's draft lists the scenario now; it reaches learners once the "
                    "module is signed off and published.",
                    "success",
                )
            else:
                flash("Proposed: the module's co-authors are asked to accept it.", "success")
            return redirect(url_for("studio.editor", kind="scenario", slug=slug) + "#reach")
    return editor_page(document, membership, status=400, proposal_form=form)


@bp.post("/module/<slug>/proposals/<int:proposal_id>/accept")
@signed_in
def accept(slug: str, proposal_id: int):
    return _decide(slug, proposal_id, proposals.accept, "Accepted: the draft lists it now.")


@bp.post("/module/<slug>/proposals/<int:proposal_id>/decline")
@signed_in
def decline(slug: str, proposal_id: int):
    return _decide(slug, proposal_id, proposals.decline, "Declined; the proposer is told.")


def _decide(slug: str, proposal_id: int, decide, done: str):
    module, _ = load_document(DocumentKind.MODULE.value, slug, edit=True)
    proposal = load_proposal(module, proposal_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        decide(current_user, proposal)
    except StudioError as error:
        flash(str(error), "error")
    else:
        flash(done, "success")
    return redirect(url_for("studio.editor", kind="module", slug=slug) + "#proposals")
