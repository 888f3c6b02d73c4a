"""Sending the outbox: take due messages one at a time, send them, mark them sent.

Several senders may run at once (a timer and a request, two hosts): each message is taken with
a guarded UPDATE that moves its next try into the future (a lease), so only one sender has it;
a sender that dies mid-send leaves it to be tried again when the lease runs out. A failed try
backs off, growing, up to ``MAIL_MAX_TRIES``. Sent messages keep their address and subject but
lose their bodies: a confirmation link has no business staying in the database.

Each step is a unit of work of its own (eduapp/transaction.py): taking a message, recording it
sent, recording a failure. After a request, the sender runs once the request has committed.
"""

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, g

from eduapp.extensions import db, utcnow
from eduapp.mail.models import OutboxMail
from eduapp.transaction import roll_back, unit_of_work

log = logging.getLogger("eduapp.mail")

#: How long a sender holds a message it took before another may try it.
LEASE = timedelta(minutes=5)
#: The first retry waits this long; each further one twice as long, up to ``MAX_BACKOFF``.
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)


@dataclass
class Delivery:
    """What one run of the sender did."""

    sent: int = 0
    failed: int = 0


class _FilesBackend:
    """Development: each message becomes an .eml file under ``MAIL_DIR``."""

    def __init__(self, config):
        self.folder = Path(config["MAIL_DIR"])

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *_exc):
        return False

    def send(self, mail_id: int, message: EmailMessage) -> None:
        target = self.folder / f"{mail_id:07d}.eml"
        partial = target.with_suffix(".part")
        partial.write_bytes(message.as_bytes(policy=SMTP))
        os.replace(partial, target)


class _SmtpBackend:
    """Production: one SMTP connection for a run, TLS as configured."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def __enter__(self):
        config = self.config
        host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
        security = config["SMTP_SECURITY"]
        context = ssl.create_default_context()
        if security == "ssl":
            self.connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            self.connection = smtplib.SMTP(host, port, timeout=timeout)
            if security == "starttls":
                self.connection.starttls(context=context)
        if config["SMTP_USERNAME"]:
            self.connection.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        return self

    def __exit__(self, *_exc):
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
        return False

    def send(self, _mail_id: int, message: EmailMessage) -> None:
        self.connection.send_message(message)


BACKENDS = {"files": _FilesBackend, "smtp": _SmtpBackend}


def compose(mail: OutboxMail) -> EmailMessage:
    """The message as it goes out. Its Message-ID is fixed by the outbox row, so a message
    that is ever sent twice (a sender killed between sending and recording it) is one message
    to the receiving side."""
    config = current_app.config
    domain = config["MAIL_FROM"].rpartition("@")[2] or "localhost"
    message = EmailMessage(policy=SMTP)
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = f"<outbox-{mail.id}.{int(mail.created_at.timestamp())}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text_body)
    if mail.html_body:
        message.add_alternative(mail.html_body, subtype="html")
    return message


def _backoff(tries: int) -> timedelta:
    return min(FIRST_BACKOFF * 2 ** max(tries - 1, 0), MAX_BACKOFF)


def _due_ids(limit: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(OutboxMail.id)
            .where(
                OutboxMail.sent_at.is_(None),
                OutboxMail.next_try_at <= utcnow(),
                OutboxMail.tries < current_app.config["MAIL_MAX_TRIES"],
            )
            .order_by(OutboxMail.next_try_at, OutboxMail.id)
            .limit(limit)
        )
    )


def _take(mail_id: int) -> OutboxMail | None:
    """Lease one message to this sender, or None if another sender took it first."""
    now = utcnow()
    with unit_of_work():
        taken = db.session.execute(
            sa.update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.sent_at.is_(None),
                OutboxMail.next_try_at <= now,
            )
            .values(next_try_at=now + LEASE, tries=OutboxMail.tries + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    return db.session.get(OutboxMail, mail_id, populate_existing=True) if taken else None


def deliver_due(limit: int = 50) -> Delivery:
    """Send up to ``limit`` due messages. A server that cannot be reached ends the run; the
    messages it had taken wait, backing off, for a later one."""
    delivery = Delivery()
    taken = [mail for mail in map(_take, _due_ids(limit)) if mail is not None]
    if not taken:
        return delivery
    config = current_app.config
    try:
        with BACKENDS[config["MAIL_BACKEND"]](config) as backend:
            for mail in taken:
                try:
                    backend.send(mail.id, compose(mail))
                except smtplib.SMTPRecipientsRefused as error:
                    _failed(mail, error, delivery)  # this address only: go on with the rest
                    continue
                with unit_of_work():
                    mail.sent_at, mail.text_body, mail.html_body = utcnow(), "", ""
                delivery.sent += 1
    except (smtplib.SMTPException, OSError) as error:
        log.warning("mail server unavailable: %s", _reason(error))
        delivery.failed += _back_off([mail.id for mail in taken], error)
    return delivery


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def _failed(mail: OutboxMail, error: Exception, delivery: Delivery) -> None:
    with unit_of_work():
        mail.next_try_at = utcnow() + _backoff(mail.tries)
        mail.last_error = _reason(error)
    delivery.failed += 1
    log.warning("mail %s not sent (try %s): %s", mail.id, mail.tries, mail.last_error)


def _back_off(taken: list[int], error: Exception) -> int:
    """Messages this run took but did not send wait, growing, from their own tries count."""
    now = utcnow()
    with unit_of_work():
        waiting = list(
            db.session.scalars(
                sa.select(OutboxMail).where(OutboxMail.id.in_(taken), OutboxMail.sent_at.is_(None))
            )
        )
        for mail in waiting:
            mail.next_try_at = now + _backoff(mail.tries)
            mail.last_error = _reason(error)
    return len(waiting)


def deliver_after_request(error: BaseException | None) -> None:
    """Where MAIL_DELIVER_AFTER_REQUEST is set (development, tests): once a request that queued
    mail is done (and committed: eduapp/transaction.py), send it, so `make run` needs no sender
    running beside it. A failure here only leaves the message waiting in the outbox; it never
    reaches the person's page."""
    if error is not None or not g.pop("mail_queued", False):
        return
    if not current_app.config["MAIL_DELIVER_AFTER_REQUEST"]:
        return
    try:
        deliver_due(limit=10)
    except sa.exc.SQLAlchemyError:
        roll_back()
        log.warning("mail left in the outbox: the database refused the sender")
