"""Reads of the studio: documents a person works on, revisions, sign-offs, comments, versions."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from eduapp.accounts.models import Role, User
from eduapp.content.models import Document, DocumentKind, Revision, Version
from eduapp.extensions import db
from eduapp.studio.drafts import Draft, read_draft
from eduapp.studio.models import Comment, Decision, Membership, SignOff


def latest_revision(document: Document) -> Revision:
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.document_id == document.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def revision_by_number(document: Document, number: int) -> Revision | None:
    return db.session.scalar(
        sa.select(Revision).where(Revision.document_id == document.id, Revision.number == number)
    )


def revisions_of(document: Document) -> list[Revision]:
    return list(
        db.session.scalars(
            sa.select(Revision)
            .where(Revision.document_id == document.id)
            .order_by(Revision.number.desc())
        )
    )


def versions_of(document: Document) -> list[Version]:
    return list(
        db.session.scalars(
            sa.select(Version)
            .where(Version.document_id == document.id)
            .order_by(Version.number.desc())
        )
    )


def version_by_number(document: Document, number: int) -> Version | None:
    return db.session.scalar(
        sa.select(Version).where(Version.document_id == document.id, Version.number == number)
    )


def draft_of(revision: Revision) -> Draft:
    document = revision.document
    return read_draft(DocumentKind(document.kind), document.slug, revision.source)


def membership_of(document: Document, user: User) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.document_id == document.id, Membership.user_id == user.id
        )
    )


def members_of(document: Document) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.document_id == document.id)
            .order_by(Membership.created_at, Membership.id)
        )
    )


@dataclass(frozen=True)
class DocumentRow:
    document: Document
    latest: Revision
    membership: Membership | None
    published_number: int | None


def documents_for(user: User, *, every: bool = False) -> list[DocumentRow]:
    """Documents the user works on (every document, for an admin who asks), newest first."""
    newest = (
        sa.select(Revision.document_id, sa.func.max(Revision.number).label("number"))
        .group_by(Revision.document_id)
        .subquery()
    )
    published = (
        sa.select(Version.document_id, sa.func.max(Version.number).label("number"))
        .group_by(Version.document_id)
        .subquery()
    )
    query = (
        sa.select(Document, Revision, Membership, published.c.number)
        .join(newest, newest.c.document_id == Document.id)
        .join(
            Revision,
            sa.and_(Revision.document_id == Document.id, Revision.number == newest.c.number),
        )
        .outerjoin(
            Membership,
            sa.and_(Membership.document_id == Document.id, Membership.user_id == user.id),
        )
        .outerjoin(published, published.c.document_id == Document.id)
        .order_by(Revision.created_at.desc(), Document.id.desc())
    )
    if not every:
        query = query.where(Membership.id.is_not(None))
    return [DocumentRow(*row) for row in db.session.execute(query)]


def co_author_credits(document_id: int) -> list[str]:
    """How the co-authors (reviewers aside) are credited, by role, in the order they joined."""
    return list(
        db.session.scalars(
            sa.select(Membership.credit)
            .where(Membership.document_id == document_id, Membership.role != "reviewer")
            .order_by(Membership.created_at, Membership.id)
        )
    )


def credit_sentence(credits: list[str]) -> str:
    """["patient educator", "nursing student"] -> "Co-created with a patient educator and a
    nursing student"."""
    if not credits:
        return ""
    named = [f"{'an' if c[:1].lower() in 'aeiou' else 'a'} {c}" for c in credits]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"Co-created with {listed}"


def sign_offs_of(revision: Revision) -> list[SignOff]:
    return list(
        db.session.scalars(
            sa.select(SignOff).where(SignOff.revision_id == revision.id).order_by(SignOff.id)
        )
    )


@dataclass(frozen=True)
class PublishStatus:
    #: Each group of the rule, and who approved for it (empty while missing).
    groups: list[tuple[str, list[str]]]
    changes_requested: list[SignOff]
    problems: tuple

    @property
    def is_ready(self) -> bool:
        return not self.problems and all(names for _, names in self.groups)

    @property
    def missing(self) -> list[str]:
        return [label for label, names in self.groups if not names]


def publish_status(document: Document, revision: Revision) -> PublishStatus:
    """How the publishing rule stands for this exact revision."""
    member_ids = {m.user_id for m in members_of(document)}
    decisions = sign_offs_of(revision)
    approvals = [
        s for s in decisions if s.decision == Decision.APPROVE.value and s.user_id in member_ids
    ]
    groups = [
        (label, [s.user.display_name for s in approvals if s.user.has_role(*roles)])
        for label, roles in _rule()
    ]
    changes = [s for s in decisions if s.decision == Decision.CHANGES.value]
    return PublishStatus(groups, changes, draft_of(revision).problems)


def _rule():
    return [
        (label, tuple(Role(role) for role in roles))
        for label, roles in current_app.config["PUBLISH_RULE"]
    ]


def comments_of(document: Document, *, open_only: bool = False) -> list[Comment]:
    """Top-level comments (replies hang under them), oldest first."""
    query = sa.select(Comment).where(
        Comment.document_id == document.id, Comment.parent_id.is_(None)
    )
    if open_only:
        query = query.where(Comment.is_resolved.is_(False))
    return list(db.session.scalars(query.order_by(Comment.created_at, Comment.id)))


def open_comment_count(document: Document) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            Comment.document_id == document.id,
            Comment.parent_id.is_(None),
            Comment.is_resolved.is_(False),
        )
    )
