"""Working together on a draft: members, comments anchored to nodes, review and publishing."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from eduapp.security.access import signed_in
from eduapp.studio import commenting, members, publishing, queries
from eduapp.studio.access import (
    load_comment,
    load_document,
    load_document_to_manage,
    load_membership,
)
from eduapp.studio.errors import StudioError
from eduapp.studio.forms import (
    ActionForm,
    CommentForm,
    InviteForm,
    ResolveForm,
    ReviewForm,
    RevisionForm,
)
from eduapp.studio.pages import editor_page
from eduapp.studio.review_forms import PublishForm

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
    members.invite(current_user, document, form.email.data, form.role.data, form.credit.data)
    flash(members.INVITE_ANSWER, "info")
    return _back(kind, slug, "#members")


@bp.post("/<kind>/<slug>/members/<int:membership_id>/remove")
@signed_in
def remove_member(kind: str, slug: str, membership_id: int):
    document, _ = load_document_to_manage(kind, slug)
    membership = load_membership(document, membership_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        members.remove_member(current_user, document, membership)
    except StudioError as error:
        flash(str(error), "error")
    return _back(kind, slug, "#members")


@bp.get("/<kind>/<slug>/comments")
@signed_in
def comments(kind: str, slug: str):
    document, _ = load_document(kind, slug)
    return _comments_page(document)


def _comments_page(document, form: CommentForm | None = None, status: int = 200):
    latest = queries.latest_revision(document)
    draft = queries.draft_of(latest)
    return render_template(
        "studio/comments.html",
        document=document,
        latest=latest,
        draft=draft,
        threads=queries.comments_of(document),
        form=form or CommentForm(formdata=None, draft=draft, revision=latest.number),
        resolve_form=ResolveForm(formdata=None),
        memberships={m.user_id: m.role_label for m in queries.members_of(document)},
        node_titles=draft.section_titles,
    ), status


@bp.post("/<kind>/<slug>/comments")
@signed_in
def add_comment(kind: str, slug: str):
    """A refused comment comes back on the comments page with what was typed."""
    document, _ = load_document(kind, slug)
    form = CommentForm(draft=queries.draft_of(queries.latest_revision(document)))
    if not form.validate_on_submit():
        return _comments_page(document, form, 400)
    try:
        commenting.add_comment(
            current_user,
            document,
            form.revision.data,
            form.anchor.data,
            form.body.data,
            form.parent_id.data,
        )
    except StudioError as error:
        form.body.errors = [*form.body.errors, str(error)]
        return _comments_page(document, form, 400)
    flash("Your comment is posted.", "success")
    return redirect(url_for(".comments", kind=kind, slug=slug))


@bp.post("/<kind>/<slug>/comments/<int:comment_id>/resolve")
@signed_in
def resolve_comment(kind: str, slug: str, comment_id: int):
    document, _ = load_document(kind, slug)
    comment = load_comment(document, comment_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        abort(400)
    commenting.set_resolved(current_user, comment, form.resolved.data == "1")
    return redirect(url_for(".comments", kind=kind, slug=slug))


@bp.post("/<kind>/<slug>/review")
@signed_in
def review(kind: str, slug: str):
    """A decision; one refused (none chosen, changes asked without a note, a newer revision)
    comes back on the editor with the note as typed."""
    document, membership = load_document(kind, slug)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            publishing.review(
                current_user, document, form.revision.data, form.decision.data, form.note.data
            )
        except StudioError as error:
            form.note.errors = [*form.note.errors, str(error)]
        else:
            flash("Your decision is recorded on this revision.", "success")
            return _back(kind, slug, "#review")
    return editor_page(document, membership, status=400, review_form=form)


@bp.post("/<kind>/<slug>/request-review")
@signed_in
def request_review(kind: str, slug: str):
    document, _ = load_document(kind, slug, edit=True)
    form = RevisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        publishing.request_review(current_user, document, form.revision.data)
    except StudioError as error:
        flash(str(error), "error")
    else:
        flash("The members who can sign off are asked to review this revision.", "success")
    return _back(kind, slug, "#review")


@bp.post("/<kind>/<slug>/publish")
@signed_in
def publish(kind: str, slug: str):
    """Publish; over a standing request for changes only with the box ticked (else back on the
    editor, the box and the request shown)."""
    document, membership = load_document(kind, slug, edit=True)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        version = publishing.publish(
            current_user, document, form.revision.data, over_changes=form.over_changes.data
        )
    except publishing.ChangesRequested as error:
        form.over_changes.errors = [*form.over_changes.errors, str(error)]
        return editor_page(document, membership, status=400, publish_form=form)
    except StudioError as error:
        flash(str(error), "error")
        return _back(kind, slug, "#review")
    flash(f"Published as version {version.number}. New attempts will use it.", "success")
    return redirect(url_for("history.version", kind=kind, slug=slug, number=version.number))
