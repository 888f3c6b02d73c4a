"""Reads of the audit log. The words an event is about (a revision's message, a sign-off's note)
are read from their own rows, so the log never holds a copy of anyone's words."""

import sqlalchemy as sa

from eduapp.audit.models import AuditEvent
from eduapp.content.models import Revision
from eduapp.extensions import db
from eduapp.studio.models import SignOff

#: Events whose words live in a revision (its message) or in the actor's sign-off (its note).
REVISION_MESSAGES = ("edited",)
SIGN_OFF_NOTES = ("signed_off", "requested_changes")


def audit_page(page: int, per_page: int = 50):
    """Newest first."""
    return db.paginate(
        sa.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def words_of(events: list[AuditEvent]) -> dict[int, str]:
    """Event id -> the revision message or sign-off note it is about, as they read now."""
    revisions = {
        (e.document_id, e.revision_number)
        for e in events
        if e.action in REVISION_MESSAGES + SIGN_OFF_NOTES and e.document_id is not None
    }
    if not revisions:
        return {}
    revision_key = sa.tuple_(Revision.document_id, Revision.number)
    messages = {
        (document_id, number): message
        for document_id, number, message in db.session.execute(
            sa.select(Revision.document_id, Revision.number, Revision.message).where(
                revision_key.in_(revisions)
            )
        )
    }
    notes = {
        (document_id, number, user_id): note
        for document_id, number, user_id, note in db.session.execute(
            sa.select(Revision.document_id, Revision.number, SignOff.user_id, SignOff.note)
            .join(Revision, Revision.id == SignOff.revision_id)
            .where(revision_key.in_(revisions))
        )
    }
    words = {}
    for event in events:
        key = (event.document_id, event.revision_number)
        if event.action in REVISION_MESSAGES:
            words[event.id] = messages.get(key, "")
        elif event.action in SIGN_OFF_NOTES:
            words[event.id] = notes.get((*key, event.actor_id), "")
    return words
