"""Reads about cohorts, and the one rule for who sees whose data: a tutor sees the learners of
the cohorts they teach, and nothing of any other cohort."""

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.accounts.queries import has_verified_address, is_verified_owner
from eduapp.cohorts.models import Cohort, CohortInvite, CohortMember, CohortTutor
from eduapp.extensions import db


def cohorts_taught_by(user: User) -> list[Cohort]:
    return list(
        db.session.scalars(
            sa.select(Cohort)
            .join(CohortTutor, CohortTutor.cohort_id == Cohort.id)
            .where(CohortTutor.user_id == user.id)
            .order_by(Cohort.created_at.desc(), Cohort.id.desc())
        )
    )


def cohorts_of_learner(user: User) -> list[Cohort]:
    return list(
        db.session.scalars(
            sa.select(Cohort)
            .join(CohortMember, CohortMember.cohort_id == Cohort.id)
            .where(CohortMember.user_id == user.id)
            .order_by(Cohort.name, Cohort.id)
        )
    )


def is_tutor_of(user: User, cohort_id: int) -> bool:
    return db.session.get(CohortTutor, (cohort_id, user.id)) is not None


def is_member_of(user: User, cohort_id: int) -> bool:
    return db.session.get(CohortMember, (cohort_id, user.id)) is not None


def taught_learner_ids(tutor: User, cohort_id: int | None = None) -> sa.Select:
    """A subquery of the ids of learners in the cohorts this tutor teaches (or in one of them).

    Every tutor-facing query filters through this, so the rule lives in one place.
    """
    query = (
        sa.select(CohortMember.user_id)
        .join(CohortTutor, CohortTutor.cohort_id == CohortMember.cohort_id)
        .where(CohortTutor.user_id == tutor.id)
    )
    if cohort_id is not None:
        query = query.where(CohortMember.cohort_id == cohort_id)
    return query


def teaches_learner(tutor: User, learner_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                taught_learner_ids(tutor).where(CohortMember.user_id == learner_id).exists()
            )
        )
        is True
    )


def members_of(cohort: Cohort) -> list[CohortMember]:
    return list(
        db.session.scalars(
            sa.select(CohortMember)
            .join(User, User.id == CohortMember.user_id)
            .where(CohortMember.cohort_id == cohort.id)
            .order_by(User.display_name, User.id)
        )
    )


def _waiting_invites(user: User) -> sa.Select:
    joined = sa.select(CohortMember.cohort_id).where(CohortMember.user_id == user.id)
    return sa.select(CohortInvite).where(
        CohortInvite.email == user.email, CohortInvite.cohort_id.not_in(joined)
    )


def pending_invites_for(user: User) -> list[CohortInvite]:
    """Invitations to the user's address for cohorts they have not joined yet; none until the
    address is confirmed as theirs, or whoever signed up with it first would get them (row 30)."""
    if not has_verified_address(user):
        return []
    return list(db.session.scalars(_waiting_invites(user)))


def invites_await_confirmation(user: User) -> bool:
    """True when invitations to the user's unconfirmed address wait for it to be confirmed.

    Only that: which cohorts invited the address is not for whoever holds an unconfirmed one.
    """
    if has_verified_address(user):
        return False
    return db.session.scalar(sa.select(_waiting_invites(user).exists())) is True


def invite_for(user: User, invite_id: int) -> CohortInvite | None:
    """An invitation, if it was sent to this user's address and the address is confirmed."""
    invite = db.session.get(CohortInvite, invite_id)
    return invite if invite is not None and is_verified_owner(user, invite.email) else None


def invites_of(cohort: Cohort) -> list[CohortInvite]:
    return list(
        db.session.scalars(
            sa.select(CohortInvite)
            .where(CohortInvite.cohort_id == cohort.id)
            .order_by(CohortInvite.email)
        )
    )


def cohort_by_code(code: str) -> Cohort | None:
    return db.session.scalar(sa.select(Cohort).where(Cohort.join_code == code.strip().upper()))
