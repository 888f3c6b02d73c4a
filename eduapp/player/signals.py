"""What the player tells the rest of the house: a learner started an attempt, a learner's
choice was recorded. Playtests say nothing: they are never counted anywhere.

Signals are sent inside the transaction that records what they tell (receivers run at once, in
the sender's transaction; docs/architecture.md, "Events"), with the app as sender.
"""

from dataclasses import dataclass

from blinker import Namespace

_signals = Namespace()

#: A learner started an attempt at a scenario. Keywords: ``user_id``, ``document_id``.
attempt_started = _signals.signal("player.attempt-started")

#: A learner's choice was recorded (the step claimed, the event written). Keyword: ``choice``,
#: a ``RecordedChoice``.
choice_recorded = _signals.signal("player.choice-recorded")


@dataclass(frozen=True)
class RecordedChoice:
    """One recorded choice of a learner, as the player tells it."""

    user_id: int
    #: The learner's profession, read under their row lock, which the player holds from
    #: reading the attempt until the transaction ends (``player.queries.recording``).
    profession: str | None
    attempt_id: int
    #: The attempt's step after the choice: its event's step.
    step: int
    version_id: int
    document_id: int
    node_id: str
    choice_number: int
    choice_label: str
    seconds: int
    #: The ending the choice led to, if it finished the attempt.
    ended_at: str | None
