"""Merging co-authors' saves: the conflict page and its choices, and restoring one node.

The conflict page answers a save (HTTP 409) only when both saves changed the same part; what
merged is merged already, and each clash needs its own explicit choice before anything is saved.
"""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from eduapp.content.models import DocumentKind
from eduapp.security.access import signed_in
from eduapp.studio import queries, revisions
from eduapp.studio.access import allow_a_whole_source, load_document, load_revision, may_edit
from eduapp.studio.diff import compare
from eduapp.studio.errors import Conflict, StudioError
from eduapp.studio.forms import MAX_SOURCE_CHARS, MergeForm, NodeRestoreForm
from eduapp.studio.merge import node_parts

bp = Blueprint("merge", __name__, template_folder="templates")
CHOICES = ("mine", "theirs", "edit")
#: Nodes the restore page lists at most: each comes with a comparison.
MAX_LISTED_NODES = 200


@bp.url_value_preprocessor
def _allow_a_whole_source(endpoint: str | None, _values) -> None:
    """The conflict page sends back the whole text that was being saved: let its form field
    fill a request of MAX_SOURCE_REQUEST_BYTES, as the editor's save may (studio.views)."""
    if endpoint == "merge.resolve":
        allow_a_whole_source()


def render_merge_page(document, conflict: Conflict, message: str, *, status=409, **kept):
    """The conflict page for ``conflict``; ``kept`` holds choices, edits and errors already
    posted, by conflict number, so a page shown again loses nothing."""
    merge = conflict.merge
    base = conflict.base if conflict.base is not None else conflict.latest.number
    if merge is None:
        merge = revisions.merge_with_newest(document, base, conflict.latest, conflict.submitted)
    form = MergeForm(
        formdata=None,
        base=base,
        theirs=conflict.latest.number,
        source=conflict.submitted,
        message=message,
    )
    return render_template(
        "studio/merge.html",
        document=document,
        conflict=conflict,
        merge=merge,
        form=form,
        author=conflict.latest.author_name,
        noun=revisions.NOUNS[DocumentKind(document.kind)],
        choices=kept.get("choices", {}),
        edits=kept.get("edits", {}),
        errors=kept.get("errors", {}),
    ), status


@bp.post("/<kind>/<slug>/merge")
@signed_in
def resolve(kind: str, slug: str):
    """Save the choices made on the conflict page on top of the newer revision."""
    document, _ = load_document(kind, slug, edit=True)
    form = MergeForm()
    if not form.validate_on_submit():
        abort(400)
    theirs = load_revision(document, form.theirs.data)
    mine = (form.source.data or "").replace("\r\n", "\n")
    merge = revisions.merge_with_newest(document, form.base.data, theirs, mine)
    choices, edits, errors, resolved = {}, {}, {}, {}
    for index, clash in enumerate(merge.clashes):
        choice = request.form.get(f"choice-{index}", "")
        edit = request.form.get(f"edit-{index}", "")[:MAX_SOURCE_CHARS].replace("\r\n", "\n")
        choices[index], edits[index] = choice, edit
        if request.form.get(f"key-{index}") != clash.key:
            errors[index] = "This conflict was not on the page you sent; choose again."
        elif choice not in CHOICES:
            errors[index] = "Choose what to keep here: yours, theirs, or your own edit."
        else:
            resolved[clash.key] = {"mine": clash.mine, "theirs": clash.theirs, "edit": edit}[choice]
    if errors:
        conflict = Conflict(
            theirs,
            mine,
            f"{len(errors)} of the conflicts below still need a choice. Nothing was saved yet.",
            base=form.base.data,
            merge=merge,
        )
        return render_merge_page(
            document,
            conflict,
            form.message.data,
            status=400,
            choices=choices,
            edits=edits,
            errors=errors,
        )
    try:
        saved = revisions.save_resolved(
            current_user,
            document,
            form.base.data,
            theirs,
            mine,
            resolved,
            form.message.data,
        )
    except Conflict as conflict:  # yet another save changed the same part meanwhile
        return render_merge_page(document, conflict, form.message.data)
    if saved.merged_with is not None and saved.merged_with.number != theirs.number:
        flash(
            f"Saved as revision {saved.revision.number}, with your choices and "
            f"{saved.merged_with.author_name}'s revision {saved.merged_with.number}, saved "
            "meanwhile: everyone's changes are kept.",
            "success",
        )
    else:
        flash(f"Saved as revision {saved.revision.number}, with your choices.", "success")
    return redirect(url_for("studio.editor", kind=kind, slug=slug))


@bp.get("/<kind>/<slug>/revisions/<int:number>/nodes")
@signed_in
def revision_nodes(kind: str, slug: str, number: int):
    """The nodes of revision ``number`` that differ from the newest revision, to restore one."""
    document, membership = load_document(kind, slug)
    old = load_revision(document, number)
    latest = queries.latest_revision(document)
    noun = revisions.NOUNS[DocumentKind(document.kind)]
    old_parts = node_parts(old.source, noun)
    new_parts = node_parts(latest.source, noun) or {}
    rows = []
    for node_id, part in (old_parts or {}).items():
        now = new_parts.get(node_id)
        if now is None or now.lines != part.lines:
            old_text = "\n".join(part.lines)
            rows.append(
                {
                    "id": node_id,
                    "label": part.label,
                    "is_gone": now is None,
                    "comparison": compare("\n".join(now.lines) if now else "", old_text),
                }
            )
    return render_template(
        "studio/revision_nodes.html",
        document=document,
        old=old,
        latest=latest,
        noun=noun,
        rows=rows[:MAX_LISTED_NODES],
        more=max(0, len(rows) - MAX_LISTED_NODES),
        readable=old_parts is not None,
        form=NodeRestoreForm(formdata=None, revision=number),
        can_edit=may_edit(membership),
    )


@bp.post("/<kind>/<slug>/restore-node")
@signed_in
def restore_node(kind: str, slug: str):
    document, _ = load_document(kind, slug, edit=True)
    form = NodeRestoreForm()
    if not form.validate_on_submit():
        abort(400)
    number, node_id = form.revision.data, form.node.data
    back = url_for(".revision_nodes", kind=kind, slug=slug, number=number)
    try:
        revision = revisions.restore_node(current_user, document, number, node_id)
    except StudioError as error:
        flash(str(error), "error")
        return redirect(back)
    except Conflict:
        flash("Someone saved at the same moment; look at the list again and retry.", "error")
        return redirect(back)
    noun = revisions.NOUNS[DocumentKind(document.kind)]
    flash(
        f"The {noun} '{node_id}' is back as revision {number} had it, in revision "
        f"{revision.number}. Choices that point to it or from it were not changed.",
        "success",
    )
    return redirect(url_for("studio.editor", kind=kind, slug=slug, node=node_id))
