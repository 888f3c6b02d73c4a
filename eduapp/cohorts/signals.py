"""What cohorts tell the rest of the house about who belongs to them, and whom they invite.

A membership change is told twice: ``membership_changing`` before the row is written or deleted
(whoever keeps figures about the learner takes what it needs first: the tallies take the
learner's row lock, which orders the change against their recounts), then ``learner_joined`` or
``learner_left``. Sent inside the transaction that makes the change, with the app as sender
(docs/architecture.md, "Events").
"""

from blinker import Namespace

_signals = Namespace()

#: A learner is about to join or leave a cohort. Keywords: ``user_id``, ``cohort_id``.
membership_changing = _signals.signal("cohorts.membership-changing")

#: A learner joined a cohort (the membership is written). Keywords: ``user_id``, ``cohort_id``.
learner_joined = _signals.signal("cohorts.learner-joined")

#: A learner left a cohort (the membership is deleted). Keywords: ``user_id``, ``cohort_id``.
learner_left = _signals.signal("cohorts.learner-left")

#: A cohort's tutor invited learners by address (each address once). Keywords: ``emails``,
#: ``cohort_name``, ``inviter_name`` (the tutor's name, or "" when no tutor is named).
learners_invited = _signals.signal("cohorts.learners-invited")
