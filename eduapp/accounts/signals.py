"""What accounts tell the rest of the house: a learner's profession changing, and the moments
that mail someone (signing up, signing up with an address that has an account, asking to
confirm an address, asking for a password reset link). Sent inside the transaction that
records them, with the app as sender (docs/architecture.md, "Events"); a receiver that writes
an outbox row writes it in that transaction, so the mail goes exactly when what it tells about
is stored.
"""

from blinker import Namespace

_signals = Namespace()

#: A user's profession is about to change; the row still holds the old one, which receivers
#: read under their own lock. Keywords: ``user_id``, ``profession`` (the new one, or None).
profession_changing = _signals.signal("accounts.profession-changing")

#: Someone asked to sign up with a free address. Keywords: ``email``, ``name``, ``link`` (the
#: confirmation link that creates the account), ``hours`` (how long it works).
sign_up_requested = _signals.signal("accounts.sign-up-requested")

#: Someone asked to sign up with an address that has an account. Keywords: ``email``.
sign_up_refused = _signals.signal("accounts.sign-up-refused")

#: A user asked to confirm their address. Keywords: ``email``, ``name``, ``link``, ``hours``.
confirmation_requested = _signals.signal("accounts.confirmation-requested")

#: Someone asked for a link to choose a new password for an account. Keywords: ``email``,
#: ``name``, ``link``, ``minutes`` (how long it works).
password_reset_requested = _signals.signal("accounts.password-reset-requested")

#: Someone asked for a reset link for an address that has no account. Keywords: ``email``.
password_reset_unknown = _signals.signal("accounts.password-reset-unknown")

#: An account asked to move to a new address. Keywords: ``email`` (the new one), ``name``,
#: ``link`` (which moves it), ``hours``.
address_change_requested = _signals.signal("accounts.address-change-requested")

#: The same, told to the address the account has now. Keywords: ``email``, ``name``,
#: ``new_email``.
address_change_noticed = _signals.signal("accounts.address-change-noticed")

#: An account asked to move to an address another account has. Keywords: ``email`` (that one).
address_change_refused = _signals.signal("accounts.address-change-refused")
