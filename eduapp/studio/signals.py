"""What the studio tells the rest of the house: someone was added to a draft's co-authors.
Sent inside the transaction that adds them, with the app as sender (docs/architecture.md,
"Events").
"""

from blinker import Namespace

_signals = Namespace()

#: A confirmed account was added to a draft's co-authors. Keywords: ``email``, ``name`` (theirs),
#: ``inviter_name``, ``title`` (the draft's), ``role`` (its label), ``link`` (the draft's editor).
member_invited = _signals.signal("studio.member-invited")
