"""Writes about shared reflections: replies, themes, peer review, and the learner's visibility.

Each function changes the request's transaction (eduapp/transaction.py); the notifications it
sends are written in the same transaction.
Callers have already loaded the reflection through the access rules (tutor or owner).
"""

import secrets

import sqlalchemy as sa

from eduapp.accounts.models import Role, User, UserRole
from eduapp.cohorts.models import CohortMember
from eduapp.extensions import db, utcnow
from eduapp.notifications.services import notify
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
from eduapp.reflections.queries import peer_review_cohorts, scenario_title
from eduapp.urls import path_to

#: How many peers review one reflection (fewer when the cohort is small).
REVIEWERS_PER_REFLECTION = 2

#: The peer-review rubric: criterion key -> what the reviewer judges, each scored 1 to 4.
RUBRIC = (
    ("connects", "Connects the experience to co-creation ideas"),
    ("tension", "Names the tension honestly"),
    ("perspective", "Considers the patient's or another profession's view"),
)
RUBRIC_SCORES = (1, 2, 3, 4)

#: The longest theme name, after normalising: what the themes column holds.
THEME_MAX_CHARS = Theme.__table__.c.name.type.length
#: Themes are shared by every tutor: one request may add only a few (SECURITY.md row 35).
NEW_THEMES_PER_REQUEST = 10
THEME_TOO_LONG = f"A theme can be at most {THEME_MAX_CHARS} characters long."


class ReflectionError(ValueError):
    """A request refused, with a message for the person who made it."""


def _my_reflection_link(reflection: Reflection) -> str:
    return path_to("reflections.my_reflection", reflection_id=reflection.id)


def reply(tutor: User, reflection: Reflection, body: str) -> ReflectionReply:
    """A tutor's reply; the learner is notified in the same transaction."""
    answer = ReflectionReply(reflection=reflection, author_id=tutor.id, body=body.strip())
    db.session.add(answer)
    notify(
        reflection.user_id,
        f"Your tutor replied to your reflection on “{scenario_title(reflection)}”.",
        _my_reflection_link(reflection),
    )
    db.session.flush()
    return answer


def normalise_theme(name: str) -> str:
    """Themes are compared without case or extra spaces: "Power  and Hierarchy" is a duplicate."""
    return " ".join(name.split()).lower()


def _theme_named(name: str, creator: User | None) -> Theme:
    """The theme with this (normalised) name, created if missing; safe against a racing tutor."""
    theme = db.session.scalar(sa.select(Theme).where(Theme.name == name))
    if theme is not None:
        return theme
    try:
        with db.session.begin_nested():
            theme = Theme(name=name, created_by_id=creator.id if creator else None)
            db.session.add(theme)
    except sa.exc.IntegrityError:
        theme = db.session.scalar(sa.select(Theme).where(Theme.name == name))
    return theme


def _check_new_themes(new: set[str]) -> None:
    if any(len(name) > THEME_MAX_CHARS for name in new):
        raise ReflectionError(THEME_TOO_LONG)
    if len(new) > NEW_THEMES_PER_REQUEST:
        raise ReflectionError(f"Add at most {NEW_THEMES_PER_REQUEST} new themes at a time.")


def ensure_builtin_themes() -> None:
    """Store the built-in themes that are not stored yet. Idempotent; does not commit."""
    for name in BUILTIN_THEMES:
        _theme_named(name, None)


def set_themes(tutor: User, reflection: Reflection, names: list[str], new_theme: str = "") -> None:
    """Tag the reflection with exactly the checked themes, plus a new one if one was typed.

    Themes are shared by every tutor, so one request adds at most NEW_THEMES_PER_REQUEST of
    them, each of at most THEME_MAX_CHARS characters; past that, ReflectionError and nothing
    changes (SECURITY.md row 35).
    """
    wanted = {normalise_theme(name) for name in [*names, new_theme]} - {""}
    stored = {theme.name: theme for theme in db.session.scalars(sa.select(Theme))}
    _check_new_themes(wanted - stored.keys() - set(BUILTIN_THEMES))
    ensure_builtin_themes()
    themes = {name: stored.get(name) or _theme_named(name, tutor) for name in sorted(wanted)}
    current = {
        tag.theme_id: tag
        for tag in db.session.scalars(
            sa.select(ReflectionTheme).where(ReflectionTheme.reflection_id == reflection.id)
        )
    }
    wanted_ids = {theme.id for theme in themes.values()}
    for theme_id, tag in current.items():
        if theme_id not in wanted_ids:
            db.session.delete(tag)
    for theme_id in wanted_ids - current.keys():
        db.session.add(
            ReflectionTheme(reflection_id=reflection.id, theme_id=theme_id, tagged_by_id=tutor.id)
        )
    db.session.flush()


