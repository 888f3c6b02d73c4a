"""Reads of assessments: a learner's attempts, the tutors' marking queue, and cohort results.

An assessment is a document: its attempts are counted across all its published versions.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from eduapp.accounts.models import User
from eduapp.assessments.models import AssessmentAnswer, AssessmentAttempt
from eduapp.cohorts.models import Cohort, CohortMember
from eduapp.cohorts.queries import taught_learner_ids
from eduapp.content.models import Document, DocumentKind, Version
from eduapp.content.queries import (
    assessment_of,
    newest_assessment_for_module,
    newest_version,
    newest_versions,
)
from eduapp.engine import Assessment, Question, Score, score_attempt
from eduapp.extensions import db
from eduapp.paging import paginate_counting_ahead

MARKING_PAGE_SIZE = 25

_SUBMITTED = AssessmentAttempt.submitted_at.is_not(None)
#: The percentage of an attempt, in SQL (the model's ``percent`` property, unrounded).
_PERCENT = sa.case(
    (
        AssessmentAttempt.max_points > 0,
        100.0 * AssessmentAttempt.points / AssessmentAttempt.max_points,
    ),
    else_=None,
)


def assessment_by_slug(slug: str) -> tuple[Version, Assessment] | None:
    version = newest_version(DocumentKind.ASSESSMENT, slug)
    return (version, assessment_of(version)) if version else None


def module_of_assessment(assessment: Assessment) -> Version | None:
    """The newest published version of the module the assessment belongs to."""
    return newest_version(DocumentKind.MODULE, assessment.module)


def question_of(answer: AssessmentAnswer) -> Question:
    """The question an answer was given to, in the version the learner answered."""
    return _question(assessment_of_attempt(answer.attempt), answer.question_id)


def with_questions(
    answers: Iterable[AssessmentAnswer],
) -> list[tuple[AssessmentAnswer, Question]]:
    """Each answer with its question, reading each version's assessment once for them all."""
    assessments: dict[int, Assessment] = {}
    rows = []
    for answer in answers:
        version = answer.attempt.version
        if version.id not in assessments:
            assessments[version.id] = assessment_of(version)
        rows.append((answer, _question(assessments[version.id], answer.question_id)))
    return rows


def _question(assessment: Assessment, question_id: str) -> Question:
    return next(q for q in assessment.questions if q.id == question_id)


def engine_answers(stored: dict[str, object], assessment: Assessment) -> dict[str, object]:
    """Stored (JSON) answers as the engine reads them: a multiple-choice answer is a set."""
    types = {question.id: question.type for question in assessment.questions}
    return {
        question_id: set(value) if types.get(question_id) == "multiple" else value
        for question_id, value in stored.items()
        if question_id in types
    }


def newest_of(version: Version) -> Version:
    """The newest published version of the same assessment."""
    return newest_version(DocumentKind.ASSESSMENT, version.slug) or version


def assessment_of_attempt(attempt: AssessmentAttempt) -> Assessment:
    """The assessment exactly as the learner answered it (their version, not the newest)."""
    return assessment_of(attempt.version)


@dataclass(frozen=True)
class LearnerStanding:
    """Where a learner stands with one assessment, for the module page and the overview."""

    version: Version
    assessment: Assessment
    #: Submitted attempts, across every version of the assessment.
    used: int
    open_attempt_id: int | None
    last_submitted_id: int | None
    #: The best percentage of a fully marked attempt.
    best_percent: float | None
    has_passed: bool
    is_waiting: bool

    @property
    def remaining(self) -> int | None:
        """Attempts left to start; None when unlimited."""
        allowed = self.assessment.attempts
        return None if allowed is None else max(0, allowed - self.used)

    @property
    def can_start(self) -> bool:
        return self.open_attempt_id is None and self.remaining != 0


