"""Recording audit events. Callers own the transaction: an event commits with what it records."""

from eduapp.audit.models import AuditEvent
from eduapp.extensions import db


def record(action: str, *, actor=None, document=None, revision_number=None, detail="") -> None:
    db.session.add(
        AuditEvent(
            action=action,
            actor_id=actor.id if actor is not None else None,
            document_id=document.id if document is not None else None,
            revision_number=revision_number,
            detail=detail[:300],
        )
    )
