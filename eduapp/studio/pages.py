"""The editor page, built for every view that shows it: the editor itself, and each form on it
that comes back there refused, with its message and what was typed (a save, a form edit, a
decision, publishing, an upload, a proposal). Views import this, never each other.
"""

from flask import render_template, request

from eduapp.content.models import DocumentKind
from eduapp.studio import queries
from eduapp.studio.access import may_edit, may_manage
from eduapp.studio.drafts import Draft, is_losslessly_editable
from eduapp.studio.forms import (
    ActionForm,
    ChoiceForm,
    InviteForm,
    ModuleForm,
    NodeForm,
    ReviewForm,
    RevisionForm,
    SourceForm,
    VariableForm,
)
from eduapp.studio.publishing import starter_leftovers
from eduapp.studio.review_forms import ProposalForm, PublishForm
from eduapp.studio.source_lines import PART_WORDS, parts_at_lines


def editor_page(
    document,
    membership,
    latest=None,
    source_form=None,
    status: int = 200,
    *,
    upload_error: str | None = None,
    **forms,
):
    """The editor of ``document`` at its newest revision, with ``forms`` as posted (a refused
    form shows its errors and what was typed), answered with ``status``."""
    latest = latest or queries.latest_revision(document)
    if source_form is None:
        source_form = SourceForm(formdata=None, base=latest.number, source=latest.source)
    draft = queries.draft_of(latest)
    node_ids = list(draft.section_titles)
    forms.setdefault("node_form", NodeForm(formdata=None, base=latest.number))
    choice_form = forms.setdefault("choice_form", ChoiceForm(formdata=None, base=latest.number))
    choice_form.from_node.choices = node_ids
    choice_form.target.choices = node_ids
    forms.setdefault("variable_form", VariableForm(formdata=None, base=latest.number))
    if document.kind == DocumentKind.MODULE.value and draft.model is not None:
        forms.setdefault("module_form", ModuleForm.for_module(draft.model, latest.number))
    forms.setdefault("review_form", ReviewForm(formdata=None, revision=latest.number))
    forms.setdefault("publish_form", PublishForm(formdata=None, revision=latest.number))
    status_ = queries.publish_status(document, latest)
    return render_template(
        "studio/editor.html",
        document=document,
        membership=membership,
        latest=latest,
        draft=draft,
        problem_parts=parts_at_lines(latest.source, (p.line for p in draft.problems)),
        part_word=PART_WORDS.get(document.kind, "part"),
        can_manage=may_manage(membership),
        source_form=source_form,
        focus=_focus(draft, request.args.get("node")),
        can_edit=may_edit(membership),
        forms_usable=is_losslessly_editable(draft),
        author=latest.author_name,
        members=queries.members_of(document),
        invite_form=InviteForm(formdata=None),
        status=status_,
        explanation=queries.review_explanation(document, latest, status_),
        revision_form=RevisionForm(formdata=None, revision=latest.number),
        action_form=ActionForm(formdata=None),
        open_comments=queries.open_comment_count(document),
        versions=queries.versions_of(document),
        upload_error=upload_error,
        leftovers=starter_leftovers(draft.model),
        **_way_to_learners(document, forms.pop("proposal_form", None)),
        **forms,
    ), status


def _way_to_learners(document, proposal_form: ProposalForm | None) -> dict:
    """A scenario: the modules that list it, drafts on their way, its proposals and the form to
    propose it. A module: the proposals waiting on its co-authors."""
    if document.kind == DocumentKind.MODULE.value:
        return {"waiting_proposals": queries.open_proposals_to(document)}
    if document.kind != DocumentKind.SCENARIO.value:
        return {}
    modules = queries.proposable_modules(document)
    return {
        "reach": reach_of(document),
        "proposals": queries.proposals_of_scenario(document),
        "proposal_form": proposal_form or ProposalForm(formdata=None, modules=modules),
    }


def reach_of(document) -> dict:
    """Where learners find a scenario: the published modules that list it, and module drafts
    that list it and wait to be published."""
    return {
        "modules": queries.modules_listing(document.slug),
        "drafts": queries.module_drafts_listing(document.slug),
    }


def _focus(draft: Draft, asked: str | None) -> str | None:
    """The node (or question) the preview shows: the one asked for, else the start, else the
    first."""
    ids = list(draft.section_titles)
    for candidate in (asked, getattr(draft.model, "start", None), *ids[:1]):
        if candidate in ids:
            return candidate
    return None
