"""A database that is down or restarting gets a plain, retryable 503 page, never a traceback."""

import logging
import socket

import pytest

from eduapp import create_app
from eduapp.extensions import db
from tests.support.app import config_for


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dead_app(database_url, tmp_path):
    """The app on a database of the same backend that does not answer."""
    dead = (
        f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/none?connect_timeout=2"
        if "postgresql" in database_url
        else f"sqlite:///{tmp_path}/missing/dir/db.sqlite"
    )
    app = create_app(config_for(dead, SQLALCHEMY_ENGINE_OPTIONS={"hide_parameters": True}))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_an_unreachable_database_answers_503_with_a_plain_page(dead_app, caplog):
    client = dead_app.test_client()
    with caplog.at_level(logging.WARNING, logger="eduapp"):
        response = client.get("/healthz")
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "The service is briefly unavailable" in body
    assert "Please try again in a minute." in body
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlite3", "SELECT"):
        assert leak not in body
    assert any("database unavailable" in r.getMessage() for r in caplog.records)


def test_a_signed_in_learner_gets_the_same_page_when_the_database_is_down(dead_app):
    # Loading the signed-in user is the first query of every request: it fails first.
    client = dead_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "some-session-token"
    response = client.get("/modules")
    assert response.status_code == 503
    assert "The service is briefly unavailable" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_posted_choice_while_the_database_is_down_is_refused_without_a_traceback(dead_app):
    client = dead_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "some-session-token"
    dead_app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/attempts/1", data={"step": "0", "choice": "1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Traceback" not in body and "briefly unavailable" in body
