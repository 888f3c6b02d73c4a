"""The co-authoring studio: drafts, the editor, forms, live checks and previews."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.security.access import requires, signed_in
from eduapp.studio import publishing, queries, revisions, structured_edits
from eduapp.studio.access import load_document, may_edit, may_manage
from eduapp.studio.diff import compare
from eduapp.studio.drafts import Draft, is_losslessly_editable, read_draft
from eduapp.studio.errors import Conflict, StudioError
from eduapp.studio.forms import (
    ActionForm,
    ChoiceForm,
    InviteForm,
    ModuleForm,
    NewDocumentForm,
    NodeForm,
    ReviewForm,
    RevisionForm,
    SourceForm,
    VariableForm,
)

bp = Blueprint("studio", __name__, template_folder="templates")
AUTHOR_ROLES = (Role.PATIENT_EDUCATOR, Role.TUTOR, Role.ADMIN)


@bp.get("/")
@signed_in
def index():
    every = current_user.has_role(Role.ADMIN) and request.args.get("all") == "1"
    return render_template(
        "studio/index.html",
        rows=queries.documents_for(current_user, every=every),
        form=NewDocumentForm(formdata=None),
        can_create=current_user.has_role(*AUTHOR_ROLES),
        every=every,
    )


@bp.post("/new")
@requires(*AUTHOR_ROLES)
def create():
    form = NewDocumentForm()
    if form.validate_on_submit():
        try:
            document = revisions.create_document(
                current_user, form.kind.data, form.slug.data, form.title.data, form.credit.data
            )
        except StudioError as error:
            form.slug.errors.append(str(error))
        else:
            return redirect(url_for(".editor", kind=document.kind, slug=document.slug))
    rows = queries.documents_for(current_user)
    return render_template(
        "studio/index.html", rows=rows, form=form, can_create=True, every=False
    ), 400


@bp.get("/<kind>/<slug>")
@signed_in
def editor(kind: str, slug: str):
    document, membership = load_document(kind, slug)
    latest = queries.latest_revision(document)
    return _render_editor(
        document,
        membership,
        latest,
        SourceForm(formdata=None, base=latest.number, source=latest.source),
    )


def _render_editor(document, membership, latest, source_form, status=200, **forms):
    draft = queries.draft_of(latest)
    node_ids = list(draft.section_titles)
    forms.setdefault("node_form", NodeForm(formdata=None, base=latest.number))
    choice_form = forms.setdefault("choice_form", ChoiceForm(formdata=None, base=latest.number))
    choice_form.from_node.choices = node_ids
    choice_form.target.choices = node_ids
    forms.setdefault("variable_form", VariableForm(formdata=None, base=latest.number))
    if document.kind == DocumentKind.MODULE.value and draft.model is not None:
        forms.setdefault("module_form", ModuleForm.for_module(draft.model, latest.number))
    return render_template(
        "studio/editor.html",
        document=document,
        membership=membership,
        latest=latest,
        draft=draft,
        can_manage=may_manage(membership),
        source_form=source_form,
        focus=_focus(draft, request.args.get("node")),
        can_edit=may_edit(membership),
        forms_usable=is_losslessly_editable(draft),
        author=latest.author_name,
        members=queries.members_of(document),
        invite_form=InviteForm(formdata=None),
        status=queries.publish_status(document, latest),
        review_form=ReviewForm(formdata=None, revision=latest.number),
        revision_form=RevisionForm(formdata=None, revision=latest.number),
        action_form=ActionForm(),
        open_comments=queries.open_comment_count(document),
        versions=queries.versions_of(document),
        **forms,
    ), status


def _focus(draft: Draft, asked: str | None) -> str | None:
    """The node (or question) the preview shows: the one asked for, else the start, else the
    first."""
    ids = list(draft.section_titles)
    for candidate in (asked, getattr(draft.model, "start", None), *ids[:1]):
        if candidate in ids:
            return candidate
    return None


@bp.post("/<kind>/<slug>/save")
@signed_in
def save(kind: str, slug: str):
    document, membership = load_document(kind, slug, edit=True)
    form = SourceForm()
    if not form.validate_on_submit():
        latest = queries.latest_revision(document)
        return _render_editor(document, membership, latest, form, status=400)
    try:
        revisions.save_source(
            current_user, document, form.base.data, form.source.data, form.message.data
        )
    except Conflict as conflict:
        return _render_conflict(document, conflict, form.message.data)
    flash("Saved.", "success")
    return redirect(url_for(".editor", kind=kind, slug=slug))


def _render_conflict(document, conflict: Conflict, message: str):
    return render_template(
        "studio/conflict.html",
        document=document,
        conflict=conflict,
        comparison=compare(conflict.latest.source, conflict.submitted),
        form=SourceForm(
            formdata=None, base=conflict.latest.number, source=conflict.submitted, message=message
        ),
        author=conflict.latest.author_name,
    ), 409


@bp.post("/<kind>/<slug>/check")
@signed_in
def check(kind: str, slug: str):
    """Live validation while typing: the checker's file:line messages for the text sent."""
    document, _ = load_document(kind, slug)
    source = request.form.get("source", "")[:1_000_000]
    draft = read_draft(DocumentKind(document.kind), document.slug, source.replace("\r\n", "\n"))
    return jsonify(problems=[{"line": p.line, "message": p.message} for p in draft.problems])


