"""Signing up, confirming an address and moving to a new one: whoever follows a link mailed to
an address reads that mailbox, and only then does an account get the address (SECURITY.md rows
30 and 33).

Signing up never says whether the address has an account: both answers are "we sent you a
link". The mail tells the owner which it is: a link that creates the account, or a note that
an account exists already, with the way to sign in. Each is told as an event
(accounts/signals.py); the mail outbox listens and queues the message in the same transaction
(eduapp/mail/receivers.py).
"""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for

from eduapp.accounts import signals
from eduapp.accounts.models import AddressConfirmation, Role, User, UserRole
from eduapp.accounts.passwords import hash_password
from eduapp.accounts.services import normalise_email, token_hash
from eduapp.extensions import db, utcnow


class ConfirmationError(ValueError):
    """A confirmation link that cannot be used, with a message for its holder."""


EXPIRED = "This link has expired or was used already. You can ask for a new one."


def _new_confirmation(**fields) -> tuple[AddressConfirmation, str]:
    token = secrets.token_urlsafe(32)
    confirmation = AddressConfirmation(token_hash=token_hash(token), **fields)
    db.session.add(confirmation)
    return confirmation, token


def _link(token: str) -> str:
    return url_for("accounts.confirm_address", token=token, _external=True)


def _lifetime_hours() -> int:
    return current_app.config["CONFIRMATION_LIFETIME_SECONDS"] // 3600


def request_sign_up(email: str, display_name: str, password: str, profession: str) -> None:
    """Mail the address a link that creates the account, or, if the address has an account, a
    note saying so. The same work and the same answer either way."""
    email = normalise_email(email)
    password_hash = hash_password(password)  # spent either way, so timing tells nothing
    _forget_expired(email)
    existing = db.session.scalar(sa.select(User.id).where(User.email == email))
    app = current_app._get_current_object()
    if existing is not None:
        signals.sign_up_refused.send(app, email=email)
        return
    _, token = _new_confirmation(
        email=email,
        display_name=display_name.strip(),
        profession=profession,
        password_hash=password_hash,
    )
    signals.sign_up_requested.send(
        app, email=email, name=display_name.strip(), link=_link(token), hours=_lifetime_hours()
    )
    db.session.flush()


def _forget_expired(email: str) -> None:
    lifetime = timedelta(seconds=current_app.config["CONFIRMATION_LIFETIME_SECONDS"])
    db.session.execute(
        sa.delete(AddressConfirmation).where(
            AddressConfirmation.email == email,
            AddressConfirmation.created_at < utcnow() - lifetime,
        )
    )


#: One confirmation mail per account in this long: the button cannot flood a mailbox.
RESEND_AFTER = timedelta(minutes=5)


def request_confirmation(user: User) -> bool:
    """Mail the user's address a link that confirms it; an older link stops working.

    False, and nothing sent, when a link went out less than ``RESEND_AFTER`` ago.
    """
    recent = db.session.scalar(
        sa.select(AddressConfirmation.id).where(
            AddressConfirmation.user_id == user.id,
            AddressConfirmation.created_at > utcnow() - RESEND_AFTER,
        )
    )
    if recent is not None:
        return False
    db.session.execute(sa.delete(AddressConfirmation).where(AddressConfirmation.user_id == user.id))
    _, token = _new_confirmation(email=user.email, user_id=user.id)
    signals.confirmation_requested.send(
        current_app._get_current_object(),
        email=user.email,
        name=user.display_name,
        link=_link(token),
        hours=_lifetime_hours(),
    )
    db.session.flush()
    return True


def request_address_change(user: User, new_email: str) -> None:
    """Mail the new address a link that moves the account to it, and tell the address it has now.

    If another account has the new address, that address is told so instead, and the answer is
    the same: nobody learns here who has an account. Any earlier link of the account stops
    working."""
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise ConfirmationError("That is the address you have now.")
    db.session.execute(sa.delete(AddressConfirmation).where(AddressConfirmation.user_id == user.id))
    app = current_app._get_current_object()
    if db.session.scalar(sa.select(User.id).where(User.email == new_email)) is not None:
        signals.address_change_refused.send(app, email=new_email)
        return
    _, token = _new_confirmation(email=new_email, user_id=user.id, replaces_email=user.email)
    signals.address_change_requested.send(
        app, email=new_email, name=user.display_name, link=_link(token), hours=_lifetime_hours()
    )
    signals.address_change_noticed.send(
        app, email=user.email, name=user.display_name, new_email=new_email
    )
    db.session.flush()


def confirmation_for(token: str) -> AddressConfirmation:
    """The confirmation this link stands for, if it is still good; else ConfirmationError."""
    confirmation = db.session.scalar(
        sa.select(AddressConfirmation).where(AddressConfirmation.token_hash == token_hash(token))
    )
    lifetime = timedelta(seconds=current_app.config["CONFIRMATION_LIFETIME_SECONDS"])
    if confirmation is None or confirmation.created_at < utcnow() - lifetime:
        raise ConfirmationError(EXPIRED)
    return confirmation


def confirm(confirmation: AddressConfirmation) -> User:
    """Use a link once (``confirmation_for`` found it): create the signed-up account, or mark
    the account's address confirmed.

    Returns the account. Two sign-ups for one address confirmed at the same moment: the
    second finds the address taken (the unique e-mail decides) and is told so. A refused link
    raises ConfirmationError; the caller answers with an error, which undoes what was begun.
    """
    used = db.session.execute(
        sa.delete(AddressConfirmation).where(AddressConfirmation.id == confirmation.id)
    ).rowcount
    if used != 1:  # the same link, followed twice at once: the other request has it
        raise ConfirmationError(EXPIRED)
    if confirmation.is_address_change:
        return _move(confirmation)
    if not confirmation.is_sign_up:
        user = db.session.get(User, confirmation.user_id)
        if user is None or user.email != confirmation.email:
            raise ConfirmationError("This link was for an address the account no longer has.")
        user.email_verified_at = utcnow()
        db.session.flush()
        return user
    if db.session.scalar(sa.select(User.id).where(User.email == confirmation.email)):
        raise ConfirmationError("This address has an account already: sign in instead.")
    user = User(
        email=confirmation.email,
        display_name=confirmation.display_name,
        password_hash=confirmation.password_hash,
        profession=confirmation.profession,
        email_verified_at=utcnow(),
    )
    user.roles.append(UserRole(role=Role.LEARNER.value))
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise ConfirmationError("This address has an account already: sign in instead.") from None
    # Other sign-ups waiting for this address lose their chance: it is taken now.
    db.session.execute(
        sa.delete(AddressConfirmation).where(
            AddressConfirmation.email == confirmation.email,
            AddressConfirmation.user_id.is_(None),
        )
    )
    return user


def _move(confirmation: AddressConfirmation) -> User:
    """Move the account to the confirmed address, if it still has the address it asked from and
    nobody took the new one meanwhile (the unique e-mail decides a race)."""
    user = db.session.get(User, confirmation.user_id)
    if user is None or user.email != confirmation.replaces_email:
        raise ConfirmationError("This link was for an address the account no longer has.")
    taken = "This address has another account now, so yours keeps its address."
    if db.session.scalar(sa.select(User.id).where(User.email == confirmation.email)):
        raise ConfirmationError(taken)
    try:
        with db.session.begin_nested():
            user.email = confirmation.email
            user.email_verified_at = utcnow()
            db.session.flush()
    except sa.exc.IntegrityError:
        raise ConfirmationError(taken) from None
    db.session.execute(sa.delete(AddressConfirmation).where(AddressConfirmation.user_id == user.id))
    return user
