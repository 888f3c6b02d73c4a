"""Forgot your password? A link mailed to the account's address, used once within an hour,
the same answer for an address without an account, throttled (issue 12; docs/mail.md)."""

import logging
from datetime import timedelta

import sqlalchemy as sa

from eduapp.accounts.models import LoginSession, PasswordReset, Role, User
from eduapp.extensions import db, utcnow
from tests.support.accounts import PASSWORD, Auth

NEW_PASSWORD = "lantern orchard tide seventeen"


def _ask(auth, email):
    return auth.post("/password/forgot", {"email": email}, page="/password/forgot")


def _user(user_id):
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_row_38_a_mailed_link_sets_a_new_password_and_ends_every_session(
    app, client, auth, mailbox, make_user
):
    user = make_user(Role.LEARNER, email="ines@example.org", verified=False)
    old_hash = user.password_hash
    elsewhere = Auth(app.test_client())
    assert elsewhere.login(user).status_code == 302  # signed in on another device

    asked = _ask(auth, "Ines@Example.org")
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/password/forgot/sent")
    sent = client.get("/password/forgot/sent").get_data(as_text=True)
    assert "Check your inbox" in sent and "ines@example.org" in sent
    [message] = mailbox.messages("ines@example.org")
    assert message["Subject"].startswith("Choose a new password")
    assert "60 minutes" in message.get_body(("plain",)).get_content()

    link = mailbox.link("ines@example.org")
    page = client.get(link)
    assert page.status_code == 200 and "ines@example.org" in page.get_data(as_text=True)
    assert _user(user.id).password_hash == old_hash  # opening the link changes nothing

    done = auth.post(link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page=link)
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 0
    assert elsewhere.client.get("/profile").status_code == 302  # the other device is signed out
    assert _user(user.id).email_verified_at is not None  # whoever chose it read the mail

    fresh = Auth(app.test_client())
    assert fresh.login(user, password=PASSWORD).status_code == 401
    assert fresh.login(user, password=NEW_PASSWORD).status_code == 302


def test_row_38_a_link_works_once_and_the_others_sent_go_with_it(auth, client, mailbox, make_user):
    make_user(Role.LEARNER, email="ines@example.org")
    _ask(auth, "ines@example.org")
    first = mailbox.link("ines@example.org")
    _ask(auth, "ines@example.org")
    second = mailbox.link("ines@example.org")
    assert first != second
    form = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert auth.post(second, form, page=second).status_code == 302
    for used in (first, second):
        again = client.get(used)
        assert again.status_code == 410
        assert "This link cannot be used" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 0


def test_row_38_an_hour_old_link_has_expired(auth, client, mailbox, make_user):
    make_user(Role.LEARNER, email="ines@example.org")
    _ask(auth, "ines@example.org")
    link = mailbox.link("ines@example.org")
    db.session.execute(sa.update(PasswordReset).values(created_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert client.get(link).status_code == 410


def test_row_38_an_address_without_an_account_gets_the_same_answer_and_a_note(
    auth, client, mailbox, make_user
):
    asked = _ask(auth, "nobody@example.org")
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/password/forgot/sent")
    nobody_page = client.get("/password/forgot/sent").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 0
    make_user(Role.LEARNER, email="ines@example.org")
    known = _ask(auth, "ines@example.org")
    assert (known.status_code, known.headers["Location"]) == (302, asked.headers["Location"])
    known_page = client.get("/password/forgot/sent").get_data(as_text=True)
    assert nobody_page.replace("nobody@example.org", "ines@example.org") == known_page
    [message] = mailbox.messages("nobody@example.org")
    assert message["Subject"].startswith("No account for this address")
    assert "/register" in message.get_body(("plain",)).get_content()


def test_row_38_a_link_changes_only_its_own_account(auth, mailbox, make_user):
    owner = make_user(Role.LEARNER, email="ines@example.org")
    other = make_user(Role.LEARNER, email="otto@example.org")
    owner_hash, other_hash = owner.password_hash, other.password_hash
    _ask(auth, "ines@example.org")
    link = mailbox.link("ines@example.org")
    form = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    # Whatever else the form carries, the link's account is the one changed.
    form |= {"email": other.email, "username": other.email, "user_id": str(other.id)}
    assert auth.post(link, form, page=link).status_code == 302
    assert _user(other.id).password_hash == other_hash
    assert _user(owner.id).password_hash != owner_hash


def test_a_weak_password_comes_back_with_the_reason_and_the_link_still_works(
    auth, mailbox, make_user
):
    make_user(Role.LEARNER, email="ines@example.org")
    _ask(auth, "ines@example.org")
    link = mailbox.link("ines@example.org")
    refused = auth.post(link, {"new_password": "short", "confirm": "short"}, page=link)
    assert refused.status_code == 400
    assert "Choose a new password" in refused.get_data(as_text=True)
    assert 'class="error"' in refused.get_data(as_text=True)
    form = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert auth.post(link, form, page=link).status_code == 302


def test_asking_is_throttled_per_address_asked_for(app, auth, mailbox, make_user):
    make_user(Role.LEARNER, email="ines@example.org")
    for _ in range(app.config["PASSWORD_RESETS_PER_EMAIL"]):
        assert _ask(auth, "ines@example.org").status_code == 302
    refused = _ask(auth, "ines@example.org")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    page = refused.get_data(as_text=True)
    assert "Too many tries" in page and 'value="ines@example.org"' in page
    assert len(mailbox.messages("ines@example.org")) == app.config["PASSWORD_RESETS_PER_EMAIL"]
    # Someone else's address is not slowed by it.
    assert _ask(auth, "other@example.org").status_code == 302


def test_the_token_never_reaches_the_log(auth, client, mailbox, make_user, caplog):
    make_user(Role.LEARNER, email="ines@example.org")
    _ask(auth, "ines@example.org")
    link = mailbox.link("ines@example.org")
    token = link.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="eduapp"):
        client.get(link)
    assert "/password/reset/<token>" in caplog.text
    assert token not in caplog.text
