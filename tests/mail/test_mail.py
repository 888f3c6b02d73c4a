"""Outgoing mail: the outbox, the sender, a real SMTP server on loopback (SECURITY.md row 39)."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eduapp.extensions import db, utcnow
from eduapp.mail.models import OutboxMail
from eduapp.mail.sender import deliver_due
from eduapp.mail.services import HeaderInjection, queue_mail


def _queue(to="learner@example.org", subject="Confirm your address"):
    return queue_mail(to, subject, "confirm_address", name="Ana", link="https://x/l", hours=24)


def _outbox() -> list[OutboxMail]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))


def test_a_queued_message_arrives_once_in_text_and_html(app, smtp_server):
    _queue()
    db.session.commit()

    assert deliver_due().sent == 1
    assert deliver_due().sent == 0  # nothing is sent twice

    [(recipients, message)] = smtp_server.messages
    assert recipients == ["learner@example.org"]
    assert message["Subject"] == "Confirm your address · eduapp"
    assert message["From"] == app.config["MAIL_FROM"]
    assert "https://x/l" in message.get_body(("plain",)).get_content()
    assert 'href="https://x/l"' in message.get_body(("html",)).get_content()
    [row] = _outbox()
    assert row.sent_at is not None
    assert (row.text_body, row.html_body) == ("", "")  # the link does not stay behind


def test_a_message_rolled_back_with_its_transaction_is_never_sent(app, smtp_server):
    _queue()
    db.session.rollback()

    assert deliver_due().sent == 0
    assert smtp_server.messages == []


def test_row_39_a_server_that_is_down_delays_the_message_which_is_sent_once_it_is_back(
    app, smtp_server
):
    smtp_server.stop()
    _queue()
    db.session.commit()

    assert deliver_due().sent == 0
    [row] = _outbox()
    assert row.sent_at is None and row.tries == 1
    assert row.next_try_at > utcnow()  # it backs off instead of hammering the server
    assert "Connection refused" in row.last_error or "Errno" in row.last_error

    smtp_server.start()
    assert deliver_due().sent == 0  # still backing off
    row.next_try_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliver_due().sent == 1
    assert len(smtp_server.messages) == 1
    assert deliver_due().sent == 0


def test_row_39_a_server_refusing_mail_leaves_it_waiting(app, smtp_server):
    smtp_server.refusing = True
    _queue()
    db.session.commit()

    deliver_due()

    [row] = _outbox()
    assert row.sent_at is None and row.tries == 1 and "421" in row.last_error


def test_row_39_the_sender_gives_up_after_its_tries(app, smtp_server):
    smtp_server.stop()
    _queue()
    db.session.commit()
    for _ in range(app.config["MAIL_MAX_TRIES"] + 2):
        db.session.execute(sa.update(OutboxMail).values(next_try_at=utcnow()))
        db.session.commit()
        deliver_due()
    [row] = _outbox()
    assert row.tries == app.config["MAIL_MAX_TRIES"]


@pytest.mark.parametrize(
    "to",
    [
        "learner@example.org\r\nBcc: everyone@example.org",
        "learner@example.org\nSubject: forged",
        "Ana <learner@example.org>",
        "learner@example.org, other@example.org",
        "no-at-sign",
    ],
)
def test_row_39_a_recipient_that_is_not_one_plain_address_is_refused(app, to):
    with pytest.raises(HeaderInjection):
        _queue(to=to)
    db.session.rollback()
    assert _outbox() == []


def test_row_39_line_breaks_in_a_subject_are_refused(app):
    with pytest.raises(HeaderInjection):
        _queue(subject="Hello\r\nBcc: everyone@example.org")


def test_the_files_backend_writes_one_file_per_message_for_development(app, tmp_path):
    app.config.update(MAIL_BACKEND="files", MAIL_DIR=tmp_path / "mail")
    _queue()
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["mail", "send"])

    assert result.exit_code == 0 and "1 sent, 0 failed." in result.output
    [written] = (tmp_path / "mail").glob("*.eml")
    assert b"To: learner@example.org" in written.read_bytes()


def test_two_senders_at_once_send_every_message_exactly_once(app, smtp_server, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: concurrency is tested on PostgreSQL")
    for number in range(30):
        _queue(to=f"learner{number}@example.org")
    db.session.commit()
    errors = []

    def sender():
        with app.app_context():
            try:
                while deliver_due(limit=5).sent:
                    pass
            except Exception as error:  # reported below; a thread's exception is otherwise lost
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    recipients = sorted(to for tos, _ in smtp_server.messages for to in tos)
    assert recipients == sorted(f"learner{number}@example.org" for number in range(30))
    assert all(row.sent_at is not None for row in _outbox())


class _StopLoop(Exception):
    """Ends `flask mail send --loop` in a test, where a service would be stopped."""


def test_the_sender_loop_outlives_a_database_outage(app, tmp_path, monkeypatch):
    """A production service: a database that is down costs the loop a turn, not its life; the
    mail queued meanwhile goes out on the next turn."""
    app.config.update(MAIL_BACKEND="files", MAIL_DIR=tmp_path / "mail")
    _queue()
    db.session.commit()
    turns = []

    def database_down_first(*args, **kwargs):
        turns.append("deliver")
        if len(turns) == 1:
            raise sa.exc.OperationalError("SELECT", {}, ConnectionRefusedError("server down"))
        return deliver_due(*args, **kwargs)

    def sleep(_seconds):
        if len(turns) >= 2:
            raise _StopLoop

    monkeypatch.setattr("eduapp.mail.cli.deliver_due", database_down_first)
    monkeypatch.setattr("eduapp.mail.cli.time.sleep", sleep)

    result = app.test_cli_runner().invoke(args=["mail", "send", "--loop", "--interval", "1"])

    assert isinstance(result.exception, _StopLoop)  # stopped by us, not by the outage
    assert turns == ["deliver", "deliver"] and "1 sent, 0 failed." in result.output
    [written] = (tmp_path / "mail").glob("*.eml")
    assert b"To: learner@example.org" in written.read_bytes()


def test_a_single_send_still_reports_a_database_outage(app, monkeypatch):
    def database_down(*_args, **_kwargs):
        raise sa.exc.OperationalError("SELECT", {}, ConnectionRefusedError("server down"))

    monkeypatch.setattr("eduapp.mail.cli.deliver_due", database_down)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert isinstance(result.exception, sa.exc.OperationalError)
