"""Editing a scenario without its source: the node panel (a node, its choices, its id,
deleting it) and the header page (title, summary, professions, variables).

Server-rendered forms that work without JavaScript; the map editor opens the same panel
(studio/_node_panel.html) beside the map. Every action is one of structured_edits' operations,
applied to the newest revision; a refused one comes back on its page with the message by its
field and everything typed (400, nothing written). Only those who may edit the draft see these
pages (a reviewer gets 403, a non-member 404).
"""

from contextlib import suppress

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.content.models import DocumentKind
from eduapp.engine import Variable
from eduapp.security.access import signed_in
from eduapp.studio import queries, structured_edits
from eduapp.studio.access import load_document
from eduapp.studio.drafts import is_losslessly_editable
from eduapp.studio.errors import FieldError, StudioError
from eduapp.studio.forms import BasedForm, VariableForm
from eduapp.studio.node_forms import (
    ChoiceActionForm,
    ChoiceEditForm,
    DeleteNodeForm,
    HeaderForm,
    NodeEditForm,
    RenameNodeForm,
    VariableEditForm,
    node_options,
)
from eduapp.studio.publishing import starter_leftovers
from eduapp.studio.scenario_checks import choices_to, uses_of
from eduapp.studio.starters import SUMMARY

bp = Blueprint("nodes", __name__, template_folder="templates")


class _Draft:
    """The scenario draft being edited: the document, the newest revision and its scenario
    (None when the forms cannot rewrite it without losing something)."""

    def __init__(self, kind: str, slug: str) -> None:
        self.document, self.membership = load_document(kind, slug, edit=True)
        if self.document.kind != DocumentKind.SCENARIO.value:
            abort(404)
        self.latest = queries.latest_revision(self.document)
        draft = queries.draft_of(self.latest)
        self.scenario = draft.model if is_losslessly_editable(draft) else None
        self.draft = draft

    def node(self, node_id: str):
        """The node ``node_id`` of the newest revision; 404 when it has none."""
        if self.scenario is None:
            return None
        try:
            return self.scenario.node(node_id)
        except KeyError:
            abort(404)

    def url(self, endpoint: str, **values) -> str:
        return url_for(endpoint, kind=self.document.kind, slug=self.document.slug, **values)


def _attempt(form, edit) -> bool:
    """Run ``edit``; a refusal is put by its field of ``form`` (or above the form), with the
    newest revision as the form's base when the refusal says so. True when it was saved."""
    try:
        edit()
    except FieldError as error:
        field = getattr(form, error.field, None)
        if field is None:
            form.refusal = str(error)
        else:
            field.errors = [*field.errors, str(error)]
        if error.base is not None:
            form.base.data = error.base
        return False
    except StudioError as error:
        form.refusal = str(error)
        return False
    return True


# -- the node panel ------------------------------------------------------------------------


@bp.get("/<kind>/<slug>/nodes/<node_id>")
@signed_in
def node_panel(kind: str, slug: str, node_id: str):
    draft = _Draft(kind, slug)
    draft.node(node_id)
    return _node_page(draft, node_id)


def _node_page(draft: _Draft, node_id: str, status: int = 200, notice: str = "", **forms):
    node = draft.node(node_id)
    base = draft.latest.number
    if node is not None:
        forms.setdefault("node_form", NodeEditForm.for_node(node, base))
        forms.setdefault(
            "choice_form", ChoiceEditForm(formdata=None, scenario=draft.scenario, base=base)
        )
        forms.setdefault("rename_form", RenameNodeForm(formdata=None, base=base, new_id=node_id))
    titles = dict(node_options(draft.scenario)) if draft.scenario else {}
    return render_template(
        "studio/node.html",
        document=draft.document,
        latest=draft.latest,
        draft=draft.draft,
        scenario=draft.scenario,
        node=node,
        node_id=node_id,
        titles=titles,
        incoming=choices_to(draft.scenario, node_id) if draft.scenario else [],
        action_form=ChoiceActionForm(formdata=None, base=base),
        leftovers=starter_leftovers(draft.scenario, node_id) if draft.scenario else [],
        notice=notice,
        **forms,
    ), status