def _reviewer_candidates(cohort_id: int, author_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(CohortMember.user_id)
            .join(User, User.id == CohortMember.user_id)
            .join(UserRole, UserRole.user_id == CohortMember.user_id)
            .where(
                CohortMember.cohort_id == cohort_id,
                CohortMember.user_id != author_id,
                UserRole.role == Role.LEARNER.value,
                User.erased_at.is_(None),
            )
            .order_by(CohortMember.user_id)
        )
    )


def open_peer_review(tutor: User, reflection: Reflection, cohort_id: int) -> PeerReview:
    """Open the reflection for anonymous peer review in one of the tutor's cohorts that its
    author belongs to: up to two other learners of that cohort are drawn at random."""
    cohort = next((c for c in peer_review_cohorts(tutor, reflection) if c.id == cohort_id), None)
    if cohort is None:
        raise ReflectionError("Choose a cohort you teach that the author belongs to.")
    if db.session.scalar(
        sa.select(PeerReview.id).where(
            PeerReview.reflection_id == reflection.id, PeerReview.cohort_id == cohort.id
        )
    ):
        raise ReflectionError(f"It is open for peer review in {cohort.name} already.")
    candidates = _reviewer_candidates(cohort.id, reflection.user_id)
    if not candidates:
        raise ReflectionError(f"No other learner in {cohort.name} can review it yet.")
    chosen = secrets.SystemRandom().sample(
        candidates, min(REVIEWERS_PER_REFLECTION, len(candidates))
    )
    review = PeerReview(reflection_id=reflection.id, cohort_id=cohort.id, opened_by_id=tutor.id)
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except sa.exc.IntegrityError:  # another tutor opened it in this cohort a moment ago
        raise ReflectionError(f"It is open for peer review in {cohort.name} already.") from None
    for reviewer_id in chosen:
        allocation = PeerReviewAllocation(peer_review_id=review.id, reviewer_id=reviewer_id)
        db.session.add(allocation)
        db.session.flush()
        notify(
            reviewer_id,
            "A reflection from your cohort is waiting for your anonymous peer review.",
            path_to("reflections.peer_review", allocation_id=allocation.id),
        )
    notify(
        reflection.user_id,
        f"Your tutor opened your reflection on “{scenario_title(reflection)}” for anonymous "
        f"peer review in {cohort.name}.",
        _my_reflection_link(reflection),
    )
    db.session.flush()
    return review


def submit_peer_review(allocation: PeerReviewAllocation, scores: dict[str, int], comment: str):
    """Record the reviewer's rubric once. Returns False (and changes nothing) if it was
    submitted already: a second submit, a double click or a replayed request."""
    claimed = db.session.execute(
        sa.update(PeerReviewAllocation)
        .where(
            PeerReviewAllocation.id == allocation.id,
            PeerReviewAllocation.submitted_at.is_(None),
        )
        .values(submitted_at=utcnow(), scores=scores, comment=comment.strip())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    reflection = db.session.get(Reflection, allocation.peer_review.reflection_id)
    notify(
        reflection.user_id,
        f"A peer reviewed your reflection on “{scenario_title(reflection)}”.",
        _my_reflection_link(reflection),
    )
    db.session.refresh(allocation)
    return True


def change_visibility(reflection: Reflection, visibility: Visibility) -> None:
    """The learner decides who may read it. Making it private again hides it from tutors'
    queues and from peer reviewers; replies and reviews already given stay with the learner."""
    reflection.visibility = visibility.value
    db.session.flush()
