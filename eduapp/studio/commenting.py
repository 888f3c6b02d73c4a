"""Comments on a draft: threads anchored to a node, the reading or the whole draft; resolving."""

from flask import current_app

from eduapp.extensions import db, utcnow
from eduapp.studio.errors import StudioError
from eduapp.studio.models import Comment
from eduapp.studio.signals import comment_posted


def add_comment(actor, document, revision_number: int, anchor: str, body: str, parent_id=None):
    """A new thread, or a reply to ``parent_id`` (one level deep, on the thread's anchor); the
    other members, or the thread's people, are told (``comment_posted``)."""
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.document_id != document.id or parent.parent_id is not None:
            raise StudioError("That comment thread does not exist here.")
        anchor = parent.anchor
    comment = Comment(
        document_id=document.id,
        revision_number=revision_number,
        anchor=anchor,
        parent_id=parent.id if parent else None,
        author_id=actor.id,
        body=body.strip(),
    )
    db.session.add(comment)
    db.session.flush()
    comment_posted.send(current_app._get_current_object(), document=document, comment=comment)
    return comment


def set_resolved(actor, comment: Comment, resolved: bool) -> None:
    """Resolve a thread, or reopen it."""
    comment.is_resolved = resolved
    comment.resolved_by_id = actor.id if resolved else None
    comment.resolved_at = utcnow() if resolved else None
    db.session.flush()
