"""Writes of assessments: starting attempts, saving and submitting answers, tutors' marks.

They change the request's transaction, which commits whole or not at all
(eduapp/transaction.py). A submit claims the attempt with
``UPDATE ... WHERE submitted_at IS NULL``, so a double click or a replayed request records once.
A score, on submission or after a tutor's mark, is told as an event (assessments/signals.py).
"""

import sqlalchemy as sa
from flask import current_app

from eduapp.accounts.models import User
from eduapp.assessments import queries
from eduapp.assessments.models import AssessmentAnswer, AssessmentAttempt
from eduapp.assessments.signals import assessment_scored
from eduapp.content.models import Version
from eduapp.content.queries import assessment_of
from eduapp.engine import Assessment, AttemptScore, score_attempt
from eduapp.extensions import db, utcnow
from eduapp.notifications.services import notify


class AssessmentError(ValueError):
    """A request refused with a message for the person who made it."""


def start_attempt(user: User, version: Version) -> AssessmentAttempt:
    """Resume the learner's open attempt at this assessment, or start one on ``version``.

    Refused (AssessmentError) when every allowed attempt has been submitted, counting
    attempts on every version of the assessment.
    """
    existing = queries.open_attempt(user.id, version.document_id)
    if existing is not None:
        return existing
    assessment = assessment_of(version)
    used, highest = queries.attempt_counts(user.id, version.document_id)
    if assessment.attempts is not None and used >= assessment.attempts:
        raise AssessmentError(
            f"You have used all {assessment.attempts} attempt"
            f"{'s' if assessment.attempts != 1 else ''} at this assessment."
        )
    attempt = AssessmentAttempt(user_id=user.id, version_id=version.id, number=highest + 1)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except sa.exc.IntegrityError:
        # A second click started the same attempt number at the same moment: use that one.
        existing = queries.open_attempt(user.id, version.document_id)
        if existing is None:
            raise
        return existing
    return attempt


def save_draft(attempt: AssessmentAttempt, answers: dict[str, object]) -> bool:
    """Keep the answers of an unfinished attempt; False (nothing written) once it is submitted."""
    if attempt.submitted_at is not None:
        return False
    _write_answers(attempt, queries.assessment_of_attempt(attempt), answers, None)
    return True


def submit(attempt: AssessmentAttempt, answers: dict[str, object]) -> bool:
    """Record and score the answers; False (nothing recorded) when already submitted."""
    assessment = queries.assessment_of_attempt(attempt)
    score = score_attempt(assessment, queries.engine_answers(answers, assessment))
    try:
        with db.session.begin_nested():
            claimed = db.session.execute(
                sa.update(AssessmentAttempt)
                .where(AssessmentAttempt.id == attempt.id, AssessmentAttempt.submitted_at.is_(None))
                .values(
                    submitted_at=utcnow(),
                    points=score.points,
                    max_points=score.max_points,
                    is_passed=score.passed,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                return False
            _write_answers(attempt, assessment, answers, score)
    except sa.exc.IntegrityError:
        return False  # a draft saved at the same moment wrote an answer first: nothing recorded
    db.session.refresh(attempt)
    _tell_scored(attempt)
    return True


def _tell_scored(attempt: AssessmentAttempt) -> None:
    assessment_scored.send(
        current_app._get_current_object(),
        user_id=attempt.user_id,
        document_id=attempt.version.document_id,
        attempt_id=attempt.id,
        points=attempt.points,
        max_points=attempt.max_points,
        pending=attempt.is_passed is None,
    )


def _write_answers(attempt, assessment: Assessment, answers: dict, score: AttemptScore | None):
    rows = {
        row.question_id: row
        for row in db.session.scalars(
            sa.select(AssessmentAnswer).where(AssessmentAnswer.attempt_id == attempt.id)
        )
    }
    for question in assessment.questions:
        value, row = answers.get(question.id), rows.get(question.id)
        if value is None:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = AssessmentAnswer(attempt_id=attempt.id, question_id=question.id)
            db.session.add(row)
        row.answer = value
        row.max_points = float(question.points)
        if score is not None:
            scored = score.scores[question.id]
            row.max_points = scored.max_points
            row.needs_marking = scored.needs_marking
            row.points = None if scored.needs_marking else scored.points
    db.session.flush()


def mark_answer(
    tutor: User, answer: AssessmentAnswer, points: list[int], feedback: str, result_link: str
) -> None:
    """Mark a free-text answer with the rubric and rescore its attempt.

    When the attempt's last waiting answer is marked, the learner is notified (in the same
    transaction). The attempt row is locked first, so two tutors marking the last two answers
    at once notify the learner exactly once.
    """
    attempt = db.session.scalar(
        sa.select(AssessmentAttempt)
        .where(AssessmentAttempt.id == answer.attempt_id)
        .with_for_update(of=AssessmentAttempt)
        .execution_options(populate_existing=True)
    )
    assessment = queries.assessment_of_attempt(attempt)
    question = next(q for q in assessment.questions if q.id == answer.question_id)
    criteria = question.rubric
    if len(points) != len(criteria) or any(
        not 0 <= given <= criterion.points
        for given, criterion in zip(points, criteria, strict=False)
    ):
        raise AssessmentError("Give each criterion from 0 up to its points.")
    was_waiting = attempt.is_passed is None
    answer.rubric_points = {str(index): given for index, given in enumerate(points)}
    answer.points = float(sum(points))
    answer.needs_marking = False
    answer.marked_by_id = tutor.id
    answer.marked_at = utcnow()
    answer.tutor_feedback = feedback.strip()
    db.session.flush()
    score = _rescore(attempt, assessment)
    if was_waiting and score.passed is not None:
        outcome = "you passed" if score.passed else "you did not pass this time"
        notify(
            attempt.user_id,
            f"Your tutor has marked your answers to “{assessment.title}”: {outcome}.",
            result_link,
        )
    db.session.flush()
    _tell_scored(attempt)


def _rescore(attempt: AssessmentAttempt, assessment: Assessment) -> AttemptScore:
    rows = list(
        db.session.scalars(
            sa.select(AssessmentAnswer)
            .where(AssessmentAnswer.attempt_id == attempt.id)
            .execution_options(populate_existing=True)
        )
    )
    marks = {row.question_id: row.points for row in rows if row.marked_at is not None}
    answers = queries.engine_answers({row.question_id: row.answer for row in rows}, assessment)
    score = score_attempt(assessment, answers, marks=marks)
    attempt.points = score.points
    attempt.max_points = score.max_points
    attempt.is_passed = score.passed
    return score
