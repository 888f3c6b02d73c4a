"""Every route, every persona. The routes come from the URL map, so a route without a row fails.

Rows live in ``matrix_*.py`` beside this file, one module per domain (see access_world.py),
gathered with the world they run in by access_matrix.py.
Each persona's check runs every row in a fresh world: tables emptied, objects made, signed in.
"""

import pytest

from tests.security.access_matrix import ROWS, fresh_world, world
from tests.security.access_world import LOGIN, PERSONAS


def test_every_route_is_in_the_matrix(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - ROWS.keys() == set(), "add these routes to a matrix_*.py module"
    assert ROWS.keys() - routes == set(), "these routes no longer exist"


def test_every_view_declares_its_access_rule(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access")
    ]
    assert undeclared == []


def _check(world, auth, persona, key, row) -> str | None:
    url = row.url.format(**world.values)
    if key[1] == "GET":
        response = auth.client.get(url)
    else:
        form = {name: str(value).format(**world.values) for name, value in row.data.items()}
        token = auth.token("/profile" if world.me else "/login")
        response = auth.client.post(url, data={"csrf_token": token, **form})
    response.close()  # static files stream from an open file
    want = row.expected[persona.name]
    got = response.status_code
    if want == LOGIN:
        if got == 302 and "/login" in response.headers.get("Location", ""):
            return None
    elif got == want:
        return None
    return f"{key[1]} {key[0]} ({url}): wanted {want}, got {got}"


def _may_change_things(key, row, persona) -> bool:
    """A POST this persona is allowed to make; a refused one (sign-in, 4xx) changes nothing."""
    want = row.expected[persona.name]
    return key[1] != "GET" and want != LOGIN and want < 400


@pytest.mark.parametrize("persona", PERSONAS, ids=str)
def test_access(app, make_user, persona):
    """Requests that change nothing (every GET, by row 7, and every refused POST) share one
    world; each allowed POST gets a fresh world, since it may change what the next row sees."""
    failures = []
    made, auth = world(app, make_user, persona)
    changing = []
    for key, row in sorted(ROWS.items()):
        if _may_change_things(key, row, persona):
            changing.append((key, row))
        else:
            failures.append(_check(made, auth, persona, key, row))
    for key, row in changing:
        made, auth = fresh_world(app, make_user, persona)
        failures.append(_check(made, auth, persona, key, row))
    failures = [f for f in failures if f]
    assert failures == []
