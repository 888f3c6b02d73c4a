"""Recording audit events. Callers own the transaction: an event commits with what it records.

An event names people by id (its actor, its subject) and never copies their words or addresses:
names are read at display time, so erasing someone never edits the log (SECURITY.md row 28).
"""

from eduapp.audit.models import AuditEvent
from eduapp.extensions import db


def record(
    action: str, *, actor=None, document=None, revision_number=None, subject=None, detail=""
) -> None:
    """Add an event. ``subject`` is the person it is about (someone invited or removed);
    ``detail`` holds only facts the app itself states (a role, a version number)."""
    db.session.add(
        AuditEvent(
            action=action,
            actor_id=actor.id if actor is not None else None,
            document_id=document.id if document is not None else None,
            revision_number=revision_number,
            subject_id=subject.id if subject is not None else None,
            detail=detail[:300],
        )
    )
