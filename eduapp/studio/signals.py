"""What the studio tells the rest of the house: who joined a draft, what was said about it, what
was asked, decided and published. Sent inside the transaction that records it, with the app as
sender (docs/architecture.md, "Events"); the notifications and the mail outbox listen.
"""

from blinker import Namespace

_signals = Namespace()

#: A confirmed account was added to a draft's co-authors. Keywords: ``user_id``, ``email``,
#: ``name`` (theirs), ``inviter_name``, ``title`` (the draft's), ``role`` (its label), ``link``
#: (the draft's editor), ``document``.
member_invited = _signals.signal("studio.member-invited")

#: A comment or a reply was posted on a draft. Keywords: ``document``, ``comment``.
comment_posted = _signals.signal("studio.comment-posted")

#: A member asked the others to review the newest revision. Keywords: ``document``,
#: ``revision_number``, ``actor_id``.
review_requested = _signals.signal("studio.review-requested")

#: A member signed off a revision or asked for changes. Keywords: ``document``,
#: ``revision_number``, ``actor_id``, ``decision`` (a ``Decision``).
decision_given = _signals.signal("studio.decision-given")

#: A draft was published. Keywords: ``document``, ``version_number``, ``actor_id``.
published = _signals.signal("studio.published")

#: Someone asked a module to list a scenario. Keywords: ``proposal`` (a ``ModuleProposal``,
#: accepted already when its proposer edits the module).
scenario_proposed = _signals.signal("studio.scenario-proposed")

#: A module's co-author accepted or declined a proposal. Keywords: ``proposal``.
proposal_decided = _signals.signal("studio.proposal-decided")
