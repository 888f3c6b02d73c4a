"""A learner's play of a scenario: the attempt and its choice events (the reflections written on
the way are the reflections package's, reflections/models.py).

Choice events are append-only. The attempt row holds the current state, which is always the
state after its newest event: both are written in one transaction.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from eduapp.content.models import Revision, Version
from eduapp.engine import Scenario, State, start_state
from eduapp.extensions import UTCDateTime, db, enum_column, utcnow
from eduapp.privacy import Erasure, Personal
from eduapp.reflections.models import Reflection


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    #: Left unfinished when the learner started the scenario again.
    ABANDONED = "abandoned"


class Attempt(db.Model):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The published version played; an attempt never changes version.
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("versions.id"), index=True)
    #: For an author's playtest instead: the draft revision played.
    revision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("revisions.id"))
    status: Mapped[AttemptStatus] = mapped_column(
        enum_column(AttemptStatus, "status_known", 16), default=AttemptStatus.IN_PROGRESS
    )
    node_id: Mapped[str] = mapped_column(sa.String(64))
    variables: Mapped[dict] = mapped_column(sa.JSON)
    #: How many choices have been recorded; a posted choice must carry this number.
    step: Mapped[int] = mapped_column(default=0)
    #: An author's playtest: never counted in learners' records or analytics.
    is_playtest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    node_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[Version | None] = relationship(lazy="joined")
    revision: Mapped[Revision | None] = relationship()
    events: Mapped[list["ChoiceEvent"]] = relationship(
        back_populates="attempt", order_by="ChoiceEvent.step", lazy="selectin"
    )
    reflections: Mapped[list["Reflection"]] = relationship(
        back_populates="attempt", order_by="Reflection.step", lazy="selectin"
    )
    #: The learner's profession ("" if they have none), loaded with their row lock when a
    #: choice is recorded (``player.queries.recording``); None when the attempt was loaded
    #: otherwise, and the lock not taken.
    learner_profession: Mapped[str | None] = query_expression()
    #: The choice that brought the attempt where it stands (None at the start) and the
    #: reflection written there: what the step page shows of the attempt's past (the page itself
    #: reads them as columns of its row, ``player.queries.step_page``).
    arrival: Mapped["ChoiceEvent | None"] = relationship(
        primaryjoin="and_(ChoiceEvent.attempt_id == Attempt.id, ChoiceEvent.step == Attempt.step)",
        viewonly=True,
    )
    reflection_here: Mapped["Reflection | None"] = relationship(
        primaryjoin="and_(Reflection.attempt_id == Attempt.id, Reflection.step == Attempt.step)",
        viewonly=True,
    )

    __table_args__ = (
        sa.CheckConstraint("step >= 0", name="step_not_negative"),
        sa.CheckConstraint(
            "(version_id IS NULL) != (revision_id IS NULL) AND "
            "(revision_id IS NULL OR is_playtest)",
            name="plays_a_version_or_playtests_a_draft",
        ),
        # Dashboards read a version's learner attempts by user from this index alone
        # (docs/performance.md).
        sa.Index(
            "ix_attempts_version_learner", "version_id", "is_playtest", "user_id", "status", "id"
        ),
    )

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.KEEP,
            section="attempts",
            shows=("status", "node_id", "variables"),
            why="Attempts count in cohort figures and in “how others chose”, which erasure "
            "must not change; they hold the course's node ids and counters, nothing the learner "
            "wrote, and name nobody once the account is erased.",
        ),
    )

    @classmethod
    def at_start(cls, scenario: Scenario, **fields) -> "Attempt":
        """A new attempt standing at the scenario's start (a learner's, or a playtest)."""
        state = start_state(scenario)
        return cls(
            node_id=state.node_id, variables=dict(state.variables), step=state.step, **fields
        )

    @property
    def is_completed(self) -> bool:
        return self.status == AttemptStatus.COMPLETED.value

    @property
    def title(self) -> str:
        return self.version.title if self.version else self.revision.title

    @property
    def source(self) -> str:
        """The scenario text this attempt plays: its published version, or a playtested draft."""
        return self.version.source if self.version else self.revision.source

    @property
    def slug(self) -> str:
        """The slug of the scenario this attempt plays."""
        return (self.version.document if self.version else self.revision.document).slug

    @property
    def state(self) -> State:
        """The engine's view of where this attempt stands."""
        return State(node_id=self.node_id, variables=self.variables, step=self.step)


class ChoiceEvent(db.Model):
    __tablename__ = "choice_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id"))
    #: The attempt's step after this choice: 1 for the first choice. Unique per attempt, so a
    #: replayed request can never record the same step twice.
    step: Mapped[int]
    from_node: Mapped[str] = mapped_column(sa.String(64))
    #: The choice's position in its node (1-based), stable within the version played.
    choice_number: Mapped[int]
    choice_label: Mapped[str] = mapped_column(sa.Text)
    to_node: Mapped[str] = mapped_column(sa.String(64))
    variables_after: Mapped[dict] = mapped_column(sa.JSON)
    seconds_on_node: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="events")

    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "step"),
        sa.Index("ix_choice_events_from_node", "from_node", "choice_number"),
        # What dashboards read of an attempt's events, without visiting the table.
        sa.Index(
            "ix_choice_events_attempt_node",
            "attempt_id",
            "from_node",
            "choice_number",
            "seconds_on_node",
        ),
    )

    personal_data = (
        Personal(
            owner="attempt_id",
            erasure=Erasure.KEEP,
            section="attempts",
            shows=("from_node", "choice_label", "to_node", "variables_after"),
            why="Choices count as their attempts do; the labels and nodes are the course's.",
        ),
    )