@bp.post("/<kind>/<slug>/preview")
@signed_in
def preview(kind: str, slug: str):
    """The node being edited, rendered as a learner would see it (sanitized on the server)."""
    document, _ = load_document(kind, slug)
    source = request.form.get("source", "")[:1_000_000].replace("\r\n", "\n")
    draft = read_draft(DocumentKind(document.kind), document.slug, source)
    html = render_template("studio/_preview.html", draft=draft, node_id=request.form.get("node"))
    return jsonify(html=html)


def _edit_with(form, kind, slug, edit):
    """Validate a structured form and ``edit(document)`` the draft with it as a new revision, or
    show the editor again with why not."""
    document, membership = load_document(kind, slug, edit=True)
    if form.validate_on_submit():
        try:
            edit(document)
        except Conflict as conflict:
            return _render_conflict(document, conflict, "")
        except StudioError as error:
            flash(str(error), "error")
        else:
            flash("Saved as a new revision.", "success")
            return redirect(url_for(".editor", kind=kind, slug=slug))
    latest = queries.latest_revision(document)
    source_form = SourceForm(formdata=None, base=latest.number, source=latest.source)
    name = {
        NodeForm: "node_form",
        ChoiceForm: "choice_form",
        VariableForm: "variable_form",
        ModuleForm: "module_form",
    }[type(form)]
    return _render_editor(document, membership, latest, source_form, 400, **{name: form})


@bp.post("/<kind>/<slug>/nodes")
@signed_in
def add_node(kind: str, slug: str):
    form = NodeForm()
    return _edit_with(
        form,
        kind,
        slug,
        lambda document: structured_edits.add_node(
            current_user, document, form.base.data, form.node()
        ),
    )


@bp.post("/<kind>/<slug>/choices")
@signed_in
def add_choice(kind: str, slug: str):
    form = ChoiceForm()
    return _edit_with(
        form,
        kind,
        slug,
        lambda document: structured_edits.add_choice(
            current_user, document, form.base.data, form.from_node.data, form.choice()
        ),
    )


@bp.post("/<kind>/<slug>/variables")
@signed_in
def add_variable(kind: str, slug: str):
    form = VariableForm()
    return _edit_with(
        form,
        kind,
        slug,
        lambda document: structured_edits.add_variable(
            current_user, document, form.base.data, form.variable()
        ),
    )


@bp.post("/<kind>/<slug>/module")
@signed_in
def save_module_form(kind: str, slug: str):
    form = ModuleForm()
    return _edit_with(
        form,
        kind,
        slug,
        lambda document: structured_edits.save_module(
            current_user, document, form.base.data, form.module_fields()
        ),
    )


@bp.post("/<kind>/<slug>/playtest")
@signed_in
def playtest(kind: str, slug: str):
    document, _ = load_document(kind, slug, edit=True)
    if document.kind != DocumentKind.SCENARIO.value or not ActionForm().validate_on_submit():
        abort(400)
    try:
        attempt = publishing.start_playtest(current_user, document)
    except StudioError as error:
        flash(str(error), "error")
        return redirect(url_for(".editor", kind=kind, slug=slug))
    return redirect(url_for("player.attempt", attempt_id=attempt.id))
