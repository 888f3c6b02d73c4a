"""Signing up through a mailed link, and confirming an older account's address
(SECURITY.md rows 30 and 33; docs/mail.md)."""

from datetime import timedelta

import sqlalchemy as sa

from eduapp.accounts.models import AddressConfirmation, Role, User
from eduapp.extensions import db, utcnow
from tests.support.accounts import PASSWORD, Auth


def _sign_up(auth, email="amara@example.org", name="Amara", password=PASSWORD):
    return auth.post(
        "/register",
        {
            "display_name": name,
            "email": email,
            "profession": "physiotherapy",
            "password": password,
            "confirm": password,
        },
    )


def _user(email):
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_sign_up_mails_a_link_that_creates_a_confirmed_learner_and_signs_them_in(
    client, auth, mailbox
):
    response = _sign_up(auth, email="Amara@Example.org")
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/sent")
    page = client.get("/register/sent").get_data(as_text=True)
    assert "Check your inbox" in page and "amara@example.org" in page
    assert _user("amara@example.org") is None  # nothing exists until the link is followed

    link = mailbox.link("amara@example.org")
    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    assert "Finish creating your account" in confirm_page.get_data(as_text=True)
    assert _user("amara@example.org") is None  # opening the link (a mail scanner) changes nothing

    finished = auth.post(link)
    assert finished.status_code == 302 and finished.headers["Location"].endswith("/modules")
    user = _user("amara@example.org")
    assert user.role_set == {Role.LEARNER} and user.profession == "physiotherapy"
    assert user.email_verified_at is not None
    assert "Amara" in client.get("/modules").get_data(as_text=True)
    assert Auth(client.application.test_client()).login(user).status_code == 302


def test_a_confirmation_link_works_once(client, auth, mailbox):
    _sign_up(auth)
    link = mailbox.link("amara@example.org")
    assert auth.post(link).status_code == 302
    auth.logout()
    again = client.get(link)
    assert again.status_code == 410 and "expired or was used" in again.get_data(as_text=True)


def test_an_old_confirmation_link_has_expired(app, client, auth, mailbox):
    _sign_up(auth)
    db.session.execute(
        sa.update(AddressConfirmation).values(
            created_at=utcnow() - timedelta(seconds=app.config["CONFIRMATION_LIFETIME_SECONDS"] + 1)
        )
    )
    db.session.commit()
    response = client.get(mailbox.link("amara@example.org"))
    assert response.status_code == 410
    assert _user("amara@example.org") is None


def test_two_sign_ups_for_one_address_the_first_link_followed_wins(app, auth, mailbox):
    _sign_up(auth, name="Real Owner")
    _sign_up(auth, name="Someone Else")
    first, second = (
        m.get_body(("plain",)).get_content() for m in mailbox.messages("amara@example.org")
    )
    assert "Real Owner" in first and "Someone Else" in second
    owner = mailbox.link("amara@example.org")  # the last one mailed: Someone Else's link
    assert auth.post(owner).status_code == 302
    assert _user("amara@example.org").display_name == "Someone Else"
    # The other waiting sign-up lost its chance: the address is taken now.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AddressConfirmation)) == 0


def test_row_33_sign_up_does_not_say_whether_an_address_has_an_account(app, make_user, mailbox):
    make_user(Role.LEARNER, email="taken@example.org")
    answers = []
    for email in ("taken@example.org", "free@example.org"):
        client = app.test_client()
        posted = _sign_up(Auth(client), email=email)
        page = client.get("/register/sent").get_data(as_text=True)
        answers.append((posted.status_code, posted.headers["Location"], page.replace(email, "@")))
    assert answers[0] == answers[1]
    # The owner of the taken address is told, by mail, and no second account appears.
    [note] = mailbox.messages("taken@example.org")
    assert "has an account already" in note.get_body(("plain",)).get_content()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AddressConfirmation)) == 1


def test_an_older_account_confirms_its_address_from_its_profile(client, login_as, auth, mailbox):
    user = login_as(Role.LEARNER)
    user.email_verified_at = None
    db.session.commit()
    assert "not confirmed yet" in client.get("/profile").get_data(as_text=True)

    response = auth.post("/profile/confirm-address", page="/profile")
    assert response.status_code == 302
    link = mailbox.link(user.email)
    assert "Confirm your address" in client.get(link).get_data(as_text=True)
    assert auth.post(link).status_code == 302
    assert _user(user.email).email_verified_at is not None
    assert "(confirmed)" in client.get("/profile").get_data(as_text=True)


def test_a_confirmation_for_an_address_the_account_no_longer_has_is_refused(
    client, login_as, auth, mailbox
):
    user = login_as(Role.LEARNER)
    user.email_verified_at = None
    db.session.commit()
    auth.post("/profile/confirm-address", page="/profile")
    link = mailbox.link(user.email)
    user.email = "changed@example.org"
    db.session.commit()
    response = auth.post(link)
    assert response.status_code == 410
    assert _user("changed@example.org").email_verified_at is None


def test_asking_again_within_minutes_sends_no_second_link(client, login_as, auth, mailbox):
    user = login_as(Role.LEARNER)
    user.email_verified_at = None
    db.session.commit()
    auth.post("/profile/confirm-address", page="/profile")
    again = auth.post("/profile/confirm-address", page="/profile", follow_redirects=True)
    assert "a few minutes ago" in again.get_data(as_text=True)
    assert len(mailbox.messages(user.email)) == 1
