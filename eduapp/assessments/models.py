"""A learner's attempts at a module's assessment, their answers, marks and feedback."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.accounts.models import User
from eduapp.content.models import Version
from eduapp.extensions import UTCDateTime, db, utcnow
from eduapp.privacy import Erasure, Personal


class AssessmentAttempt(db.Model):
    __tablename__ = "assessment_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The published assessment version answered.
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("versions.id"), index=True)
    #: 1 for the learner's first attempt at this assessment (any version), 2 for the next ...
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    points: Mapped[float | None]
    max_points: Mapped[float | None]
    #: None while free-text answers wait for a tutor's mark.
    is_passed: Mapped[bool | None]

    version: Mapped[Version] = relationship(lazy="joined")
    user: Mapped[User] = relationship()
    answers: Mapped[list["AssessmentAnswer"]] = relationship(
        back_populates="attempt", lazy="selectin", order_by="AssessmentAnswer.id"
    )

    __table_args__ = (sa.UniqueConstraint("user_id", "version_id", "number"),)

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.KEEP,
            section="assessment_attempts",
            why="Scores, times and the version answered count in a cohort's results; they name "
            "nobody once the account is erased.",
        ),
    )

    @property
    def percent(self) -> float | None:
        if self.points is None or not self.max_points:
            return None
        return round(100 * self.points / self.max_points, 1)


class AssessmentAnswer(db.Model):
    __tablename__ = "assessment_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_attempts.id"))
    question_id: Mapped[str] = mapped_column(sa.String(64))
    #: The learner's answer as the engine reads it: an index, a list of indices, a number or text.
    answer: Mapped[dict] = mapped_column(sa.JSON)
    points: Mapped[float | None]
    max_points: Mapped[float]
    needs_marking: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Rubric criterion index -> points given, for a marked free-text answer.
    rubric_points: Mapped[dict | None] = mapped_column(sa.JSON)
    tutor_feedback: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    attempt: Mapped[AssessmentAttempt] = relationship(back_populates="answers")

    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "question_id"),
        sa.Index("ix_assessment_answers_marking", "needs_marking", "marked_at"),
    )

    personal_data = (
        Personal(
            owner="attempt_id",
            erasure=Erasure.BLANK,
            section="assessment_attempts",
            shows=("question_id", "answer", "rubric_points", "tutor_feedback"),
            blank=("answer", "tutor_feedback"),
            why="Marks stay, so results add up; the text of an answer and the tutor's feedback "
            "on it (which may name the learner) are replaced, while indices and numbers stay.",
        ),
        Personal(
            owner="marked_by_id",
            erasure=Erasure.BLANK,
            section="feedback_given",
            shows=("question_id", "tutor_feedback", "marked_at"),
            blank=("tutor_feedback",),
            why="The marker's words: in their download, and replaced if their account is "
            "erased; the mark stays with the learner's answer.",
        ),
    )
