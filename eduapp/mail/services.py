"""Queueing mail. ``queue_mail`` only adds an outbox row: the caller's service owns the commit,
so a message is queued exactly when what it tells about is written."""

from email.headerregistry import Address
from email.utils import parseaddr

from flask import current_app, g, render_template

from eduapp.extensions import db
from eduapp.mail.models import OutboxMail

#: The subject column's length; a longer subject is a programming error, not user input.
SUBJECT_LIMIT = 200


class HeaderInjection(ValueError):
    """A value meant for a mail header holds a line break or is not one plain address."""


def _plain_header(value: str) -> str:
    if any(character in value for character in "\r\n\x00"):
        raise HeaderInjection("line breaks are not allowed in a mail header")
    return value


def _one_address(address: str) -> str:
    """The address itself, refused unless it is exactly one plain address (row 39)."""
    _plain_header(address)
    name, parsed = parseaddr(address)
    if name or parsed != address.strip() or parsed.count("@") != 1 or "," in parsed:
        raise HeaderInjection("a mail is sent to exactly one plain address")
    Address(addr_spec=parsed)  # raises on anything that is not an addr-spec
    return parsed


def queue_mail(to: str, subject: str, template: str, **context) -> OutboxMail:
    """Add a message to the outbox, rendered from ``mail/<template>.txt`` and ``.html``.

    Does not commit. Values reaching a header are checked here, so nothing with a line break
    is ever stored, let alone sent.
    """
    school = current_app.config["SCHOOL_NAME"]
    subject = _plain_header(f"{subject} · {school}")[:SUBJECT_LIMIT]
    context = {"school": school, **context}
    mail = OutboxMail(
        to_address=_one_address(to),
        subject=subject,
        text_body=render_template(f"mail/{template}.txt", **context),
        html_body=render_template(f"mail/{template}.html", **context),
    )
    db.session.add(mail)
    g.mail_queued = True
    return mail