def standing(user_id: int, version: Version) -> LearnerStanding:
    """One aggregate query over the learner's attempts at the version's document."""
    row = db.session.execute(
        sa.select(
            sa.func.count(AssessmentAttempt.id).filter(_SUBMITTED),
            sa.func.max(AssessmentAttempt.id).filter(AssessmentAttempt.submitted_at.is_(None)),
            sa.func.max(AssessmentAttempt.id).filter(_SUBMITTED),
            sa.func.max(_PERCENT).filter(AssessmentAttempt.is_passed.is_not(None)),
            sa.func.count(AssessmentAttempt.id).filter(AssessmentAttempt.is_passed.is_(True)),
            sa.func.count(AssessmentAttempt.id).filter(
                _SUBMITTED, AssessmentAttempt.is_passed.is_(None)
            ),
        )
        .join(Version, Version.id == AssessmentAttempt.version_id)
        .where(AssessmentAttempt.user_id == user_id, Version.document_id == version.document_id)
    ).one()
    used, open_id, last_id, best, passes, waiting = row
    return LearnerStanding(
        version=version,
        assessment=assessment_of(version),
        used=used,
        open_attempt_id=open_id,
        last_submitted_id=last_id,
        best_percent=None if best is None else round(best, 1),
        has_passed=passes > 0,
        is_waiting=waiting > 0,
    )


def standing_for_module(user: User, module_slug: str) -> LearnerStanding | None:
    """The learner's standing with the module's assessment; None when it has none published."""
    version = newest_assessment_for_module(module_slug)
    return standing(user.id, version) if version else None


def submitted_attempts(user_id: int, document_id: int) -> list[AssessmentAttempt]:
    """The learner's submitted attempts at an assessment, newest first."""
    return list(
        db.session.scalars(
            sa.select(AssessmentAttempt)
            .join(Version, Version.id == AssessmentAttempt.version_id)
            .where(
                AssessmentAttempt.user_id == user_id,
                Version.document_id == document_id,
                _SUBMITTED,
            )
            .order_by(AssessmentAttempt.number.desc())
        )
    )


def open_attempt(user_id: int, document_id: int) -> AssessmentAttempt | None:
    return db.session.scalar(
        sa.select(AssessmentAttempt)
        .join(Version, Version.id == AssessmentAttempt.version_id)
        .where(
            AssessmentAttempt.user_id == user_id,
            Version.document_id == document_id,
            AssessmentAttempt.submitted_at.is_(None),
        )
        .order_by(AssessmentAttempt.id.desc())
        .limit(1)
    )


def attempt_counts(user_id: int, document_id: int) -> tuple[int, int]:
    """(submitted attempts, highest attempt number) across the assessment's versions."""
    return db.session.execute(
        sa.select(
            sa.func.count(AssessmentAttempt.id).filter(_SUBMITTED),
            sa.func.coalesce(sa.func.max(AssessmentAttempt.number), 0),
        )
        .join(Version, Version.id == AssessmentAttempt.version_id)
        .where(AssessmentAttempt.user_id == user_id, Version.document_id == document_id)
    ).one()


# Marking --------------------------------------------------------------------------------------
#: A page of the marking queue shows each answer's learner, assessment and question: load the
#: attempts with their learners, and the few versions they answered, once for the whole page
#: (not the attempts' other answers, nor the learners' roles).
WITH_ATTEMPT = selectinload(AssessmentAnswer.attempt).options(
    joinedload(AssessmentAttempt.user).options(lazyload(User.roles)),
    selectinload(AssessmentAttempt.version),
    lazyload(AssessmentAttempt.answers),
)


def marking_page(
    tutor: User, page: int = 1, *, cohort_id: int | None = None, document_id: int | None = None
):
    """A page of the free-text answers waiting for a mark from the tutor's learners, oldest first.

    ``cohort_id`` and ``document_id`` narrow it to one cohort and one assessment; a page past
    the end is empty.
    """
    query = (
        sa.select(AssessmentAnswer)
        .join(AssessmentAttempt, AssessmentAttempt.id == AssessmentAnswer.attempt_id)
        .join(Version, Version.id == AssessmentAttempt.version_id)
        .where(
            AssessmentAnswer.needs_marking.is_(True),
            AssessmentAnswer.marked_at.is_(None),
            _SUBMITTED,
            AssessmentAttempt.user_id.in_(taught_learner_ids(tutor, cohort_id)),
        )
        .order_by(AssessmentAttempt.submitted_at, AssessmentAnswer.id)
        .options(WITH_ATTEMPT)
    )
    if document_id is not None:
        query = query.where(Version.document_id == document_id)
    return paginate_counting_ahead(query, page, MARKING_PAGE_SIZE)


def assessments_with_modules() -> list[tuple[Version, str]]:
    """Every published assessment with its module's title, for filters, in course order."""
    modules = {v.slug: v for v in newest_versions(DocumentKind.MODULE)}
    rows = []
    for version in newest_versions(DocumentKind.ASSESSMENT):
        module = modules.get(assessment_of(version).module)
        if module is not None:
            rows.append((module.sort_order or 0, module.title, version))
    return [(version, title) for _, title, version in sorted(rows, key=lambda r: r[:2])]


