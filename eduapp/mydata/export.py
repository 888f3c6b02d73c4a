"""Everything the platform holds about one user, as plain data for their download.

The sections are those of the personal-data registry (eduapp/privacy.py); those that nest or
join are built here, the rest list their table's columns as the registry says. Nothing secret
travels: no password hash, no session token, no other learner's identity (peer reviewers stay
anonymous, as they are in the app).
"""

import json
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.accounts.queries import has_verified_address
from eduapp.assessments.models import AssessmentAttempt
from eduapp.audit.models import AuditEvent
from eduapp.cohorts.models import Cohort, CohortInvite, CohortMember, CohortTutor
from eduapp.content.models import Document, Revision
from eduapp.extensions import db
from eduapp.mydata import registry
from eduapp.player.models import Attempt
from eduapp.privacy import Personal
from eduapp.reflections.models import PeerReview, Reflection, ReflectionReply, ReflectionTheme
from eduapp.studio.models import Comment, Membership, SignOff

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


def _account(user: User) -> dict:
    return {
        "email": user.email,
        "name": user.display_name,
        "profession": user.profession,
        "roles": sorted(role.value for role in user.role_set),
        "created_at": _iso(user.created_at),
    }


def _attempts_section(user: User) -> list[dict]:
    return [
        {
            "id": attempt.id,
            "scenario": _scenario(attempt),
            "version": attempt.version.number if attempt.version else None,
            "playtest": attempt.is_playtest,
            "status": attempt.status,
            "at_node": attempt.node_id,
            "variables": attempt.variables,
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
    ]


def _reflections_section(user: User) -> list[dict]:
    replies, themes, reviews = _reflection_extras(user)
    return [_reflection(r, replies, themes, reviews) for r in _reflections(user)]


def _rows(query, fields) -> list[dict]:
    return [dict(zip(fields, row, strict=True)) for row in db.session.execute(query)]


def _cohorts(user: User) -> list[dict]:
    return _rows(
        sa.select(Cohort.name, CohortMember.joined_at)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user.id)
        .order_by(CohortMember.joined_at),
        ("cohort", "joined_at"),
    )


def _cohorts_taught(user: User) -> list[dict]:
    return _rows(
        sa.select(Cohort.name, CohortTutor.added_at)
        .join(CohortTutor, CohortTutor.cohort_id == Cohort.id)
        .where(CohortTutor.user_id == user.id)
        .order_by(CohortTutor.added_at),
        ("cohort", "added_at"),
    )


def _cohort_invitations(user: User) -> list[dict]:
    if not has_verified_address(user):  # invitations belong to the address's confirmed owner
        return []
    return _rows(
        sa.select(Cohort.name, CohortInvite.created_at)
        .join(CohortInvite, CohortInvite.cohort_id == Cohort.id)
        .where(CohortInvite.email == user.email)
        .order_by(CohortInvite.created_at),
        ("cohort", "invited_at"),
    )


def _studio_memberships(user: User) -> list[dict]:
    return _rows(
        sa.select(
            Document.kind, Document.slug, Membership.role, Membership.credit, Membership.created_at
        )
        .join(Document, Document.id == Membership.document_id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.id),
        ("kind", "document", "role", "credit", "since"),
    )


def _studio_revisions(user: User) -> list[dict]:
    return _rows(
        sa.select(
            Document.kind, Document.slug, Revision.number, Revision.message, Revision.created_at
        )
        .join(Document, Document.id == Revision.document_id)
        .where(Revision.author_id == user.id)
        .order_by(Revision.id),
        ("kind", "document", "revision", "message", "saved_at"),
    )


def _studio_sign_offs(user: User) -> list[dict]:
    return _rows(
        sa.select(
            Document.kind,
            Document.slug,
            Revision.number,
            SignOff.decision,
            SignOff.note,
            SignOff.created_at,
        )
        .join(Revision, Revision.id == SignOff.revision_id)
        .join(Document, Document.id == Revision.document_id)
        .where(SignOff.user_id == user.id)
        .order_by(SignOff.id),
        ("kind", "document", "revision", "decision", "note", "given_at"),
    )


def _studio_comments(user: User) -> list[dict]:
    return _rows(
        sa.select(Document.slug, Comment.anchor, Comment.body, Comment.created_at)
        .join(Document, Document.id == Comment.document_id)
        .where(Comment.author_id == user.id)
        .order_by(Comment.id),
        ("document", "anchor", "text", "created_at"),
    )


def _audit_log(user: User) -> list[dict]:
    """What they did to the course, and what was done about them; who did it stays out."""
    events = db.session.execute(
        sa.select(
            AuditEvent.action,
            Document.kind,
            Document.slug,
            AuditEvent.revision_number,
            AuditEvent.detail,
            AuditEvent.actor_id,
            AuditEvent.created_at,
        )
        .outerjoin(Document, Document.id == AuditEvent.document_id)
        .where(sa.or_(AuditEvent.actor_id == user.id, AuditEvent.subject_id == user.id))
        .order_by(AuditEvent.id)
    )
    return [
        {
            "action": action,
            "kind": kind,
            "document": slug,
            "revision": number,
            "detail": detail,
            "by_me": actor_id == user.id,
            "at": _iso(at),
        }
        for action, kind, slug, number, detail, actor_id, at in events
    ]


#: Sections that nest or join what their tables hold; any other section lists its one table's
#: ``shows`` columns (``_plain``).
SECTIONS = {
    "account": _account,
    "attempts": _attempts_section,
    "reflections": _reflections_section,
    "assessment_attempts": _assessment_attempts,
    "cohorts": _cohorts,
    "cohorts_taught": _cohorts_taught,
    "cohort_invitations": _cohort_invitations,
    "studio_memberships": _studio_memberships,
    "studio_revisions": _studio_revisions,
    "studio_sign_offs": _studio_sign_offs,
    "studio_comments": _studio_comments,
    "audit_log": _audit_log,
}


def _plain(table: sa.Table, entry: Personal, user: User) -> list[dict]:
    """The entry's ``shows`` columns of every row the user owns through it."""
    query = (
        sa.select(*(table.c[name] for name in entry.shows))
        .where(registry.owned_by(table, entry, user))
        .order_by(*table.primary_key.columns)
    )
    return [dict(row) for row in db.session.execute(query).mappings()]


def export_of(user: User) -> dict:
    """Every record of this user, nested as a person would read it: one section for each
    section of the personal-data registry (eduapp/privacy.py)."""
    found = registry.sections()
    data = {}
    for section in [*(s for s in SECTIONS if s in found), *(s for s in found if s not in SECTIONS)]:
        if section in SECTIONS:
            data[section] = SECTIONS[section](user)
        else:
            [(table, entry)] = found[section]  # a plain section lists one table
            data[section] = _plain(table, entry, user)
    return data


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
