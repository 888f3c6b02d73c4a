"""The app served over real HTTP, for the browser tests."""

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from eduapp import create_app
from eduapp.extensions import db
from tests.support.app import config_for
from tests.support.mail import Mailbox


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.mailbox = Mailbox(Path(app.config["MAIL_DIR"]))
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    """The app served over real HTTP on a free port, on the session's database."""
    app = create_app(config_for(database_url, MAIL_DIR=tmp_path_factory.mktemp("mail")))
    with LiveServer(app) as server:
        yield server
    with app.app_context():
        db.engine.dispose()