@bp.post("/<kind>/<slug>/nodes/<node_id>")
@signed_in
def save_node(kind: str, slug: str, node_id: str):
    draft = _Draft(kind, slug)
    draft.node(node_id)
    form = NodeEditForm()
    if form.validate_on_submit() and _attempt(
        form,
        lambda: structured_edits.edit_node(
            current_user, draft.document, form.base.data, node_id, form.text()
        ),
    ):
        flash("Node saved as a new revision.", "success")
        return redirect(draft.url(".node_panel", node_id=node_id))
    return _node_page(draft, node_id, 400, node_form=form)


@bp.post("/<kind>/<slug>/nodes/<node_id>/choices")
@signed_in
def add_choice(kind: str, slug: str, node_id: str):
    draft = _Draft(kind, slug)
    draft.node(node_id)
    form = ChoiceEditForm(scenario=draft.scenario)
    valid = form.validate_on_submit()
    if form.declare.data and not form.declare.errors:
        draft, form, notice = _declare(draft, form, new_node=True)
        return _node_page(draft, node_id, 200, notice, choice_form=form)
    made = []

    def add():
        if form.makes_a_node:
            _, new_id = structured_edits.add_choice_to_new_node(
                current_user,
                draft.document,
                form.base.data,
                node_id,
                form.choice(),
                form.new_title.data,
            )
            made.append(new_id)
        else:
            structured_edits.add_choice(
                current_user, draft.document, form.base.data, node_id, form.choice()
            )

    if valid and _attempt(form, add):
        if made:
            flash(
                f"Choice added, with the new node “{form.new_title.data}”: write it next "
                "(its link is in the choices below).",
                "success",
            )
        else:
            flash("Choice added as a new revision.", "success")
        return redirect(draft.url(".node_panel", node_id=node_id) + "#choices")
    return _node_page(draft, node_id, 400, choice_form=form)


def _declare(draft: _Draft, form: ChoiceEditForm, *, new_node: bool):
    """Declare the variable a "declare it" button names; the choice form as typed (not saved
    yet), checked again against the scenario as it now is, and a notice saying so."""
    name = form.declare.data
    if name not in form.undeclared:
        return draft, form, f"'{name}' needs no declaring."
    initial = form.undeclared[name]
    # Declared meanwhile (a double click, a co-author): the form is checked against it anyway.
    with suppress(StudioError):
        structured_edits.add_variable(
            current_user, draft.document, form.base.data, Variable(name, initial, "")
        )
    draft = _Draft(draft.document.kind, draft.document.slug)
    form = ChoiceEditForm(scenario=draft.scenario, new_node=new_node)
    form.base.data = draft.latest.number
    form.validate()
    shown = "false" if initial is False else str(initial)
    return (
        draft,
        form,
        (
            f"Declared the variable '{name}', starting at {shown} (change it on the header page). "
            "Your choice is not saved yet: check it, then save it."
        ),
    )


@bp.route("/<kind>/<slug>/nodes/<node_id>/choices/<int:number>", methods=["GET", "POST"])
@signed_in
def choice_page(kind: str, slug: str, node_id: str, number: int):
    """One choice of the node (numbered from 1, as learners see them), to edit."""
    draft = _Draft(kind, slug)
    node = draft.node(node_id)
    if node is None or number > len(node.choices):
        abort(404)
    choice = node.choices[number - 1]
    base = draft.latest.number
    notice, status = "", 200
    if request.method == "GET":
        form = ChoiceEditForm.for_choice(choice, base, draft.scenario)
    else:
        form = ChoiceEditForm(scenario=draft.scenario, new_node=False)
        valid = form.validate_on_submit()
        if form.declare.data and not form.declare.errors:
            draft, form, notice = _declare(draft, form, new_node=False)
            return _choice_page(draft, node_id, number, form, 200, notice)
        if valid and _attempt(
            form,
            lambda: structured_edits.edit_choice(
                current_user,
                draft.document,
                form.base.data,
                node_id,
                number - 1,
                form.was.data,
                form.choice(),
            ),
        ):
            flash("Choice saved as a new revision.", "success")
            return redirect(draft.url(".node_panel", node_id=node_id) + "#choices")
        status = 400
    return _choice_page(draft, node_id, number, form, status, notice)


