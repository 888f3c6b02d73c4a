"""Who works on a draft: the role a creator starts with, inviting co-authors, removing them.

Every write goes into the request's transaction with its audit event (eduapp/transaction.py).
"""

from flask import current_app

from eduapp.accounts.models import Role, User
from eduapp.accounts.queries import verified_account_for
from eduapp.audit.services import record
from eduapp.content.models import Document
from eduapp.extensions import db
from eduapp.studio import queries
from eduapp.studio.errors import StudioError
from eduapp.studio.models import MemberRole, Membership
from eduapp.studio.signals import member_invited
from eduapp.urls import external_url

#: What an invitation answers, whether the address has no account, an unconfirmed one, a member
#: already or someone new: the inviter learns nothing about who has an account (SECURITY.md
#: row 33), and the co-authors list shows who joined.
INVITE_ANSWER = (
    "If an account with a confirmed address uses that e-mail address, it can now work on this "
    "draft: the co-authors list shows who has joined. Nobody new there? Ask them to sign up or "
    "to confirm their address, then invite them again."
)


def default_role_for(user: User) -> MemberRole:
    """The role in a draft that someone who starts it takes, from their role in the app."""
    if user.has_role(Role.PATIENT_EDUCATOR):
        return MemberRole.PATIENT_PARTNER
    if user.has_role(Role.TUTOR, Role.ADMIN):
        return MemberRole.STAFF
    return MemberRole.PEER_STUDENT


def invite(actor: User, document: Document, email: str, role: MemberRole, credit: str) -> None:
    """Add the account whose confirmed address this is (SECURITY.md row 30), if it is not a
    member yet; otherwise do nothing. Callers answer INVITE_ANSWER either way."""
    user = verified_account_for(email)
    if user is None or queries.membership_of(document, user):
        return
    db.session.add(
        Membership(
            document_id=document.id,
            user_id=user.id,
            role=role.value,
            credit=credit.strip()[:80],
        )
    )
    record("invited", actor=actor, document=document, subject=user, detail=f"as {role.label}")
    db.session.flush()
    member_invited.send(
        current_app._get_current_object(),
        user_id=user.id,
        document=document,
        email=user.email,
        name=user.display_name,
        inviter_name=actor.display_name,
        title=queries.latest_revision(document).title or document.slug,
        role=role.label,
        link=external_url("studio.editor", kind=document.kind, slug=document.slug),
    )


def remove_member(actor: User, document: Document, membership: Membership) -> None:
    """Take someone off a draft; the last member stays."""
    if len(queries.members_of(document)) == 1:
        raise StudioError("A draft keeps at least one member.")
    record("removed", actor=actor, document=document, subject=membership.user)
    db.session.delete(membership)
    db.session.flush()
