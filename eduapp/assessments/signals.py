"""What assessments tell the rest of the house: an attempt was scored, on submission or when a
tutor's mark rescored it.

Sent inside the transaction that records the score (receivers run at once, in the sender's
transaction; docs/architecture.md, "Events"), with the app as sender.
"""

from blinker import Namespace

_signals = Namespace()

#: A learner's attempt at an assessment has a score: just submitted, or rescored by a tutor's
#: mark. Keywords: ``user_id``, ``document_id`` (the assessment's), ``attempt_id``, ``points``,
#: ``max_points``, and ``pending`` (True while free-text answers of the attempt wait for a
#: tutor's mark: ``points`` then counts the answers scored so far).
assessment_scored = _signals.signal("assessments.assessment-scored")