# Results for tutors ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LearnerResult:
    user_id: int
    display_name: str
    profession: str | None
    #: The module's id (slug) and the assessment's id.
    module: str
    assessment: str
    #: Best percentage over fully marked attempts (None while none is), rounded to 0.1.
    best_percent: float | None
    passed: bool
    attempts_used: int
    #: Submitted attempts whose free-text answers still wait for a tutor's mark.
    pending_marking: int


def cohort_assessment_results(cohort: Cohort, user_ids: list[int]) -> list[LearnerResult]:
    """Per learner of ``user_ids`` (a dashboard page of the cohort's members) and assessment they
    attempted: how they did, aggregated in SQL. Always a page: a page costs the same at any
    cohort size.

    Returns one ``LearnerResult`` per (learner, assessment) with at least one submitted
    attempt, ordered by learner name then module: ``user_id``, ``display_name``,
    ``profession``, ``module`` (the module's slug, from the assessment's ``module:``),
    ``assessment`` (its slug), ``best_percent`` (float or None while every attempt waits for
    marking), ``passed`` (any attempt passed), ``attempts_used`` (submitted attempts across
    versions) and ``pending_marking`` (attempts waiting for a tutor). Learners without a
    submitted attempt do not appear. Playtests do not exist for assessments, so every row is
    a learner's real attempt. The caller checks that the user may see the cohort.
    """
    only = AssessmentAttempt.user_id.in_(user_ids)
    rows = db.session.execute(
        sa.select(
            User.id,
            User.display_name,
            User.profession,
            Version.document_id,
            Document.slug,
            sa.func.max(_PERCENT).filter(AssessmentAttempt.is_passed.is_not(None)),
            sa.func.count(AssessmentAttempt.id).filter(AssessmentAttempt.is_passed.is_(True)),
            sa.func.count(AssessmentAttempt.id),
            sa.func.count(AssessmentAttempt.id).filter(AssessmentAttempt.is_passed.is_(None)),
        )
        .select_from(AssessmentAttempt)
        .join(User, User.id == AssessmentAttempt.user_id)
        .join(
            CohortMember,
            sa.and_(CohortMember.user_id == User.id, CohortMember.cohort_id == cohort.id),
        )
        .join(Version, Version.id == AssessmentAttempt.version_id)
        .join(Document, Document.id == Version.document_id)
        .where(_SUBMITTED, only)
        .group_by(User.id, User.display_name, User.profession, Version.document_id, Document.slug)
    ).all()
    modules = {
        v.document_id: assessment_of(v).module for v in newest_versions(DocumentKind.ASSESSMENT)
    }
    results = [
        LearnerResult(
            user_id=user_id,
            display_name=name,
            profession=profession,
            module=modules.get(document_id, ""),
            assessment=slug,
            best_percent=None if best is None else round(best, 1),
            passed=passes > 0,
            attempts_used=used,
            pending_marking=pending,
        )
        for user_id, name, profession, document_id, slug, best, passes, used, pending in rows
    ]
    return sorted(results, key=lambda r: (r.display_name, r.user_id, r.module))


# A learner's result ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AnswerReview:
    """One question of a submitted attempt, as the result page shows it."""

    question: Question
    #: The stored answer and its row; both None when the question was left unanswered.
    answer: object
    row: AssessmentAnswer | None
    score: Score

    def chose(self, index: int) -> bool:
        if self.question.type == "multiple":
            return index in (self.answer or ())
        return self.answer == index


def attempt_review(attempt: AssessmentAttempt) -> list[AnswerReview]:
    """Every question of the attempt with the learner's answer and what it earned.

    Scores come from the engine, with the tutors' marks for text answers, so that the page
    says exactly what the stored totals say.
    """
    assessment = assessment_of_attempt(attempt)
    rows = {row.question_id: row for row in attempt.answers}
    stored = {qid: row.answer for qid, row in rows.items()}
    answers = engine_answers(stored, assessment)
    marks = {qid: row.points for qid, row in rows.items() if row.marked_at is not None}
    score = score_attempt(assessment, answers, marks=marks)
    return [
        AnswerReview(q, stored.get(q.id), rows.get(q.id), score.scores[q.id])
        for q in assessment.questions
    ]
