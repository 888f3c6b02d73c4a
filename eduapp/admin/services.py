"""Writes of administration that are not a domain's own: confirming a person's address by hand."""

from eduapp.accounts.models import User
from eduapp.accounts.queries import has_verified_address
from eduapp.audit.services import record
from eduapp.extensions import db, utcnow


class SelfConfirmation(PermissionError):
    """Nobody confirms their own address by hand, admins included: it would let an admin take
    invitations meant for an address they only claim."""


def confirm_address(actor: User, user: User) -> bool:
    """Mark the user's address as theirs, after the admin checked it another way (in person, by
    a reply from that mailbox). Audited. False if it was confirmed already."""
    if actor.id == user.id:
        raise SelfConfirmation
    if has_verified_address(user):
        return False
    user.email_verified_at = utcnow()
    record("confirmed_address", actor=actor, subject=user)
    db.session.flush()
    return True
