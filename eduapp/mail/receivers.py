"""Mail as a transactional outbox fed by events: when a domain says something that someone
must be mailed about, a receiver writes the ``outbox_mail`` row in the transaction that records
it, and the sender (eduapp/mail/sender.py) delivers it after the commit. A rolled-back request
leaves no mail behind; a committed one never loses its mail.

``connect(app)`` is called once per app, from ``create_app``.
"""

from flask import Flask

from eduapp.accounts import signals as accounts
from eduapp.cohorts import signals as cohorts
from eduapp.mail.services import queue_mail
from eduapp.studio import signals as studio
from eduapp.urls import external_url


def _sign_up_requested(_app, *, email: str, name: str, link: str, hours: int) -> None:
    queue_mail(
        email,
        "Confirm your address to finish signing up",
        "confirm_sign_up",
        name=name,
        link=link,
        hours=hours,
    )


def _sign_up_refused(_app, *, email: str) -> None:
    queue_mail(
        email,
        "You already have an account",
        "account_exists",
        sign_in_link=external_url("accounts.login"),
    )


def _confirmation_requested(_app, *, email: str, name: str, link: str, hours: int) -> None:
    queue_mail(
        email, "Confirm your e-mail address", "confirm_address", name=name, link=link, hours=hours
    )


def _address_change_requested(_app, *, email: str, name: str, link: str, hours: int) -> None:
    queue_mail(
        email, "Confirm your new address", "address_change", name=name, link=link, hours=hours
    )


def _address_change_noticed(_app, *, email: str, name: str, new_email: str) -> None:
    queue_mail(
        email,
        "Your account may move to another address",
        "address_change_notice",
        name=name,
        new_email=new_email,
        reset_link=external_url("accounts.forgot_password"),
    )


def _address_change_refused(_app, *, email: str) -> None:
    queue_mail(
        email,
        "This address has an account already",
        "address_change_refused",
        sign_in_link=external_url("accounts.login"),
    )


def _password_reset_requested(_app, *, email: str, name: str, link: str, minutes: int) -> None:
    queue_mail(
        email, "Choose a new password", "password_reset", name=name, link=link, minutes=minutes
    )


def _password_reset_unknown(_app, *, email: str) -> None:
    queue_mail(
        email,
        "No account for this address",
        "password_reset_unknown",
        sign_up_link=external_url("accounts.register"),
    )


def _learners_invited(_app, *, emails: list[str], cohort_name: str, inviter_name: str) -> None:
    """One message per address: whoever owns it signs in (or signs up) with it, and the
    invitation waits on My learning once the address is confirmed."""
    for email in emails:
        queue_mail(
            email,
            f"You are invited to join {cohort_name}",
            "cohort_invitation",
            cohort_name=cohort_name,
            inviter_name=inviter_name,
            learning_link=external_url("mydata.learning"),
            sign_up_link=external_url("accounts.register"),
        )


def _member_invited(_app, *, email, name, inviter_name, title, role, link, **_in_app) -> None:
    queue_mail(
        email,
        f"You can now work on {title}",
        "studio_invitation",
        name=name,
        inviter_name=inviter_name,
        title=title,
        role=role,
        link=link,
    )


RECEIVERS = (
    (accounts.sign_up_requested, _sign_up_requested),
    (accounts.sign_up_refused, _sign_up_refused),
    (accounts.confirmation_requested, _confirmation_requested),
    (accounts.address_change_requested, _address_change_requested),
    (accounts.address_change_noticed, _address_change_noticed),
    (accounts.address_change_refused, _address_change_refused),
    (accounts.password_reset_requested, _password_reset_requested),
    (accounts.password_reset_unknown, _password_reset_unknown),
    (cohorts.learners_invited, _learners_invited),
    (studio.member_invited, _member_invited),
)


def connect(app: Flask) -> None:
    """Queue the mail this app's domains ask for."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, sender=app)
