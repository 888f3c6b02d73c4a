"""Writing a draft's text: starting a draft, saving a revision, restoring an old one.

Every write goes into the request's transaction with its audit event (eduapp/transaction.py).
A save carries the revision it was based on; if someone saved since, nothing is written and the
caller gets a Conflict with both texts.
"""

import re

import sqlalchemy as sa

from eduapp.accounts.models import Role, User
from eduapp.audit.services import record
from eduapp.content.models import Document, DocumentKind, Revision
from eduapp.extensions import db
from eduapp.studio import queries
from eduapp.studio.drafts import read_draft
from eduapp.studio.errors import Conflict, StudioError
from eduapp.studio.members import default_role_for
from eduapp.studio.models import Membership
from eduapp.studio.starters import starter_source

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,62}[a-z0-9]")


def create_document(actor: User, kind: DocumentKind, slug: str, title: str, credit: str):
    """A new draft, its first revision, and the creator as its first member."""
    if not SLUG_RE.fullmatch(slug):
        raise StudioError(
            "Use 3 to 64 lowercase letters, digits and dashes for the id, e.g. 'night-handover'."
        )
    taken = db.session.scalar(
        sa.select(Document.id).where(Document.kind == kind.value, Document.slug == slug)
    )
    if taken:
        raise StudioError(f"A {kind.value} with the id '{slug}' exists already.")
    try:
        with db.session.begin_nested():
            document = Document(kind=kind.value, slug=slug)
            db.session.add(document)
            db.session.flush()
            member = Membership(
                document_id=document.id,
                user_id=actor.id,
                role=default_role_for(actor).value,
                credit=credit.strip() or Role(next(iter(sorted(actor.role_set)))).label.lower(),
            )
            db.session.add(member)
            source = starter_source(kind, slug, title, member)
            _add_revision(document, 1, source, "Started the draft", actor)
            record("created", actor=actor, document=document, revision_number=1)
    except sa.exc.IntegrityError:  # someone created it a moment ago
        raise StudioError(f"A {kind.value} with the id '{slug}' exists already.") from None
    return document


def save_source(actor: User, document: Document, base: int, source: str, message: str):
    """Save a new revision on top of revision ``base``; Conflict if it is no longer the newest."""
    source = source.replace("\r\n", "\n")
    latest = queries.latest_revision(document)
    if latest.number != base:
        raise Conflict(
            latest,
            source,
            f"Revision {latest.number} was saved by "
            f"{latest.author_name} after the revision {base} you started from.",
        )
    if source == latest.source:
        return latest
    return _add_revision_or_conflict(document, base + 1, source, message, actor, "edited")


def restore_revision(actor: User, document: Document, number: int) -> Revision:
    """Make an old revision's text the newest one, as a new revision: history is never rewritten."""
    old = queries.revision_by_number(document, number)
    if old is None:
        raise StudioError("There is no such revision.")
    latest = queries.latest_revision(document)
    return _add_revision_or_conflict(
        document,
        latest.number + 1,
        old.source,
        f"Restored revision {number}",
        actor,
        "restored",
        detail=f"from revision {number}",
    )


def _add_revision(document, number: int, source: str, message: str, actor) -> Revision:
    draft = read_draft(DocumentKind(document.kind), document.slug, source)
    revision = Revision(
        document=document,
        number=number,
        source=source,
        message=message[:200] or "Saved",
        author_id=actor.id if actor else None,
        title=draft.title[:200],
    )
    db.session.add(revision)
    return revision


def _add_revision_or_conflict(
    document, number: int, source: str, message: str, actor, action, **audit
) -> Revision:
    """Add revision ``number`` and its audit event in a savepoint. If another save took that
    number between our check and our insert, nothing of ours stays, the request goes on, and the
    caller gets a Conflict."""
    try:
        with db.session.begin_nested():
            revision = _add_revision(document, number, source, message, actor)
            record(action, actor=actor, document=document, revision_number=number, **audit)
    except sa.exc.IntegrityError:
        latest = queries.latest_revision(document)
        raise Conflict(latest, source, "Someone saved while you were saving.") from None
    return revision
