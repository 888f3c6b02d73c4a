"""Every route, every role: the expected answer for each, taken from the URL map so that a new
route without a row here fails the suite."""

import pytest
from conftest import Auth

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.player import services

ROLES = ["anonymous", Role.LEARNER, Role.PATIENT_EDUCATOR, Role.TUTOR, Role.ADMIN]
LOGIN = "login"  # redirected to the sign-in page
ALL = dict.fromkeys(ROLES)


def each(anonymous, learner, patient_educator, tutor, admin):
    return dict(zip(ROLES, (anonymous, learner, patient_educator, tutor, admin), strict=True))


#: (endpoint, method) -> (url template, form data, expected per role)
MATRIX = {
    ("core.index", "GET"): ("/", None, each(200, 302, 302, 302, 302)),
    ("core.healthz", "GET"): ("/healthz", None, each(200, 200, 200, 200, 200)),
    ("static", "GET"): ("/static/eduapp.css", None, each(200, 200, 200, 200, 200)),
    ("accounts.register", "GET"): ("/register", None, each(200, 302, 302, 302, 302)),
    ("accounts.register", "POST"): ("/register", {}, each(200, 302, 302, 302, 302)),
    ("accounts.login", "GET"): ("/login", None, each(200, 302, 302, 302, 302)),
    ("accounts.login", "POST"): ("/login", {}, each(200, 302, 302, 302, 302)),
    ("accounts.logout", "POST"): ("/logout", {}, each(LOGIN, 302, 302, 302, 302)),
    ("accounts.profile", "GET"): ("/profile", None, each(LOGIN, 200, 200, 200, 200)),
    # An empty post keeps the profile as it is.
    ("accounts.profile", "POST"): ("/profile", {}, each(LOGIN, 302, 302, 302, 302)),
    ("accounts.change_password", "POST"): (
        "/profile/password",
        {},
        each(LOGIN, 400, 400, 400, 400),
    ),
    ("player.modules", "GET"): ("/modules", None, each(LOGIN, 200, 200, 200, 200)),
    ("player.module", "GET"): ("/modules/test-module", None, each(LOGIN, 200, 200, 200, 200)),
    ("player.start", "POST"): ("/scenarios/ward-round/start", {}, each(LOGIN, 302, 403, 403, 403)),
    ("player.attempts", "GET"): ("/attempts", None, each(LOGIN, 200, 403, 403, 403)),
    ("player.attempt", "GET"): ("/attempts/{attempt}", None, each(LOGIN, 200, 403, 403, 403)),
    ("player.step", "POST"): (
        "/attempts/{attempt}",
        {"step": "0", "choice": "1"},
        each(LOGIN, 302, 403, 403, 403),
    ),
    ("admin.users", "GET"): ("/admin/users", None, each(LOGIN, 403, 403, 403, 200)),
    ("admin.set_roles", "POST"): (
        "/admin/users/{other}/roles",
        {},
        each(LOGIN, 403, 403, 403, 302),
    ),
}


def test_every_route_is_in_the_matrix(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - MATRIX.keys() == set(), "add these routes to MATRIX"
    assert MATRIX.keys() - routes == set(), "these routes no longer exist"


def test_every_view_declares_its_access_rule(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access")
    ]
    assert undeclared == []


@pytest.mark.parametrize("role", ROLES, ids=str)
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[1]} {r[0]}")
def test_access(app, client, make_user, course, route, role):
    template, data, expected = MATRIX[route]
    other_learner = make_user(Role.LEARNER)
    auth = Auth(client)
    me = None
    if role != "anonymous":
        me = make_user(role)
        assert auth.login(me).status_code == 302
    owner = me if role == Role.LEARNER else other_learner
    attempt = services.start_attempt(owner, newest_version(DocumentKind.SCENARIO, "ward-round"))
    url = template.format(attempt=attempt.id, other=other_learner.id)
    if route[1] == "GET":
        response = client.get(url)
    else:
        token_page = "/profile" if me else "/login"
        response = client.post(url, data={"csrf_token": auth.token(token_page), **data})
    response.close()  # static files stream from an open file
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == want, response.get_data(as_text=True)[:300]
