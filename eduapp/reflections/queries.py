"""Reads about shared reflections: the tutor's queue, a learner's own, peer reviews.

Every tutor-facing read filters through ``cohorts.queries.taught_learner_ids``: a tutor sees only
reflections that learners of the cohorts they teach shared with their tutors, never a playtest.
"""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import lazyload, selectinload

from eduapp.accounts.models import User
from eduapp.cohorts.models import Cohort, CohortMember, CohortTutor
from eduapp.cohorts.queries import cohorts_taught_by, taught_learner_ids
from eduapp.content.models import Document, DocumentKind, Version
from eduapp.content.queries import module_of, newest_versions, published_modules, scenario_of
from eduapp.extensions import db
from eduapp.paging import paginate_counting_ahead
from eduapp.player.models import Attempt
from eduapp.reflections.models import (
    BUILTIN_THEMES,
    PeerReview,
    PeerReviewAllocation,
    Reflection,
    ReflectionReply,
    ReflectionTheme,
    Theme,
    Visibility,
)

QUEUE_PAGE_SIZE = 20
MY_PAGE_SIZE = 20

#: A page of reflections shows each one's scenario: load the attempts (and their versions) in
#: one go, without the attempts' own choice events and reflections.
WITH_ATTEMPT = selectinload(Reflection.attempt).options(
    lazyload(Attempt.events), lazyload(Attempt.reflections)
)
#: A page also shows each one's replies (with their authors): one more query for the page.
WITH_REPLIES = selectinload(Reflection.replies)


@dataclass(frozen=True)
class QueueFilters:
    """Validated filters of the queue; None means "any"."""

    waiting_only: bool = True
    cohort_id: int | None = None
    scenario_slugs: tuple[str, ...] | None = None
    node_id: str | None = None
    profession: str | None = None


@dataclass(frozen=True)
class QueueOptions:
    """What the queue's filters offer: the tutor's own cohorts and the published course."""

    cohorts: list[Cohort]
    modules: list[Version]
    scenarios: list[Version]
    #: (node id, "node title (scenario title)") for every node that asks for a reflection.
    nodes: list[tuple[str, str]]

    def scenarios_of_module(self, slug: str) -> tuple[str, ...]:
        version = next(v for v in self.modules if v.slug == slug)
        return module_of(version).scenarios


def queue_options(tutor: User) -> QueueOptions:
    scenarios = sorted(newest_versions(DocumentKind.SCENARIO), key=lambda v: v.title)
    nodes: dict[str, str] = {}
    for version in scenarios:
        scenario = scenario_of(version)
        for node in scenario.nodes:
            if node.reflect:
                nodes.setdefault(node.id, f"{node.title} ({scenario.title})")
    return QueueOptions(
        cohorts=cohorts_taught_by(tutor),
        modules=published_modules(),
        scenarios=scenarios,
        nodes=sorted(nodes.items(), key=lambda item: item[1]),
    )


def _shared_reflections() -> sa.Select:
    """Reflections shared with tutors on a published version (so never a playtest)."""
    return (
        sa.select(Reflection)
        .join(Attempt, Attempt.id == Reflection.attempt_id)
        .join(Version, Version.id == Attempt.version_id)
        .join(Document, Document.id == Version.document_id)
        .where(Reflection.visibility == Visibility.TUTORS.value, Attempt.is_playtest.is_(False))
    )


def _has_reply():
    return sa.exists().where(ReflectionReply.reflection_id == Reflection.id)


def queue_page(tutor: User, filters: QueueFilters, page: int):
    """One page of the tutor's queue, oldest first."""
    query = _shared_reflections().where(Reflection.user_id.in_(taught_learner_ids(tutor)))
    if filters.cohort_id is not None:
        query = query.where(Reflection.user_id.in_(taught_learner_ids(tutor, filters.cohort_id)))
    if filters.waiting_only:
        query = query.where(~_has_reply())
    if filters.scenario_slugs is not None:
        query = query.where(Document.slug.in_(filters.scenario_slugs))
    if filters.node_id:
        query = query.where(Reflection.node_id == filters.node_id)
    if filters.profession:
        query = query.join(User, User.id == Reflection.user_id).where(
            User.profession == filters.profession
        )
    query = query.order_by(Reflection.created_at, Reflection.id).options(WITH_ATTEMPT, WITH_REPLIES)
    return paginate_counting_ahead(query, page, QUEUE_PAGE_SIZE)


def shared_reflection_for(tutor: User, reflection_id: int) -> Reflection | None:
    """The reflection if it is shared and its author is a learner this tutor teaches."""
    return db.session.scalar(
        _shared_reflections().where(
            Reflection.id == reflection_id,
            Reflection.user_id.in_(taught_learner_ids(tutor)),
        )
    )


@dataclass(frozen=True)
class ReflectionDetails:
    """What pages show beside each reflection, loaded for a whole page in a few queries (its
    replies are ``reflection.replies``, loaded with the page by ``WITH_REPLIES``)."""

    themes: dict[int, list[str]]
    reviews: dict[int, list[PeerReviewAllocation]]
    authors: dict[int, User]

    def node_title(self, reflection: Reflection) -> str:
        return node_title(reflection)


