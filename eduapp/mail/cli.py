"""``flask mail send``: the outbox's sender, once or in a loop (docs/mail.md)."""

import logging
import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from eduapp.mail.sender import deliver_due
from eduapp.transaction import roll_back

mail = AppGroup("mail", help="Outgoing e-mail.")
log = logging.getLogger("eduapp.mail")


@mail.command("send")
@click.option("--loop", is_flag=True, help="Keep sending, waking every --interval seconds.")
@click.option("--interval", default=10, show_default=True, type=click.IntRange(1, 3600))
def send(loop: bool, interval: int):
    """Send the messages that are due; with --loop, until stopped.

    The loop is a service: a database that is down or restarting costs it a turn, not its life
    (what it had taken waits for its lease to run out, docs/mail.md).
    """
    while True:
        try:
            delivery = deliver_due()
        except sa.exc.OperationalError as error:
            if not loop:
                raise
            roll_back()
            reason = type(error.orig or error).__name__  # the driver's class: never the SQL
            log.warning("mail sender: database unavailable (%s)", reason)
        else:
            if delivery.sent or delivery.failed or not loop:
                click.echo(f"{delivery.sent} sent, {delivery.failed} failed.")
        if not loop:
            return
        time.sleep(interval)
