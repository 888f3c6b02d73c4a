"""Moving an account to another address: the password, a link to the new address, a note to the
present one; the account moves only when the link is followed (issue 12)."""

import sqlalchemy as sa

from eduapp.accounts.models import Role, User
from eduapp.extensions import db
from tests.support.accounts import PASSWORD, Auth

PROFILE = "/profile"
FRESH_PASSWORD = "quiet meadow lantern ninety"


def _ask(auth, new_email, password=PASSWORD):
    return auth.post(
        "/profile/email",
        {"email-new_email": new_email, "email-current_password": password},
        page=PROFILE,
    )


def _user(user_id):
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_the_account_moves_when_the_new_address_follows_its_link(app, auth, login_as, mailbox):
    user = login_as(Role.LEARNER, email="old.address@example.org")
    asked = _ask(auth, "New.Address@example.org")
    assert asked.status_code == 302
    assert _user(user.id).email == "old.address@example.org"  # nothing moves yet
    [notice] = mailbox.messages("old.address@example.org")
    assert "new.address@example.org" in notice.get_body(("plain",)).get_content()
    link = mailbox.link("new.address@example.org")
    page = auth.client.get(link).get_data(as_text=True)
    assert "Move your account to this address" in page and "old.address@example.org" in page
    assert auth.post(link).status_code == 302
    moved = _user(user.id)
    assert moved.email == "new.address@example.org" and moved.email_verified_at is not None
    assert Auth(app.test_client()).login("new.address@example.org").status_code == 302
    assert auth.client.get(link).status_code == 410  # once


def test_a_wrong_password_moves_nothing_and_says_so(auth, login_as, mailbox):
    user = login_as(Role.LEARNER, email="old.address@example.org")
    refused = _ask(auth, "new.address@example.org", password="not my password at all")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "That is not your password." in page and 'value="new.address@example.org"' in page
    assert mailbox.messages() == [] and _user(user.id).email == "old.address@example.org"


def test_an_address_with_an_account_is_told_so_and_the_answer_is_the_same(
    auth, login_as, make_user, mailbox
):
    make_user(Role.LEARNER, email="taken@example.org")
    user = login_as(Role.LEARNER, email="old.address@example.org")
    asked = _ask(auth, "taken@example.org")
    assert asked.status_code == 302  # as for a free address
    [note] = mailbox.messages("taken@example.org")
    assert note["Subject"].startswith("This address has an account already")
    assert mailbox.messages("old.address@example.org") == []
    assert _user(user.id).email == "old.address@example.org"


def test_a_link_of_an_address_taken_meanwhile_keeps_the_account_where_it_is(
    auth, login_as, make_user, mailbox
):
    user = login_as(Role.LEARNER, email="old.address@example.org")
    _ask(auth, "new.address@example.org")
    link = mailbox.link("new.address@example.org")
    make_user(Role.LEARNER, email="new.address@example.org")  # signed up meanwhile
    refused = auth.post(link)
    assert refused.status_code == 410
    assert "has another account now" in refused.get_data(as_text=True)
    assert _user(user.id).email == "old.address@example.org"


def test_choosing_a_new_password_cancels_a_move(auth, client, login_as, mailbox):
    user = login_as(Role.LEARNER, email="old.address@example.org")
    _ask(auth, "thief@example.org")
    move = mailbox.link("thief@example.org")
    auth.post("/password/forgot", {"email": user.email}, page="/password/forgot")
    reset = mailbox.link(user.email)
    fresh = {"new_password": FRESH_PASSWORD, "confirm": FRESH_PASSWORD}
    assert auth.post(reset, fresh, page=reset).status_code == 302
    assert client.get(move).status_code == 410
    assert db.session.scalar(sa.select(User.email).where(User.id == user.id)) == user.email