def _choice_page(draft, node_id, number, form, status, notice):
    return render_template(
        "studio/choice.html",
        document=draft.document,
        latest=draft.latest,
        node=draft.node(node_id),
        number=number,
        form=form,
        notice=notice,
    ), status


@bp.post("/<kind>/<slug>/nodes/<node_id>/choices/<int:number>/move")
@signed_in
def move_choice(kind: str, slug: str, node_id: str, number: int):
    draft = _Draft(kind, slug)
    form = ChoiceActionForm()
    step = -1 if form.direction.data == "up" else 1
    return _choice_action(
        draft,
        node_id,
        form,
        lambda: structured_edits.move_choice(
            current_user, draft.document, form.base.data, node_id, number - 1, form.was.data, step
        ),
        "Choice moved.",
    )


@bp.post("/<kind>/<slug>/nodes/<node_id>/choices/<int:number>/delete")
@signed_in
def delete_choice(kind: str, slug: str, node_id: str, number: int):
    draft = _Draft(kind, slug)
    form = ChoiceActionForm()
    return _choice_action(
        draft,
        node_id,
        form,
        lambda: structured_edits.delete_choice(
            current_user, draft.document, form.base.data, node_id, number - 1, form.was.data
        ),
        f"Choice “{form.was.data}” deleted.",
    )


def _choice_action(draft: _Draft, node_id: str, form: ChoiceActionForm, edit, done: str):
    draft.node(node_id)
    if not form.validate_on_submit():
        form.refusal = "That button's form was incomplete; nothing changed. Try again."
    elif _attempt(form, edit):
        flash(done, "success")
        return redirect(draft.url(".node_panel", node_id=node_id) + "#choices")
    if not getattr(form, "refusal", ""):
        form.refusal = " ".join(e for errors in form.errors.values() for e in errors)
    return _node_page(draft, node_id, 400, refusal=form.refusal)


@bp.post("/<kind>/<slug>/nodes/<node_id>/rename")
@signed_in
def rename_node(kind: str, slug: str, node_id: str):
    draft = _Draft(kind, slug)
    draft.node(node_id)
    form = RenameNodeForm()
    if form.validate_on_submit() and _attempt(
        form,
        lambda: structured_edits.rename_node(
            current_user, draft.document, form.base.data, node_id, form.new_id.data
        ),
    ):
        flash(f"Renamed to '{form.new_id.data}'; every choice that went here follows.", "success")
        return redirect(draft.url(".node_panel", node_id=form.new_id.data))
    return _node_page(draft, node_id, 400, rename_form=form)


@bp.route("/<kind>/<slug>/nodes/<node_id>/delete", methods=["GET", "POST"])
@signed_in
def delete_node(kind: str, slug: str, node_id: str):
    """Ask what becomes of the choices that go to the node (and of the start), then delete."""
    draft = _Draft(kind, slug)
    node = draft.node(node_id)
    if node is None:
        return redirect(draft.url(".node_panel", node_id=node_id))
    status = 200
    if request.method == "GET":
        form = DeleteNodeForm(
            formdata=None, scenario=draft.scenario, node_id=node_id, base=draft.latest.number
        )
    else:
        form = DeleteNodeForm(scenario=draft.scenario, node_id=node_id)
        if form.validate_on_submit() and _attempt(
            form,
            lambda: structured_edits.delete_node(
                current_user,
                draft.document,
                form.base.data,
                node_id,
                incoming=form.incoming.data or "",
                send_to=form.send_to.data or "",
                new_start=form.new_start.data or "",
            ),
        ):
            flash(f"Node “{node.title}” deleted.", "success")
            return redirect(draft.url("studio.editor") + "#forms-heading")
        status = 400
    return render_template(
        "studio/node_delete.html",
        document=draft.document,
        latest=draft.latest,
        node=node,
        incoming=choices_to(draft.scenario, node_id),
        is_start=draft.scenario.start == node_id,
        form=form,
    ), status


