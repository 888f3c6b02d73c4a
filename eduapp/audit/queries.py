import sqlalchemy as sa

from eduapp.audit.models import AuditEvent
from eduapp.extensions import db


def audit_page(page: int, per_page: int = 50):
    """Newest first."""
    return db.paginate(
        sa.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
