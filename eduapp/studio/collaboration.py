"""Working together on a draft: members, comments anchored to nodes, review and publishing."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from eduapp.content.models import DocumentKind
from eduapp.extensions import db
from eduapp.security.access import signed_in
from eduapp.studio import queries, services
from eduapp.studio.access import load_document, load_document_to_manage
from eduapp.studio.forms import (
    ActionForm,
    CommentForm,
    InviteForm,
    ResolveForm,
    ReviewForm,
    RevisionForm,
)
from eduapp.studio.models import Comment, Decision, MemberRole, Membership

bp = Blueprint("collab", __name__, template_folder="templates")


def _back(kind: str, slug: str, anchor: str = ""):
    return redirect(url_for("studio.editor", kind=kind, slug=slug) + anchor)


@bp.post("/<kind>/<slug>/members")
@signed_in
def invite(kind: str, slug: str):
    document, _ = load_document_to_manage(kind, slug)
    form = InviteForm()
    if not form.validate_on_submit():
        flash("Give an e-mail address, a role and a credit.", "error")
        return _back(kind, slug, "#members")
    services.invite(
        current_user, document, form.email.data, MemberRole(form.role.data), form.credit.data
    )
    flash(services.INVITE_ANSWER, "info")
    return _back(kind, slug, "#members")


@bp.post("/<kind>/<slug>/members/<int:membership_id>/remove")
@signed_in
def remove_member(kind: str, slug: str, membership_id: int):
    document, _ = load_document_to_manage(kind, slug)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.document_id != document.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.remove_member(current_user, document, membership)
    except services.StudioError as error:
        flash(str(error), "error")
    return _back(kind, slug, "#members")


@bp.get("/<kind>/<slug>/comments")
@signed_in
def comments(kind: str, slug: str):
    document, _ = load_document(kind, slug)
    latest = queries.latest_revision(document)
    draft = queries.draft_of(latest)
    return render_template(
        "studio/comments.html",
        document=document,
        latest=latest,
        draft=draft,
        threads=queries.comments_of(document),
        form=comment_form(document, latest, draft),
        resolve_form=ResolveForm(formdata=None),
        memberships={m.user_id: m.role_label for m in queries.members_of(document)},
        node_titles=_anchor_titles(document, draft),
    )


def comment_form(document, latest, draft) -> CommentForm:
    form = CommentForm(formdata=None, revision=latest.number)
    form.anchor.choices = anchor_choices(document, draft)
    return form


def _anchor_titles(document, draft) -> dict[str, str]:
    """Titles of the nodes (or questions) comments can be anchored to, by id."""
    if draft.model is None:
        return {}
    if document.kind == DocumentKind.SCENARIO.value:
        return {n.id: n.title for n in draft.model.nodes}
    if document.kind == DocumentKind.ASSESSMENT.value:
        return {q.id: q.title for q in draft.model.questions}
    return {}


def anchor_choices(document, draft) -> list[tuple[str, str]]:
    choices = [("general", "The draft as a whole")]
    if document.kind == DocumentKind.MODULE.value:
        choices.append(("reading", "The reading"))
    elif document.kind == DocumentKind.ASSESSMENT.value and draft.model is not None:
        choices += [(f"node:{q.id}", f"Question {q.id}: {q.title}") for q in draft.model.questions]
    elif draft.model is not None:
        choices += [(f"node:{n.id}", f"Node {n.id}: {n.title}") for n in draft.model.nodes]
    return choices


@bp.post("/<kind>/<slug>/comments")
@signed_in
def add_comment(kind: str, slug: str):
    document, _ = load_document(kind, slug)
    latest = queries.latest_revision(document)
    form = CommentForm()
    form.anchor.choices = anchor_choices(document, queries.draft_of(latest))
    valid_anchors = {value for value, _ in form.anchor.choices}
    if not form.validate_on_submit() or form.anchor.data not in valid_anchors:
        flash("Write a comment and choose what it is about.", "error")
        return redirect(url_for(".comments", kind=kind, slug=slug))
    parent = int(form.parent_id.data) if (form.parent_id.data or "").isdigit() else None
    try:
        services.add_comment(
            current_user, document, form.revision.data, form.anchor.data, form.body.data, parent
        )
    except services.StudioError as error:
        flash(str(error), "error")
    else:
        flash("Your comment is posted.", "success")
    return redirect(url_for(".comments", kind=kind, slug=slug))


@bp.post("/<kind>/<slug>/comments/<int:comment_id>/resolve")
@signed_in
def resolve_comment(kind: str, slug: str, comment_id: int):
    document, _ = load_document(kind, slug)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.document_id != document.id:
        abort(404)
    form = ResolveForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_resolved(current_user, comment, form.resolved.data == "1")
    return redirect(url_for(".comments", kind=kind, slug=slug))


@bp.post("/<kind>/<slug>/review")
@signed_in
def review(kind: str, slug: str):
    document, _ = load_document(kind, slug)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.review(
            current_user,
            document,
            form.revision.data,
            Decision(form.decision.data),
            form.note.data or "",
        )
    except services.StudioError as error:
        flash(str(error), "error")
    else:
        flash("Your decision is recorded on this revision.", "success")
    return _back(kind, slug, "#review")


@bp.post("/<kind>/<slug>/publish")
@signed_in
def publish(kind: str, slug: str):
    document, _ = load_document(kind, slug, edit=True)
    form = RevisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        version = services.publish(current_user, document, form.revision.data)
    except services.StudioError as error:
        flash(str(error), "error")
        return _back(kind, slug, "#review")
    flash(f"Published as version {version.number}. New attempts will use it.", "success")
    return redirect(url_for("history.version", kind=kind, slug=slug, number=version.number))
