"""The co-authoring studio: drafts, the editor, forms, live checks and previews."""

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.security.access import requires, signed_in
from eduapp.studio import publishing, queries, revisions, structured_edits
from eduapp.studio.access import allow_a_whole_source, load_document
from eduapp.studio.drafts import read_draft
from eduapp.studio.errors import Conflict, FieldError, StudioError
from eduapp.studio.forms import (
    MAX_SOURCE_CHARS,
    ActionForm,
    ChoiceForm,
    ModuleForm,
    NewDocumentForm,
    NodeForm,
    SourceForm,
    VariableForm,
)
from eduapp.studio.merge_views import render_merge_page
from eduapp.studio.pages import editor_page
from eduapp.studio.source_lines import parts_at_lines

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
    return editor_page(document, membership, latest, source_form, status, **forms)


@bp.post("/<kind>/<slug>/save")
@signed_in
def save(kind: str, slug: str):
    document, membership = load_document(kind, slug, edit=True)
    form = SourceForm()
    if not form.validate_on_submit():
        latest = queries.latest_revision(document)
        return _render_editor(document, membership, latest, form, status=400)
    try:
        saved = revisions.save_merging(
            current_user, document, form.base.data, form.source.data, form.message.data
        )
    except Conflict as conflict:
        return render_merge_page(document, conflict, form.message.data)
    if saved.merged_with is not None:
        other = saved.merged_with
        flash(
            f"Saved. {other.author_name} saved revision {other.number} while you were editing; "
            f"it changed other parts, so both changes are kept in revision "
            f"{saved.revision.number}.",
            "success",
        )
    else:
        flash("Saved.", "success")
    return redirect(url_for(".editor", kind=kind, slug=slug))


#: Views that receive a whole draft as one form field: it may fill a request of
#: MAX_SOURCE_REQUEST_BYTES, not only the 500 KB Flask allows a field by default.
WHOLE_SOURCE_VIEWS = frozenset({"studio.check", "studio.preview", "studio.save"})


@bp.url_value_preprocessor
def _allow_a_whole_source(endpoint: str | None, _values) -> None:
    """Raise this request's form-field limit for a view of WHOLE_SOURCE_VIEWS. A URL value
    preprocessor, because Flask runs those before every before_request function, and the CSRF
    check (one of those) is the first to read the form."""
    if endpoint in WHOLE_SOURCE_VIEWS:
        allow_a_whole_source()


@bp.post("/<kind>/<slug>/check")
@signed_in
def check(kind: str, slug: str):
    """Live validation while typing: the checker's file:line messages for the text sent, up to
    the whole request's size (WHOLE_SOURCE_VIEWS); a larger request is a 413 that studio.js
    shows as "checks out of date"."""
    document, _ = load_document(kind, slug)
    source = request.form.get("source", "")[: MAX_SOURCE_CHARS + 1].replace("\r\n", "\n")
    draft = read_draft(DocumentKind(document.kind), document.slug, source)
    # Each problem names the node its line is in, so the list can say where without a count.
    parts = parts_at_lines(source, (p.line for p in draft.problems))
    return jsonify(
        problems=[
            {"line": p.line, "message": p.message, "node": parts.get(p.line)}
            for p in draft.problems
        ]
    )


@bp.post("/<kind>/<slug>/preview")
@signed_in
def preview(kind: str, slug: str):
    """The node being edited, rendered as a learner would see it (sanitized on the server)."""
    document, _ = load_document(kind, slug)
    source = request.form.get("source", "")[: MAX_SOURCE_CHARS + 1].replace("\r\n", "\n")
    draft = read_draft(DocumentKind(document.kind), document.slug, source)
    html = render_template("studio/_preview.html", draft=draft, node_id=request.form.get("node"))
    return jsonify(html=html)


def _edit_with(form, kind, slug, edit):
    """Validate a structured form and ``edit(document)`` the newest revision with it, or show
    the editor again with why not and everything typed (structured_edits applies a form to
    the newest revision, so it never meets a text merge)."""
    document, membership = load_document(kind, slug, edit=True)
    if form.validate_on_submit():
        try:
            edit(document)
        except FieldError as error:
            field = getattr(form, error.field)
            field.errors = [*field.errors, str(error)]
            if error.base is not None:
                form.base.data = error.base
            flash(str(error), "error")
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
