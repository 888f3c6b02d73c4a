"""Sign-in, profile and roles as a user meets them (signing up: test_signup.py)."""

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role, User
from eduapp.accounts.services import SelfRoleChange, set_roles
from eduapp.extensions import db
from tests.support.accounts import Auth


def test_sign_up_refuses_mismatched_and_short_passwords(auth):
    response = auth.post(
        "/register",
        {
            "display_name": "C",
            "email": "c@example.org",
            "profession": "nursing",
            "password": "short",
            "confirm": "other",
        },
    )
    page = response.get_data(as_text=True)
    assert "at least 10 characters" in page and "The passwords differ." in page
    assert db.session.scalar(sa.select(User)) is None


def test_login_and_logout(client, make_user):
    user = make_user(Role.LEARNER)
    auth = Auth(client)
    assert auth.login(user).status_code == 302
    assert client.get("/profile").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/profile").status_code == 302


def test_signed_in_users_are_sent_on_from_login_and_register(client, login_as):
    login_as(Role.LEARNER)
    assert client.get("/login").headers["Location"].endswith("/modules")
    assert client.get("/register").headers["Location"].endswith("/modules")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/modules")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_profile_updates_name_and_profession(client, auth, login_as):
    user = login_as(Role.LEARNER)
    response = auth.post("/profile", {"display_name": "New Name", "profession": "dietetics"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.display_name == "New Name" and user.profession == "dietetics"


def test_wrong_current_password_does_not_change_it(client, auth, login_as):
    login_as(Role.LEARNER)
    new = "another long passphrase for me"
    response = auth.post(
        "/profile/password",
        {"current_password": "wrong wrong wrong", "new_password": new, "confirm": new},
        page="/profile",
    )
    assert response.status_code == 400
    assert "not your current password" in response.get_data(as_text=True)


def test_admin_assigns_roles_to_someone_else(client, auth, login_as, make_user):
    login_as(Role.ADMIN)
    target = make_user(Role.LEARNER)
    page = client.get("/admin/users").get_data(as_text=True)
    assert target.email in page
    response = auth.post(
        f"/admin/users/{target.id}/roles",
        {f"u{target.id}-roles": ["learner", "patient_educator"]},
        page="/admin/users",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, target.id).role_set == {Role.LEARNER, Role.PATIENT_EDUCATOR}


def test_nobody_changes_their_own_roles(client, auth, login_as):
    admin = login_as(Role.ADMIN)
    response = auth.post(
        f"/admin/users/{admin.id}/roles",
        {f"u{admin.id}-roles": ["admin", "tutor"]},
        page="/admin/users",
    )
    assert response.status_code == 403
    with pytest.raises(SelfRoleChange):
        set_roles(admin, admin, {Role.TUTOR})
    db.session.expire_all()
    assert db.session.get(User, admin.id).role_set == {Role.ADMIN}


def test_unknown_role_values_are_refused(client, auth, login_as, make_user):
    login_as(Role.ADMIN)
    target = make_user(Role.LEARNER)
    response = auth.post(
        f"/admin/users/{target.id}/roles",
        {f"u{target.id}-roles": ["superuser"]},
        page="/admin/users",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "People and roles" in page and 'role="alert"' in page and "not a valid choice" in page
    db.session.expire_all()
    assert db.session.get(User, target.id).role_set == {Role.LEARNER}


def test_demo_accounts_are_created_once_and_refused_in_production(app, runner):
    first = runner.invoke(args=["demo", "accounts"])
    second = runner.invoke(args=["demo", "accounts"])
    assert first.exit_code == second.exit_code == 0
    assert "learner@example.org" in first.output and "password:" in first.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 4
    roles = {u.email: u.role_set for u in db.session.scalars(sa.select(User))}
    assert roles["admin@example.org"] == {Role.ADMIN}
    app.config["ALLOW_DEMO_ACCOUNTS"] = False
    assert runner.invoke(args=["demo", "accounts"]).exit_code == 1


def test_a_throttled_sign_in_keeps_the_email_and_says_when_to_try_again(app, client, make_user):
    user = make_user(Role.LEARNER)
    app.config["LOGIN_FAILURES_PER_ACCOUNT_ADDRESS"] = 1
    auth = Auth(client)
    assert auth.login(user.email, "not the password").status_code == 401
    refused = auth.login(user.email, "not the password either")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many tries. Please wait" in page and f'value="{user.email}"' in page
