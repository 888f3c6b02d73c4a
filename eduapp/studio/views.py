"""The co-authoring studio: drafts, the editor, forms, live checks and previews."""

import re

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.engine import Choice, ExpressionError, Module, Node, Variable
from eduapp.security.access import requires, signed_in
from eduapp.studio import queries, services
from eduapp.studio.access import load_document
from eduapp.studio.diff import compare
from eduapp.studio.drafts import is_losslessly_editable, read_draft
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
            document = services.create_document(
                current_user,
                DocumentKind(form.kind.data),
                _text(form.slug),
                _text(form.title),
                form.credit.data or "",
            )
        except services.StudioError as error:
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
    is_scenario = document.kind == DocumentKind.SCENARIO.value
    node_ids = [n.id for n in draft.model.nodes] if is_scenario and draft.model else []
    if document.kind == DocumentKind.ASSESSMENT.value and draft.model:
        node_ids = [question.id for question in draft.model.questions]
    focus = (
        request.args.get("node")
        if request.args.get("node") in node_ids
        else (
            draft.model.start
            if is_scenario and draft.model and draft.model.start in node_ids
            else (node_ids[0] if node_ids else None)
        )
    )
    forms.setdefault("node_form", NodeForm(formdata=None, base=latest.number))
    choice_form = forms.setdefault("choice_form", ChoiceForm(formdata=None, base=latest.number))
    choice_form.from_node.choices = node_ids
    choice_form.target.choices = node_ids
    forms.setdefault("variable_form", VariableForm(formdata=None, base=latest.number))
    if document.kind == DocumentKind.MODULE.value and draft.model is not None:
        forms.setdefault("module_form", _module_form(draft.model, latest.number))
    is_admin = current_user.has_role(Role.ADMIN)
    can_edit = is_admin or (membership and membership.can_edit)
    can_manage = is_admin or (membership and membership.can_manage)
    return render_template(
        "studio/editor.html",
        document=document,
        membership=membership,
        latest=latest,
        draft=draft,
        can_manage=can_manage,
        source_form=source_form,
        focus=focus,
        can_edit=can_edit,
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


def _module_form(module: Module, base: int) -> ModuleForm:
    return ModuleForm(
        formdata=None,
        base=base,
        title=module.title,
        order=module.order,
        summary=module.summary,
        outcomes="\n".join(module.outcomes),
        scenarios="\n".join(module.scenarios),
        reading=module.reading,
        references=module.references,
    )


@bp.post("/<kind>/<slug>/save")
@signed_in
def save(kind: str, slug: str):
    document, membership = load_document(kind, slug, edit=True)
    form = SourceForm()
    if not form.validate_on_submit():
        latest = queries.latest_revision(document)
        return _render_editor(document, membership, latest, form, status=400)
    try:
        services.save_source(
            current_user, document, form.base.data, form.source.data, form.message.data or ""
        )
    except services.Conflict as conflict:
        return _render_conflict(document, conflict, form.message.data or "")
    flash("Saved.", "success")
    return redirect(url_for(".editor", kind=kind, slug=slug))


def _render_conflict(document, conflict: services.Conflict, message: str):
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


def _edit_with(form, kind, slug, apply):
    """Validate a structured form, apply it as a new revision, or show why not."""
    document, membership = load_document(kind, slug, edit=True)
    latest = queries.latest_revision(document)
    if form.validate_on_submit():
        try:
            apply(document, queries.revision_by_number(document, form.base.data) or latest)
        except services.Conflict as conflict:
            return _render_conflict(document, conflict, "")
        except (services.StudioError, ExpressionError) as error:
            flash(str(error), "error")
        else:
            flash("Saved as a new revision.", "success")
            return redirect(url_for(".editor", kind=kind, slug=slug))
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

    def apply(document, base):
        node = Node(
            id=form.node_id.data,
            title=_text(form.title),
            body=_text(form.body),
            speaker=_text(form.speaker),
            reflect=_text(form.reflect),
            ending=_text(form.ending),
            debrief=_text(form.debrief) if _text(form.ending) else "",
        )
        services.add_node(current_user, document, form.base.data, queries.draft_of(base), node)

    return _edit_with(form, kind, slug, apply)


@bp.post("/<kind>/<slug>/choices")
@signed_in
def add_choice(kind: str, slug: str):
    form = ChoiceForm()

    def apply(document, base):
        condition, effects = services.parse_choice_expressions(
            form.condition.data or "", form.effects.data or ""
        )
        choice = Choice(
            label=_text(form.label),
            target=form.target.data,
            condition=condition,
            effects=effects,
            feedback=_text(form.feedback),
        )
        services.add_choice(
            current_user,
            document,
            form.base.data,
            queries.draft_of(base),
            form.from_node.data,
            choice,
        )

    return _edit_with(form, kind, slug, apply)


@bp.post("/<kind>/<slug>/variables")
@signed_in
def add_variable(kind: str, slug: str):
    form = VariableForm()

    def apply(document, base):
        variable = Variable(
            form.name.data,
            _initial_value(form.initial.data),
            _text(form.description),
        )
        services.add_variable(
            current_user, document, form.base.data, queries.draft_of(base), variable
        )

    return _edit_with(form, kind, slug, apply)


@bp.post("/<kind>/<slug>/module")
@signed_in
def save_module_form(kind: str, slug: str):
    form = ModuleForm()

    def apply(document, base):
        current = queries.draft_of(base).model
        if not isinstance(current, Module):
            raise services.StudioError("Fix the module's source before using the form.")
        module = Module(
            id=current.id,
            title=_text(form.title),
            order=form.order.data,
            summary=_text(form.summary),
            outcomes=_lines(form.outcomes.data),
            scenarios=_lines(form.scenarios.data),
            authors=current.authors,
            licence=current.licence,
            reading=_text(form.reading),
            references=_text(form.references),
        )
        services.save_module(current_user, document, form.base.data, module)

    return _edit_with(form, kind, slug, apply)


@bp.post("/<kind>/<slug>/playtest")
@signed_in
def playtest(kind: str, slug: str):
    document, _ = load_document(kind, slug, edit=True)
    if document.kind != DocumentKind.SCENARIO.value or not ActionForm().validate_on_submit():
        abort(400)
    try:
        attempt = services.start_playtest(current_user, document)
    except services.StudioError as error:
        flash(str(error), "error")
        return redirect(url_for(".editor", kind=kind, slug=slug))
    return redirect(url_for("player.attempt", attempt_id=attempt.id))


def _text(field) -> str:
    """A text field's value, stripped; a field left out of the request counts as empty."""
    return (field.data or "").strip()


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(filter(None, (line.strip() for line in (text or "").splitlines())))


def _initial_value(text: str) -> int | bool:
    text = text.strip().lower()
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d{1,9}", text):
        return int(text)
    raise services.StudioError("The starting value is a whole number, true or false.")
