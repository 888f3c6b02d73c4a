"""The mail the app wrote to files, and a real SMTP server on loopback (aiosmtpd)."""

import re
import socket
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """The messages the app wrote under MAIL_DIR (the development backend), oldest first."""

    def __init__(self, folder: Path):
        self.folder = folder

    def messages(self, to: str | None = None) -> list:
        found = [
            message_from_bytes(path.read_bytes(), policy=email_policy.default)
            for path in sorted(self.folder.glob("*.eml"))
        ]
        return [m for m in found if to is None or m["To"] == to]

    def link(self, to: str) -> str:
        """The path of the last link mailed to ``to``."""
        text = self.messages(to)[-1].get_body(("plain",)).get_content()
        return re.search(r"https?://[^/\s]+(/\S+)", text).group(1)


class SmtpServer:
    """An SMTP server on a free loopback port that keeps what it receives. It can be stopped
    and started again on the same port (a mail server that goes down and comes back), or told
    to refuse every message."""

    def __init__(self):
        self.messages = []
        self.refusing = False
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = None

    async def handle_DATA(self, _server, _session, envelope):
        if self.refusing:
            return "421 Service not available, closing transmission channel"
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted"

    def start(self):
        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def mailbox(app):
    return Mailbox(Path(app.config["MAIL_DIR"]))


@pytest.fixture
def smtp_server(app):
    """A running server, and the app set to send through it."""
    server = SmtpServer()
    server.start()
    app.config.update(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_SECURITY="none"
    )
    try:
        yield server
    finally:
        server.stop()
