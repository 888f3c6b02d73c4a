"""Loading a studio document and its records for the current user.

Drafts are seen only by their members and admins; reviewers read but do not edit; staff and
patient partners manage the members. Each loader returns what was asked for, or logs the refusal
and answers 404 (or 403 to a member who may read but not do this).
"""

import logging

import sqlalchemy as sa
from flask import abort, current_app, request
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.content.models import Document, DocumentKind, Revision, Version
from eduapp.extensions import db
from eduapp.studio.models import Comment, Membership, ModuleProposal
from eduapp.studio.queries import membership_of, revision_by_number, version_by_number

log = logging.getLogger("eduapp.access")


def allow_a_whole_source() -> None:
    """Let this request carry a whole draft in one form field: up to MAX_SOURCE_REQUEST_BYTES
    (above the app's MAX_CONTENT_LENGTH, and the 500 KB Flask allows a field by default). Call
    it before anything reads the form (the CSRF check is the first to)."""
    limit = current_app.config["MAX_SOURCE_REQUEST_BYTES"]
    request.max_content_length = limit
    request.max_form_memory_size = limit


def may_edit(membership: Membership | None) -> bool:
    """Whether the current user edits the draft (saves, restores, playtests, publishes): admins,
    and every member but a reviewer."""
    return current_user.has_role(Role.ADMIN) or bool(membership and membership.can_edit)


def may_manage(membership: Membership | None) -> bool:
    """Whether the current user invites and removes members: admins, and the draft's staff and
    patient partners."""
    return current_user.has_role(Role.ADMIN) or bool(membership and membership.can_manage)


def load_document(
    kind: str, slug: str, *, edit: bool = False
) -> tuple[Document, Membership | None]:
    """The document and the user's membership; 404 for non-members, 403 for a reviewer editing."""
    if kind not in {k.value for k in DocumentKind}:
        abort(404)
    document = db.session.scalar(
        sa.select(Document).where(Document.kind == kind, Document.slug == slug)
    )
    if document is None:
        abort(404)
    membership = membership_of(document, current_user)
    if membership is None and not current_user.has_role(Role.ADMIN):
        log.warning("refused: %s %s is not shared with this user", kind, slug)
        abort(404)
    if edit and not may_edit(membership):
        log.warning("refused: reviewers do not edit %s %s", kind, slug)
        abort(403)
    return document, membership


def load_document_to_manage(kind: str, slug: str) -> tuple[Document, Membership | None]:
    """For inviting and removing members: staff and patient partners of the draft, and admins."""
    document, membership = load_document(kind, slug)
    if not may_manage(membership):
        log.warning("refused: %s %s members are managed by staff and patient partners", kind, slug)
        abort(403)
    return document, membership


def load_membership(document: Document, membership_id: int) -> Membership:
    """A membership of this document; 404 for one of another document."""
    return _of_document(document, Membership, membership_id)


def load_comment(document: Document, comment_id: int) -> Comment:
    """A comment on this document; 404 for one on another document."""
    return _of_document(document, Comment, comment_id)


def _of_document(document: Document, model, ident: int):
    record = db.session.get(model, ident)
    if record is None or record.document_id != document.id:
        log.warning("refused: %s %s is not of %s", model.__name__, ident, document.slug)
        abort(404)
    return record


def load_revision(document: Document, number: int) -> Revision:
    """The document's revision ``number``; 404 if it has none."""
    revision = revision_by_number(document, number)
    if revision is None:
        abort(404)
    return revision


def load_version(document: Document, number: int) -> Version:
    """The document's published version ``number``; 404 if it has none."""
    version = version_by_number(document, number)
    if version is None:
        abort(404)
    return version


def load_proposal(module: Document, proposal_id: int) -> ModuleProposal:
    """A proposal to this module; 404 for one to another module."""
    proposal = db.session.get(ModuleProposal, proposal_id)
    if proposal is None or proposal.module_document_id != module.id:
        log.warning("refused: proposal %s is not to %s", proposal_id, module.slug)
        abort(404)
    return proposal
