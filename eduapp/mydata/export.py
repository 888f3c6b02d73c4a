"""Everything the platform holds about one user, as plain data for their download.

Nothing secret travels: no password hash, no session token, no other learner's identity (peer
reviewers stay anonymous, as they are in the app).
"""

import json
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.assessments.models import AssessmentAttempt
from eduapp.cohorts.models import Cohort, CohortInvite, CohortMember
from eduapp.content.models import Document
from eduapp.extensions import db
from eduapp.mydata.models import ErasureRequest
from eduapp.notifications.models import Notification
from eduapp.player.models import Attempt, Reflection
from eduapp.reflections.models import PeerReview, ReflectionReply, ReflectionTheme
from eduapp.studio.models import Comment

CHOICE_HEADER = (
    "attempt",
    "scenario",
    "version",
    "attempt status",
    "step",
    "from node",
    "choice number",
    "choice",
    "to node",
    "variables after",
    "seconds on node",
    "chosen at (UTC)",
)
REFLECTION_HEADER = (
    "reflection",
    "attempt",
    "scenario",
    "node",
    "prompt",
    "reflection",
    "who may read it",
    "written at (UTC)",
    "updated at (UTC)",
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _scenario(attempt: Attempt) -> dict:
    if attempt.version is not None:
        return {"slug": attempt.version.slug, "title": attempt.version.title}
    return {"slug": attempt.revision.document.slug, "title": attempt.revision.title}


def _attempts(user: User) -> list[Attempt]:
    return list(
        db.session.scalars(
            sa.select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.id)
        )
    )


def _reflections(user: User) -> list[Reflection]:
    return list(
        db.session.scalars(
            sa.select(Reflection)
            .where(Reflection.user_id == user.id)
            .order_by(Reflection.created_at, Reflection.id)
        )
    )


def _by_reflection(query, key) -> dict[int, list]:
    grouped = defaultdict(list)
    for row in db.session.scalars(query):
        grouped[key(row)].append(row)
    return grouped


def _reflection_extras(user: User) -> tuple[dict, dict, dict]:
    """Replies, themes and peer reviews on the user's reflections, by reflection id."""
    mine = sa.select(Reflection.id).where(Reflection.user_id == user.id)
    replies = _by_reflection(
        sa.select(ReflectionReply)
        .where(ReflectionReply.reflection_id.in_(mine))
        .order_by(ReflectionReply.created_at, ReflectionReply.id),
        lambda reply: reply.reflection_id,
    )
    themes = _by_reflection(
        sa.select(ReflectionTheme).where(ReflectionTheme.reflection_id.in_(mine)),
        lambda tag: tag.reflection_id,
    )
    reviews = _by_reflection(
        sa.select(PeerReview).where(PeerReview.reflection_id.in_(mine)).order_by(PeerReview.id),
        lambda review: review.reflection_id,
    )
    return replies, themes, reviews


def _reflection(reflection: Reflection, replies, themes, reviews) -> dict:
    return {
        "id": reflection.id,
        "attempt": reflection.attempt_id,
        "scenario": _scenario(reflection.attempt),
        "node": reflection.node_id,
        "prompt": reflection.prompt,
        "text": reflection.body,
        "visibility": reflection.visibility,
        "created_at": _iso(reflection.created_at),
        "updated_at": _iso(reflection.updated_at),
        "replies": [
            {
                "from": reply.author.display_name if reply.author else None,
                "text": reply.body,
                "created_at": _iso(reply.created_at),
            }
            for reply in replies.get(reflection.id, [])
        ],
        "themes": sorted(tag.theme.name for tag in themes.get(reflection.id, [])),
        # Reviewers are anonymous to the author in the app, and so they are here.
        "peer_reviews": [
            {
                "opened_at": _iso(review.opened_at),
                "scores": allocation.scores,
                "comment": allocation.comment,
                "submitted_at": _iso(allocation.submitted_at),
            }
            for review in reviews.get(reflection.id, [])
            for allocation in review.allocations
            if allocation.submitted_at is not None
        ],
    }