# -- the header and variables --------------------------------------------------------------


@bp.route("/<kind>/<slug>/header", methods=["GET", "POST"])
@signed_in
def header(kind: str, slug: str):
    draft = _Draft(kind, slug)
    if request.method == "GET" or draft.scenario is None:
        return _header_page(draft)
    form = HeaderForm()
    if form.validate_on_submit() and _attempt(
        form,
        lambda: structured_edits.edit_header(
            current_user,
            draft.document,
            form.base.data,
            form.title.data,
            form.summary.data,
            tuple(form.professions.data),
        ),
    ):
        flash("Title, summary and professions saved as a new revision.", "success")
        return redirect(draft.url(".header"))
    return _header_page(draft, 400, header_form=form)


def _header_page(draft: _Draft, status: int = 200, **forms):
    base = draft.latest.number
    scenario = draft.scenario
    edit_forms = {}
    if scenario is not None:
        forms.setdefault("header_form", HeaderForm.for_scenario(scenario, base))
        forms.setdefault("variable_form", VariableForm(formdata=None, base=base))
        posted = forms.pop("edited", None)
        if posted and posted[0] not in {v.name for v in scenario.variables}:
            forms.setdefault(
                "refusal",
                f"There is no variable '{posted[0]}' any more: someone renamed or deleted it. "
                "Nothing was saved.",
            )
        for variable in scenario.variables:
            edit_forms[variable.name] = (
                posted[1]
                if posted and posted[0] == variable.name
                else VariableEditForm.for_variable(variable, base)
            )
    return render_template(
        "studio/header.html",
        document=draft.document,
        latest=draft.latest,
        scenario=scenario,
        edit_forms=edit_forms,
        uses={v.name: uses_of(scenario, v.name) for v in scenario.variables} if scenario else {},
        delete_form=BasedForm(formdata=None, base=base),
        summary_is_sample=scenario is not None and scenario.summary == SUMMARY,
        **forms,
    ), status


@bp.post("/<kind>/<slug>/header/variables")
@signed_in
def add_variable(kind: str, slug: str):
    draft = _Draft(kind, slug)
    form = VariableForm()
    if form.validate_on_submit() and _attempt(
        form,
        lambda: structured_edits.add_variable(
            current_user, draft.document, form.base.data, form.variable()
        ),
    ):
        flash(f"Variable '{form.name.data}' added.", "success")
        return redirect(draft.url(".header") + "#variables")
    return _header_page(draft, 400, variable_form=form)


@bp.post("/<kind>/<slug>/header/variables/<name>")
@signed_in
def edit_variable(kind: str, slug: str, name: str):
    draft = _Draft(kind, slug)
    form = VariableEditForm(prefix=f"var-{name}")
    if form.validate_on_submit() and _attempt(
        form,
        lambda: structured_edits.edit_variable(
            current_user, draft.document, form.base.data, name, form.variable()
        ),
    ):
        flash(f"Variable '{form.name.data}' saved.", "success")
        return redirect(draft.url(".header") + "#variables")
    return _header_page(draft, 400, edited=(name, form))


@bp.post("/<kind>/<slug>/header/variables/<name>/delete")
@signed_in
def delete_variable(kind: str, slug: str, name: str):
    draft = _Draft(kind, slug)
    form = BasedForm()
    if form.validate_on_submit() and _attempt(
        form,
        lambda: structured_edits.delete_variable(
            current_user, draft.document, form.base.data, name
        ),
    ):
        flash(f"Variable '{name}' deleted.", "success")
        return redirect(draft.url(".header") + "#variables")
    refusal = getattr(form, "refusal", "") or " ".join(
        e for errors in form.errors.values() for e in errors
    )
    return _header_page(draft, 400, refusal=refusal or "Nothing was deleted; try again.")
