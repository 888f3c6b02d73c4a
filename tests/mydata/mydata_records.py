"""A learner with a record in every table that can hold their data, for export and erasure tests."""

from dataclasses import dataclass

from eduapp.accounts.models import Role, User
from eduapp.assessments.models import AssessmentAnswer, AssessmentAttempt
from eduapp.audit.services import record
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import Cohort, CohortInvite
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db, utcnow
from eduapp.notifications.models import Notification
from eduapp.player import services as player
from eduapp.player.models import Attempt
from eduapp.reflections.models import (
    PeerReview,
    PeerReviewAllocation,
    Reflection,
    ReflectionReply,
    ReflectionTheme,
    Theme,
    Visibility,
)

NAME = "Zebedee Quillfeather"
EMAIL = "zebedee.quill@example.org"
FIRST_REFLECTION = '=HYPERLINK("http://x") She looked tired; I felt rushed.'
TEXT_ANSWER = f"I, {NAME}, would write the handover with her daughter present."


@dataclass
class Records:
    learner: User
    tutor: User
    peer: User
    cohort: Cohort
    attempt: Attempt
    reflection: Reflection
    assessment: AssessmentAttempt


def play(user: User, path=(1, 1, 1), reflections=()) -> Attempt:
    """Play ward-round along ``path``; reflections[i] is written at the i-th step, if given."""
    attempt = player.start_attempt(user, newest_version(DocumentKind.SCENARIO, "ward-round"))
    for index, number in enumerate(path):
        text = reflections[index] if index < len(reflections) else None
        note = player.ReflectionInput(text, Visibility.TUTORS) if text else None
        player.choose(attempt, attempt.step, number, note)
    return attempt


def learner_with_everything(make_user) -> Records:
    learner = make_user(Role.LEARNER, email=EMAIL)
    learner.display_name = NAME
    tutor = make_user(Role.TUTOR)
    peer = make_user(Role.LEARNER, profession="pharmacy")
    cohort = cohorts.create_cohort(tutor, "Spring week")
    for member in (learner, peer):
        cohorts.join(member, cohort)
    cohorts.invite_emails(cohort, EMAIL)
    attempt = play(learner, reflections=[FIRST_REFLECTION, None, f"Signed, {NAME}"])
    reflection = attempt.reflections[0]
    theme = Theme(name="teamwork")
    review = PeerReview(reflection_id=reflection.id, cohort_id=cohort.id, opened_by_id=tutor.id)
    db.session.add_all([theme, review])
    db.session.flush()
    peer_reflection = play(peer, reflections=["Mine, for review."]).reflections[0]
    peers_review = PeerReview(
        reflection_id=peer_reflection.id, cohort_id=cohort.id, opened_by_id=tutor.id
    )
    db.session.add(peers_review)
    db.session.flush()
    version = newest_version(DocumentKind.ASSESSMENT, "test-module")
    assessment = AssessmentAttempt(
        user_id=learner.id, version_id=version.id, number=1, submitted_at=utcnow(),
        points=4.0, max_points=5.0, is_passed=True,
    )  # fmt: skip
    db.session.add(assessment)
    db.session.flush()
    db.session.add_all(
        [
            ReflectionReply(
                reflection_id=reflection.id, author_id=tutor.id, body=f"Well noticed, {NAME}."
            ),
            ReflectionTheme(reflection_id=reflection.id, theme_id=theme.id, tagged_by_id=tutor.id),
            PeerReviewAllocation(
                peer_review_id=review.id, reviewer_id=peer.id, submitted_at=utcnow(),
                scores={"honesty": 4}, comment="Brave and clear.",
            ),
            PeerReviewAllocation(
                peer_review_id=peers_review.id, reviewer_id=learner.id, submitted_at=utcnow(),
                scores={"honesty": 3}, comment=f"From {NAME}: thank you.",
            ),
            AssessmentAnswer(attempt_id=assessment.id, question_id="meaning", answer=1,
                             points=1.0, max_points=1.0),
            AssessmentAnswer(
                attempt_id=assessment.id, question_id="handover", answer=TEXT_ANSWER,
                points=3.0, max_points=4.0, marked_by_id=tutor.id, marked_at=utcnow(),
                rubric_points={"0": 2, "1": 1}, tutor_feedback=f"Good, {NAME}.",
            ),
            Notification(user_id=learner.id, text="Your tutor replied.", link="/my/reflections"),
            Notification(user_id=tutor.id, text="A learner shared a reflection.", link="/x"),
        ]
    )  # fmt: skip
    record("invited", actor=tutor, subject=learner, detail="as Peer student")
    db.session.commit()
    return Records(learner, tutor, peer, cohort, attempt, reflection, assessment)


def invite_count(email: str) -> int:
    return db.session.query(CohortInvite).filter_by(email=email).count()
