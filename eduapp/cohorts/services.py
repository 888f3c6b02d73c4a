"""Writes for cohorts: creating them, joining, inviting, co-tutors and assigned modules.

Joining and leaving are told as events (cohorts/signals.py), which the tallies count in the
same transaction.
"""

import secrets
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask import current_app

from eduapp.accounts.models import Role, User
from eduapp.accounts.queries import verified_account_for
from eduapp.accounts.services import normalise_email
from eduapp.cohorts.models import Cohort, CohortInvite, CohortMember, CohortModule, CohortTutor
from eduapp.cohorts.queries import cohort_by_code, is_member_of
from eduapp.cohorts.signals import (
    learner_joined,
    learner_left,
    learners_invited,
    membership_changing,
)
from eduapp.content.models import Document
from eduapp.extensions import db

#: No 0/O or 1/I: codes are read aloud in class and typed from a slide.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: A module due on a day is due at the end of it (UTC): work finished that day is on time.
DUE_TIME = time(23, 59)


class CohortError(ValueError):
    """A cohort request refused, with a message for the person who made it."""


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def create_cohort(tutor: User, name: str) -> Cohort:
    cohort = Cohort(name=name.strip(), join_code=new_join_code())
    cohort.tutors.append(CohortTutor(user_id=tutor.id))
    db.session.add(cohort)
    db.session.flush()
    return cohort


def join_with_code(learner: User, code: str) -> Cohort:
    cohort = cohort_by_code(code)
    if cohort is None:
        raise CohortError("No cohort has that code. Check it with your tutor.")
    return join(learner, cohort)


def join(learner: User, cohort: Cohort) -> Cohort:
    """Join a cohort; joining twice is harmless."""
    if not learner.has_role(Role.LEARNER):
        raise CohortError("Only learners join cohorts; tutors are added as co-tutors.")
    if not is_member_of(learner, cohort.id):
        app = current_app._get_current_object()
        membership_changing.send(app, user_id=learner.id, cohort_id=cohort.id)
        try:
            with db.session.begin_nested():
                db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner.id))
                db.session.flush()
                learner_joined.send(app, user_id=learner.id, cohort_id=cohort.id)
        except sa.exc.IntegrityError:
            pass  # a double click joined already: its request counted the join
    return cohort


def leave(learner: User, cohort: Cohort) -> None:
    """Leave a cohort: the learner's play stops counting in its figures."""
    app = current_app._get_current_object()
    membership_changing.send(app, user_id=learner.id, cohort_id=cohort.id)
    left = db.session.execute(
        sa.delete(CohortMember).where(
            CohortMember.cohort_id == cohort.id, CohortMember.user_id == learner.id
        )
    ).rowcount
    if left:
        learner_left.send(app, user_id=learner.id, cohort_id=cohort.id)


def invite_emails(
    cohort: Cohort, text: str, inviter: User | None = None
) -> tuple[list[str], list[str]]:
    """Invite every address in ``text`` (commas, spaces or lines); returns (added, refused).
    Each address invited for the first time is told by mail (``learners_invited``)."""
    added, refused = [], []
    existing = {
        i.email
        for i in db.session.scalars(
            sa.select(CohortInvite).where(CohortInvite.cohort_id == cohort.id)
        )
    }
    for raw in filter(None, (part.strip() for part in text.replace(",", " ").split())):
        email = normalise_email(raw)
        if "@" not in email or len(email) > 254 or email.startswith("@"):
            refused.append(raw[:80])
        elif email not in existing:
            db.session.add(CohortInvite(cohort_id=cohort.id, email=email))
            existing.add(email)
            added.append(email)
    db.session.flush()
    if added:
        learners_invited.send(
            current_app._get_current_object(),
            emails=added,
            cohort_name=cohort.name,
            inviter_name=inviter.display_name if inviter else "",
        )
    return added, refused


def add_co_tutor(cohort: Cohort, email: str) -> User:
    """Add the tutor whose confirmed address this is. One answer for no account, an account that
    is not a tutor's and an unconfirmed address, so nobody learns who has an account."""
    user = verified_account_for(email)
    if user is None or not user.has_role(Role.TUTOR):
        raise CohortError(
            "No tutor account with a confirmed address uses that e-mail address. "
            "Check it, or ask them to confirm their address from their profile."
        )
    if any(t.user_id == user.id for t in cohort.tutors):
        raise CohortError(f"{user.display_name} teaches this cohort already.")
    cohort.tutors.append(CohortTutor(user_id=user.id))
    db.session.flush()
    return user


def set_module(cohort: Cohort, document_id: int, due_on: date | None) -> None:
    """Set a module for the cohort as its tutors do, due at the end of ``due_on`` or with no due
    date. The module is one of the published ones (``AssignModuleForm`` checked it)."""
    due_at = datetime.combine(due_on, DUE_TIME, tzinfo=UTC) if due_on is not None else None
    _assign(cohort, document_id, due_at)


def assign_module(cohort: Cohort, document: Document, due_at: datetime | None) -> None:
    """Set a module for the cohort, or change its due date (to the moment given)."""
    _assign(cohort, document.id, due_at)


def _assign(cohort: Cohort, document_id: int, due_at: datetime | None) -> None:
    existing = db.session.get(CohortModule, (cohort.id, document_id))
    if existing is None:
        cohort.modules.append(CohortModule(document_id=document_id, due_at=due_at))
    else:
        existing.due_at = due_at
    db.session.flush()


def unassign_module(cohort: Cohort, document_id: int) -> bool:
    """Stop setting a module for the cohort. False if it was not set (another tutor removed it,
    or a stale page)."""
    removed = db.session.execute(
        sa.delete(CohortModule).where(
            CohortModule.cohort_id == cohort.id, CohortModule.document_id == document_id
        )
    ).rowcount
    return bool(removed)


def renew_join_code(cohort: Cohort) -> str:
    cohort.join_code = new_join_code()
    db.session.flush()
    return cohort.join_code
