"""Mail as a transactional outbox fed by events: when a domain says something that someone
must be mailed about, a receiver writes the ``outbox_mail`` row in the transaction that records
it, and the sender (eduapp/mail/sender.py) delivers it after the commit. A rolled-back request
leaves no mail behind; a committed one never loses its mail.

``connect(app)`` is called once per app, from ``create_app``.
"""

from flask import Flask, url_for

from eduapp.accounts import signals as accounts
from eduapp.mail.services import queue_mail


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
        sign_in_link=url_for("accounts.login", _external=True),
    )


def _confirmation_requested(_app, *, email: str, name: str, link: str, hours: int) -> None:
    queue_mail(
        email, "Confirm your e-mail address", "confirm_address", name=name, link=link, hours=hours
    )


RECEIVERS = (
    (accounts.sign_up_requested, _sign_up_requested),
    (accounts.sign_up_refused, _sign_up_refused),
    (accounts.confirmation_requested, _confirmation_requested),
)


def connect(app: Flask) -> None:
    """Queue the mail this app's domains ask for."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, sender=app)
