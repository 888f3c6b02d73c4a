"""The daily digest of unread notifications: once a day, only what came since the last one,
never for someone who turned it off (issue 12; docs/mail.md)."""

from datetime import timedelta

import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.extensions import db, utcnow
from eduapp.mail.models import OutboxMail
from eduapp.notifications.digest import MAX_LISTED, send_digests, set_digest
from eduapp.notifications.models import Notification
from eduapp.notifications.services import notify
from eduapp.transaction import unit_of_work


def _digests_to(address):
    return list(db.session.scalars(sa.select(OutboxMail).where(OutboxMail.to_address == address)))


def _notify(user, text, *, hours_ago=1, read=False):
    when = utcnow() - timedelta(hours=hours_ago)
    note = notify(user, text, "/notifications")
    note.created_at = when
    note.read_at = when if read else None


def test_a_digest_lists_what_waits_unread_once(app, make_user):
    user = make_user(Role.LEARNER, email="dana@example.org")
    with unit_of_work():
        _notify(user, "Your tutor replied to your reflection.")
        _notify(user, "A peer reviewed your reflection.")
        _notify(user, "Already read.", read=True)
        _notify(user, "From last week.", hours_ago=24 * 7)
    with unit_of_work():
        assert send_digests() == 1
    [mail] = _digests_to("dana@example.org")
    assert mail.subject.startswith("2 new notifications")
    assert "Your tutor replied" in mail.text_body and "A peer reviewed" in mail.text_body
    assert "Already read." not in mail.text_body and "From last week." not in mail.text_body
    assert f"{app.config['PUBLIC_URL']}/notifications" in mail.text_body
    with unit_of_work():
        assert send_digests() == 0  # nothing new since
    with unit_of_work():
        _notify(user, "A new module is due.", hours_ago=0)
    with unit_of_work():
        assert send_digests(utcnow() + timedelta(seconds=1)) == 1
    newest = _digests_to("dana@example.org")[-1]
    assert "A new module is due." in newest.text_body and "Your tutor" not in newest.text_body


def test_nobody_who_turned_it_off_or_has_no_confirmed_address_is_mailed(make_user):
    off = make_user(Role.LEARNER, email="off@example.org")
    unconfirmed = make_user(Role.LEARNER, email="unconfirmed@example.org", verified=False)
    with unit_of_work():
        set_digest(off, False)
        for user in (off, unconfirmed):
            _notify(user, "Something happened.")
    with unit_of_work():
        assert send_digests() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0


def test_a_long_list_is_cut_and_counted(make_user):
    user = make_user(Role.TUTOR, email="busy@example.org")
    with unit_of_work():
        for number in range(MAX_LISTED + 3):
            _notify(user, f"Reflection {number} waits for you.")
    with unit_of_work():
        send_digests()
    [mail] = _digests_to("busy@example.org")
    assert mail.text_body.count("waits for you.") == MAX_LISTED
    assert "and 3 more" in mail.text_body


def test_the_digest_is_turned_off_and_on_from_the_notifications_page(auth, client, login_as):
    user = login_as(Role.LEARNER)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Mail me a daily digest" in page and "checked" in page
    assert auth.post("/notifications/digest", {}, page="/notifications").status_code == 302
    assert "checked" not in client.get("/notifications").get_data(as_text=True)
    with unit_of_work():
        _notify(user, "Something happened.")
    with unit_of_work():
        assert send_digests() == 0
    auth.post("/notifications/digest", {"wanted": "y"}, page="/notifications")
    with unit_of_work():
        assert send_digests() == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1


def test_the_command_writes_the_digests(app, make_user):
    user = make_user(Role.LEARNER, email="cli@example.org")
    with unit_of_work():
        _notify(user, "Something happened.")
    result = app.test_cli_runner().invoke(args=["notifications", "digest"])
    assert result.exit_code == 0 and "1 digest(s) written" in result.output
    assert len(_digests_to("cli@example.org")) == 1
