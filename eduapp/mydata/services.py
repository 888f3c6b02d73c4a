"""Writes for a learner's own data: asking for erasure, and an admin carrying it out."""

import sqlalchemy as sa

from eduapp.accounts.models import LoginSession, User
from eduapp.assessments.models import AssessmentAnswer, AssessmentAttempt
from eduapp.audit.models import AuditEvent
from eduapp.audit.services import record
from eduapp.cohorts.models import CohortInvite
from eduapp.extensions import db, utcnow
from eduapp.mydata.models import ErasureRequest
from eduapp.mydata.queries import pending_erasure_request
from eduapp.notifications.models import Notification
from eduapp.player.models import Reflection
from eduapp.reflections.models import (
    PeerReview,
    PeerReviewAllocation,
    ReflectionReply,
    ReflectionTheme,
)

ERASED_NAME = "Erased learner"
ERASED_TEXT = "[erased]"
#: Not an argon2 hash: no password ever verifies against it.
UNUSABLE_HASH = "!erased"


class ErasureError(ValueError):
    """An erasure refused, with a message for the admin."""


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@invalid.example"


def request_erasure(user: User) -> bool:
    """Ask for this learner's data to be erased. False if a request is pending already."""
    if pending_erasure_request(user) is not None:
        return False
    db.session.add(ErasureRequest(user_id=user.id))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # a second request raced this one: one is pending
        db.session.rollback()
        return False
    return True


def erase_learner(user: User, admin: User) -> None:
    """Remove everything that identifies the learner, in one transaction.

    The user row keeps its id (and profession, a cohort-level statistic), so their attempts and
    choices still count in "how others chose" and cohort figures; what they wrote is deleted or
    blanked, and they can never sign in again.
    """
    if user.id == admin.id:
        raise ErasureError("Nobody erases their own account; ask another administrator.")
    if user.erased_at is not None:
        raise ErasureError("This account was erased already.")
    old_email, old_name, now = user.email, user.display_name, utcnow()
    _delete_reflections(user)
    _blank_written_text(user)
    _forget_mentions(old_email, old_name, user.id)
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(sa.delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(sa.delete(CohortInvite).where(CohortInvite.email == old_email))
    user.email = erased_email(user.id)
    user.display_name = ERASED_NAME
    user.password_hash = UNUSABLE_HASH
    user.roles.clear()
    user.erased_at = now
    db.session.execute(
        sa.update(ErasureRequest)
        .where(ErasureRequest.user_id == user.id, ErasureRequest.carried_out_at.is_(None))
        .values(carried_out_at=now, carried_out_by_id=admin.id)
    )
    record("erased", actor=admin, detail=f"account {user.id}")
    db.session.commit()


def _delete_reflections(user: User) -> None:
    """Their reflections, with every reply, theme and peer review attached to them."""
    reflections = sa.select(Reflection.id).where(Reflection.user_id == user.id)
    reviews = sa.select(PeerReview.id).where(PeerReview.reflection_id.in_(reflections))
    for statement in (
        sa.delete(PeerReviewAllocation).where(PeerReviewAllocation.peer_review_id.in_(reviews)),
        sa.delete(PeerReview).where(PeerReview.reflection_id.in_(reflections)),
        sa.delete(ReflectionReply).where(ReflectionReply.reflection_id.in_(reflections)),
        sa.delete(ReflectionTheme).where(ReflectionTheme.reflection_id.in_(reflections)),
        sa.delete(Reflection).where(Reflection.user_id == user.id),
    ):
        db.session.execute(statement, execution_options={"synchronize_session": False})


def _blank_written_text(user: User) -> None:
    """Peer review comments they wrote; their free-text assessment answers and feedback on them."""
    db.session.execute(
        sa.update(PeerReviewAllocation)
        .where(PeerReviewAllocation.reviewer_id == user.id)
        .values(comment="")
    )
    answers = db.session.scalars(
        sa.select(AssessmentAnswer)
        .join(AssessmentAttempt, AssessmentAttempt.id == AssessmentAnswer.attempt_id)
        .where(AssessmentAttempt.user_id == user.id)
    )
    for answer in answers:
        erased = _erase_strings(answer.answer)
        if erased != answer.answer:  # a free-text answer: the tutor's words were about it
            answer.answer = erased
            if answer.tutor_feedback:
                answer.tutor_feedback = ERASED_TEXT


def _erase_strings(value):
    """The same answer with every piece of text replaced: indices and numbers stay."""
    if isinstance(value, str):
        return ERASED_TEXT
    if isinstance(value, dict):
        return {key: _erase_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_erase_strings(item) for item in value]
    return value


def _forget_mentions(old_email: str, old_name: str, user_id: int) -> None:
    """Others' notifications and audit details that name them (an invitation by e-mail, say)
    keep their event but lose the name and address."""
    replacements = [(old_email, erased_email(user_id))]
    if old_name.strip():
        replacements.append((old_name, ERASED_NAME))
    for model, column in ((Notification, Notification.text), (AuditEvent, AuditEvent.detail)):
        for old, new in replacements:
            db.session.execute(
                sa.update(model)
                .where(column.contains(old, autoescape=True))
                .values({column: sa.func.replace(column, old, new)}),
                execution_options={"synchronize_session": False},
            )
