"""``flask lti``: eduapp's signing keys and the gradebook sender (docs/lti.md).

``rotate-key`` is one unit of work. ``send-scores`` is a worker like ``flask mail send``: every
step of it (taking a score, recording it sent or failed) is a unit of its own
(eduapp/lti/scores.py).
"""

import logging
import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from eduapp.lti import keys
from eduapp.lti.scores import send_due
from eduapp.transaction import in_unit_of_work, roll_back

lti = AppGroup("lti", help="LTI 1.3: signing keys and grades on their way to LMSs.")
log = logging.getLogger("eduapp.lti")


@lti.command("rotate-key")
@in_unit_of_work
def rotate_key():
    """Sign with a new key from now on; the old one stays published for
    LTI_KEY_OVERLAP_HOURS, so platforms holding the old key set still check what it signed."""
    key = keys.rotate()
    click.echo(f"New signing key {key.kid}; the previous ones are retired.")


@lti.command("send-scores")
@click.option("--loop", is_flag=True, help="Keep sending, waking every --interval seconds.")
@click.option("--interval", default=10, show_default=True, type=click.IntRange(1, 3600))
def send_scores(loop: bool, interval: int):
    """Send the scores that are due to the LMSs' gradebooks; with --loop, until stopped.

    The loop is a service: a database that is down or restarting costs it a turn, not its life
    (what it had taken waits for its lease to run out).
    """
    while True:
        try:
            sending = send_due()
        except sa.exc.OperationalError as error:
            if not loop:
                raise
            roll_back()
            reason = type(error.orig or error).__name__  # the driver's class: never the SQL
            log.warning("lti score sender: database unavailable (%s)", reason)
        else:
            if sending.sent or sending.waiting or sending.given_up or not loop:
                click.echo(
                    f"{sending.sent} sent, {sending.waiting} waiting to be tried again, "
                    f"{sending.given_up} given up."
                )
        if not loop:
            return
        time.sleep(interval)