def details_for(reflections: list[Reflection], *, with_reviews: bool = False) -> ReflectionDetails:
    ids = [r.id for r in reflections]
    themes: dict[int, list[str]] = defaultdict(list)
    reviews: dict[int, list[PeerReviewAllocation]] = defaultdict(list)
    if ids:
        for reflection_id, name in db.session.execute(
            sa.select(ReflectionTheme.reflection_id, Theme.name)
            .join(Theme, Theme.id == ReflectionTheme.theme_id)
            .where(ReflectionTheme.reflection_id.in_(ids))
            .order_by(Theme.name)
        ):
            themes[reflection_id].append(name)
        if with_reviews:
            for reflection_id, allocation in db.session.execute(
                sa.select(PeerReview.reflection_id, PeerReviewAllocation)
                .join(PeerReview, PeerReview.id == PeerReviewAllocation.peer_review_id)
                .where(
                    PeerReview.reflection_id.in_(ids),
                    PeerReviewAllocation.submitted_at.is_not(None),
                )
                .order_by(PeerReviewAllocation.submitted_at, PeerReviewAllocation.id)
            ):
                reviews[reflection_id].append(allocation)
    user_ids = {r.user_id for r in reflections}
    authors = (
        {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    return ReflectionDetails(themes, reviews, authors)


def node_title(reflection: Reflection) -> str:
    """The title of the node the reflection was written at, in the version the learner played."""
    version = reflection.attempt.version
    if version is None:
        return reflection.node_id
    try:
        return scenario_of(version).node(reflection.node_id).title
    except KeyError:
        return reflection.node_id


def scenario_title(reflection: Reflection) -> str:
    return reflection.attempt.title


def theme_names() -> list[str]:
    """Every theme a tutor may tag with: the built-in ones (stored or not yet) and those added."""
    stored = db.session.scalars(sa.select(Theme.name))
    return sorted(set(BUILTIN_THEMES).union(stored))


def peer_review_cohorts(tutor: User, reflection: Reflection) -> list[Cohort]:
    """Cohorts the tutor teaches that the reflection's author belongs to."""
    return list(
        db.session.scalars(
            sa.select(Cohort)
            .join(CohortMember, CohortMember.cohort_id == Cohort.id)
            .join(CohortTutor, CohortTutor.cohort_id == Cohort.id)
            .where(CohortMember.user_id == reflection.user_id, CohortTutor.user_id == tutor.id)
            .order_by(Cohort.name, Cohort.id)
        )
    )


def peer_reviews_of(reflection: Reflection) -> list[PeerReview]:
    return list(
        db.session.scalars(
            sa.select(PeerReview)
            .where(PeerReview.reflection_id == reflection.id)
            .order_by(PeerReview.opened_at, PeerReview.id)
        )
    )


def learner_reflections_page(user: User, page: int):
    """A learner's own reflections, private and shared, newest first (playtests aside)."""
    query = (
        sa.select(Reflection)
        .join(Attempt, Attempt.id == Reflection.attempt_id)
        .where(Reflection.user_id == user.id, Attempt.is_playtest.is_(False))
        .order_by(Reflection.created_at.desc(), Reflection.id.desc())
        .options(WITH_ATTEMPT, WITH_REPLIES)
    )
    return db.paginate(query, page=page, per_page=MY_PAGE_SIZE, error_out=False)


def allocations_of(reviewer: User) -> list[tuple[PeerReviewAllocation, Reflection]]:
    """The reviewer's allocations on reflections still shared, open ones first."""
    return list(
        db.session.execute(
            sa.select(PeerReviewAllocation, Reflection)
            .join(PeerReview, PeerReview.id == PeerReviewAllocation.peer_review_id)
            .join(Reflection, Reflection.id == PeerReview.reflection_id)
            .where(
                PeerReviewAllocation.reviewer_id == reviewer.id,
                Reflection.visibility == Visibility.TUTORS.value,
            )
            .order_by(
                PeerReviewAllocation.submitted_at.is_not(None),
                PeerReviewAllocation.allocated_at.desc(),
                PeerReviewAllocation.id.desc(),
            )
        ).all()
    )


def reflection_of_allocation(allocation: PeerReviewAllocation) -> Reflection:
    return db.session.get(Reflection, allocation.peer_review.reflection_id)


def waiting_reflection_counts(cohort: Cohort, user_ids: list[int]) -> dict[int, int]:
    """Reflections shared with tutors and not yet replied to, per learner of ``user_ids`` (a
    dashboard page of the cohort's members: a page costs the same at any cohort size).

    Shape: ``{learner user id: number waiting}``; learners with none waiting are absent, so
    ``counts.get(member.user_id, 0)``. Playtests never count. One GROUP BY query. The caller
    must already have checked that the current user may see this cohort.
    """
    only = Reflection.user_id.in_(user_ids)
    rows = db.session.execute(
        sa.select(Reflection.user_id, sa.func.count(Reflection.id))
        .join(Attempt, Attempt.id == Reflection.attempt_id)
        .join(CohortMember, CohortMember.user_id == Reflection.user_id)
        .where(
            CohortMember.cohort_id == cohort.id,
            Reflection.visibility == Visibility.TUTORS.value,
            Attempt.is_playtest.is_(False),
            ~_has_reply(),
            only,
        )
        .group_by(Reflection.user_id)
    )
    return {user_id: count for user_id, count in rows}
