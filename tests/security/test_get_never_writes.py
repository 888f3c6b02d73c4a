"""Reads never write: no GET route, for any persona, runs an INSERT, UPDATE or DELETE.

The routes and their URLs come from the access matrix (access_matrix.py: the rows of
``matrix_*.py`` and the world test_access_matrix.py runs them in), so a new GET route is checked
here as soon as it has its row there.

The one exception is the login session's own bookkeeping (eduapp/accounts/services.py,
``user_for_token``): noting ``last_seen_at`` at most once a minute, and deleting a session that
has expired. It is excluded statement by statement, exactly, below.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Blueprint

from eduapp.accounts.models import LoginSession
from eduapp.audit.services import record
from eduapp.extensions import db, utcnow
from eduapp.security.access import public
from tests.security.access_matrix import ROWS, world
from tests.security.access_world import PERSONAS

#: A statement that writes a row, or locks one or a table as if to write it.
WRITE = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|LOCK)\b|\bFOR (NO KEY )?UPDATE\b", re.IGNORECASE
)
#: The session's bookkeeping, and nothing else: one row of login_sessions, by id.
BOOKKEEPING = (
    re.compile(
        # PostgreSQL's parameters carry a cast: %(last_seen_at)s::TIMESTAMP WITH TIME ZONE.
        r"^UPDATE login_sessions SET last_seen_at=\S+( WITH TIME ZONE)? "
        r"WHERE login_sessions\.id = \S+$"
    ),
    re.compile(r"^DELETE FROM login_sessions WHERE login_sessions\.id = \S+$", re.S),
)


def _is_bookkeeping(statement: str) -> bool:
    return any(pattern.match(" ".join(statement.split())) for pattern in BOOKKEEPING)


def writes_of(statements: list[str]) -> tuple[list[str], list[str]]:
    """The writing statements among ``statements`` but the session's bookkeeping; and that
    bookkeeping, apart."""
    writes = [statement for statement in statements if WRITE.search(statement)]
    bookkeeping = [statement for statement in writes if _is_bookkeeping(statement)]
    return [statement for statement in writes if statement not in bookkeeping], bookkeeping


GET_ROWS = sorted((key, row) for key, row in ROWS.items() if key[1] == "GET")


def test_every_get_route_is_walked(app):
    gets = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert gets == {endpoint for (endpoint, _), _ in GET_ROWS}


@pytest.mark.parametrize("persona", PERSONAS, ids=str)
def test_no_get_route_writes(app, make_user, persona, count_queries):
    made, auth = world(app, make_user, persona)
    written = {}
    for (endpoint, _), row in GET_ROWS:
        url = row.url.format(**made.values)
        with count_queries() as statements:
            auth.client.get(url).close()
        writes, _ = writes_of(statements)
        if writes:
            written[f"GET {url} ({endpoint})"] = writes
    assert written == {}


def _age_sessions(**ages: timedelta) -> None:
    db.session.execute(sa.update(LoginSession).values({k: utcnow() - v for k, v in ages.items()}))
    db.session.commit()


def test_the_sessions_bookkeeping_is_the_one_exception_and_is_excluded_exactly(
    app, make_user, count_queries
):
    _, auth = world(app, make_user, PERSONAS[1])
    _age_sessions(last_seen_at=timedelta(minutes=5))
    with count_queries() as statements:
        assert auth.client.get("/modules").status_code == 200
    writes, bookkeeping = writes_of(statements)
    assert writes == [] and len(bookkeeping) == 1 and bookkeeping[0].startswith("UPDATE")
    _age_sessions(created_at=timedelta(days=2))
    with count_queries() as statements:
        assert auth.client.get("/modules").status_code == 302  # signed out: sign in again
    writes, bookkeeping = writes_of(statements)
    assert writes == [] and len(bookkeeping) == 1 and bookkeeping[0].startswith("DELETE")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 0


def test_a_get_that_writes_is_caught(app, client, count_queries):
    bp = Blueprint("writing_get", __name__)

    @bp.get("/a-get-that-writes")
    @public
    def writing_view():
        record("read, supposedly")
        return "ok"

    app.register_blueprint(bp)
    with count_queries() as statements:
        assert client.get("/a-get-that-writes").status_code == 200
    writes, bookkeeping = writes_of(statements)
    assert [w.split("(")[0].strip() for w in writes] == ["INSERT INTO audit_events"]
    assert bookkeeping == []
