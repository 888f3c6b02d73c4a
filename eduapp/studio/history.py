"""A draft's past: revision history, diffs, restoring, published versions and the map."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.content.models import DocumentKind
from eduapp.engine import graph_facts
from eduapp.security.access import signed_in
from eduapp.studio import queries
from eduapp.studio.access import load_document, load_revision, load_version, may_edit
from eduapp.studio.diff import compare
from eduapp.studio.errors import Conflict, StudioError
from eduapp.studio.forms import RevisionForm
from eduapp.studio.revisions import restore_revision
from eduapp.studio.scenario_map import MapTooLarge, draw_map

bp = Blueprint("history", __name__, template_folder="templates")


@bp.get("/<kind>/<slug>/history")
@signed_in
def revisions(kind: str, slug: str):
    document, membership = load_document(kind, slug)
    revisions = queries.revisions_of(document)
    published = {v.revision_id: v.number for v in queries.versions_of(document)}
    return render_template(
        "studio/history.html",
        document=document,
        revisions=revisions,
        published=published,
        restore_form=RevisionForm(formdata=None),
        can_edit=may_edit(membership),
    )


@bp.get("/<kind>/<slug>/diff")
@signed_in
def diff(kind: str, slug: str):
    document, _ = load_document(kind, slug)
    latest = queries.latest_revision(document)
    old_number = request.args.get("from", max(1, latest.number - 1), type=int)
    new_number = request.args.get("to", latest.number, type=int)
    old = load_revision(document, old_number)
    new = load_revision(document, new_number)
    return render_template(
        "studio/diff.html",
        document=document,
        old=old,
        new=new,
        comparison=compare(old.source, new.source),
    )


@bp.post("/<kind>/<slug>/restore")
@signed_in
def restore(kind: str, slug: str):
    document, _ = load_document(kind, slug, edit=True)
    form = RevisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        revision = restore_revision(current_user, document, form.revision.data)
    except StudioError as error:
        flash(str(error), "error")
        return redirect(url_for(".revisions", kind=kind, slug=slug))
    except Conflict:
        flash("Someone saved at the same moment; look at the history and try again.", "error")
        return redirect(url_for(".revisions", kind=kind, slug=slug))
    flash(f"Revision {form.revision.data} restored as revision {revision.number}.", "success")
    return redirect(url_for("studio.editor", kind=kind, slug=slug))


@bp.get("/<kind>/<slug>/versions/<int:number>")
@signed_in
def version(kind: str, slug: str, number: int):
    """A published version and what changed since the one before it."""
    document, _ = load_document(kind, slug)
    version = load_version(document, number)
    previous = queries.version_by_number(document, number - 1)
    return render_template(
        "studio/version.html",
        document=document,
        version=version,
        previous=previous,
        comparison=compare(previous.source, version.source) if previous else None,
    )


@bp.get("/<kind>/<slug>/map")
@signed_in
def scenario_map(kind: str, slug: str):
    document, _ = load_document(kind, slug)
    if document.kind != DocumentKind.SCENARIO.value:
        abort(404)
    latest = queries.latest_revision(document)
    draft = queries.draft_of(latest)
    layout = None
    too_large = False
    if draft.model is not None:
        try:
            layout = draw_map(draft.model)
        except MapTooLarge:
            too_large = True
    return render_template(
        "studio/map.html",
        document=document,
        latest=latest,
        draft=draft,
        layout=layout,
        too_large=too_large,
        facts=graph_facts(draft.model) if draft.model else None,
        node_url=lambda node_id: url_for("studio.editor", kind=kind, slug=slug, node=node_id),
    )