def _assessment_attempts(user: User) -> list[dict]:
    attempts = db.session.scalars(
        sa.select(AssessmentAttempt)
        .where(AssessmentAttempt.user_id == user.id)
        .order_by(AssessmentAttempt.id)
    )
    return [
        {
            "id": attempt.id,
            "assessment": {"slug": attempt.version.slug, "title": attempt.version.title},
            "version": attempt.version.number,
            "number": attempt.number,
            "started_at": _iso(attempt.started_at),
            "submitted_at": _iso(attempt.submitted_at),
            "points": attempt.points,
            "max_points": attempt.max_points,
            "passed": attempt.is_passed,
            "answers": [
                {
                    "question": answer.question_id,
                    "answer": answer.answer,
                    "points": answer.points,
                    "max_points": answer.max_points,
                    "waiting_for_a_mark": answer.needs_marking,
                    "marked_at": _iso(answer.marked_at),
                    "rubric_points": answer.rubric_points,
                    "feedback": answer.tutor_feedback,
                }
                for answer in attempt.answers
            ],
        }
        for attempt in attempts
    ]


def _cohorts(user: User) -> tuple[list[dict], list[dict]]:
    memberships = db.session.execute(
        sa.select(Cohort.name, CohortMember.joined_at)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user.id)
        .order_by(CohortMember.joined_at)
    )
    invites = db.session.execute(
        sa.select(Cohort.name, CohortInvite.created_at)
        .join(CohortInvite, CohortInvite.cohort_id == Cohort.id)
        .where(CohortInvite.email == user.email)
        .order_by(CohortInvite.created_at)
    )
    return (
        [{"cohort": name, "joined_at": _iso(at)} for name, at in memberships],
        [{"cohort": name, "invited_at": _iso(at)} for name, at in invites],
    )


def _rows(query, fields) -> list[dict]:
    return [dict(zip(fields, row, strict=True)) for row in db.session.execute(query)]


def export_of(user: User) -> dict:
    """Every record of this user, nested as a person would read it."""
    replies, themes, reviews = _reflection_extras(user)
    memberships, invitations = _cohorts(user)
    return {
        "account": {
            "email": user.email,
            "name": user.display_name,
            "profession": user.profession,
            "roles": sorted(role.value for role in user.role_set),
            "created_at": _iso(user.created_at),
        },
        "attempts": [
            {
                "id": attempt.id,
                "scenario": _scenario(attempt),
                "version": attempt.version.number if attempt.version else None,
                "playtest": attempt.is_playtest,
                "status": attempt.status,
                "started_at": _iso(attempt.started_at),
                "completed_at": _iso(attempt.completed_at),
                "choices": [
                    {
                        "step": event.step,
                        "from_node": event.from_node,
                        "choice_number": event.choice_number,
                        "choice": event.choice_label,
                        "to_node": event.to_node,
                        "variables_after": event.variables_after,
                        "seconds_on_node": event.seconds_on_node,
                        "chosen_at": _iso(event.created_at),
                    }
                    for event in attempt.events
                ],
            }
            for attempt in _attempts(user)
        ],
        "reflections": [_reflection(r, replies, themes, reviews) for r in _reflections(user)],
        "assessment_attempts": _assessment_attempts(user),
        "cohorts": memberships,
        "cohort_invitations": invitations,
        "studio_comments": _rows(
            sa.select(Document.slug, Comment.anchor, Comment.body, Comment.created_at)
            .join(Document, Document.id == Comment.document_id)
            .where(Comment.author_id == user.id)
            .order_by(Comment.id),
            ("document", "anchor", "text", "created_at"),
        ),
        "notifications": _rows(
            sa.select(Notification.text, Notification.link, Notification.created_at)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id),
            ("text", "link", "created_at"),
        ),
        "erasure_requests": _rows(
            sa.select(ErasureRequest.requested_at, ErasureRequest.carried_out_at)
            .where(ErasureRequest.user_id == user.id)
            .order_by(ErasureRequest.id),
            ("requested_at", "carried_out_at"),
        ),
    }


def export_json(user: User) -> str:
    return json.dumps(export_of(user), ensure_ascii=False, indent=2, default=_iso)


def choice_rows(user: User) -> list[tuple]:
    return [
        (
            attempt.id,
            _scenario(attempt)["title"],
            attempt.version.number if attempt.version else "playtest",
            attempt.status,
            event.step,
            event.from_node,
            event.choice_number,
            event.choice_label,
            event.to_node,
            json.dumps(event.variables_after, sort_keys=True),
            event.seconds_on_node,
            _iso(event.created_at),
        )
        for attempt in _attempts(user)
        for event in attempt.events
    ]


def reflection_rows(user: User) -> list[tuple]:
    return [
        (
            r.id,
            r.attempt_id,
            _scenario(r.attempt)["title"],
            r.node_id,
            r.prompt,
            r.body,
            r.visibility_label,
            _iso(r.created_at),
            _iso(r.updated_at),
        )
        for r in _reflections(user)
    ]
