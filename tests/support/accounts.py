"""Users made by a factory, and a client signed in through the real forms."""

import re

import pytest

from eduapp.accounts.models import Profession, Role
from eduapp.accounts.services import create_or_update_account
from eduapp.transaction import unit_of_work

PASSWORD = "a-long-test-passphrase-for-everyone"

CSRF_PATTERN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" name="csrf_token" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF token on the page"
    return next(group for group in match.groups() if group)


class Auth:
    """Signs a test client in and out through the real forms."""

    def __init__(self, client):
        self.client = client

    def token(self, page: str = "/login") -> str:
        return csrf_from(self.client.get(page).get_data(as_text=True))

    def login(self, user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": self.token()}
        )

    def logout(self):
        token = self.token("/profile")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, url: str, data: dict | None = None, page: str | None = None, **kwargs):
        """POST a form with a valid CSRF token taken from ``page`` (default: the url itself)."""
        payload = {"csrf_token": self.token(page or url), **(data or {})}
        return self.client.post(url, data=payload, **kwargs)


@pytest.fixture
def make_user(app):
    """Factory: make_user(Role.TUTOR, profession=..., email=..., verified=...) -> User.

    The address counts as confirmed unless ``verified=False`` (as after signing up before
    addresses were confirmed): invitations apply only to confirmed addresses.
    """
    counter = iter(range(1, 10_000))

    def make(
        *roles: Role,
        profession: str | None = None,
        email: str | None = None,
        verified: bool = True,
    ):
        roles = set(roles or {Role.LEARNER})
        number = next(counter)
        if Role.LEARNER in roles and profession is None:
            profession = Profession.NURSING.value
        with unit_of_work():
            user, _ = create_or_update_account(
                email or f"user{number}-{'-'.join(sorted(roles))}@example.org",
                f"Test User {number}",
                PASSWORD,
                roles,
                profession,
            )
            if not verified:
                user.email_verified_at = None
        return user

    return make


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login_as(client, make_user):
    """login_as(Role.TUTOR) -> the signed-in user, through the real login form."""

    def login(*roles: Role, **kwargs):
        user = make_user(*roles, **kwargs)
        response = Auth(client).login(user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login
