"""A real SMTP server on loopback (aiosmtpd), for the tests of outgoing mail. The fixture that
starts one, ``smtp_server``, is in tests/conftest.py."""

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


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
        message = message_from_bytes(envelope.content, policy=policy.default)
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
