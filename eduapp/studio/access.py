"""Loading a studio document for the current user: drafts are seen only by members and admins."""

import logging

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.content.models import Document, DocumentKind
from eduapp.extensions import db
from eduapp.studio.models import Membership
from eduapp.studio.queries import membership_of

log = logging.getLogger("eduapp.access")


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
    is_admin = current_user.has_role(Role.ADMIN)
    if membership is None and not is_admin:
        log.warning("refused: %s %s is not shared with this user", kind, slug)
        abort(404)
    if edit and not is_admin and not membership.can_edit:
        log.warning("refused: reviewers do not edit %s %s", kind, slug)
        abort(403)
    return document, membership


def load_document_to_manage(kind: str, slug: str):
    """For inviting and removing members: staff and patient partners of the draft, and admins."""
    document, membership = load_document(kind, slug)
    if not (current_user.has_role(Role.ADMIN) or (membership and membership.can_manage)):
        log.warning("refused: %s %s members are managed by staff and patient partners", kind, slug)
        abort(403)
    return document, membership
