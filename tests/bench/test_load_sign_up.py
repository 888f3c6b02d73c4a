"""The load test's learner signs up as a person does: the form, the link in the mail (read from
the files the app writes), the page's button; and a button pressed before, whose answer was
lost, still ends signed in. The app answers in this process, through httpx's WSGI transport."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx", reason="the load test's client: pip install -e '.[load]'")

from bench.load.learner import Behaviour, Learner  # noqa: E402 - needs httpx, checked above
from bench.load.mailbox import Mailbox  # noqa: E402
from bench.load.pages import parse  # noqa: E402
from bench.load.stats import Recorder  # noqa: E402

PASSWORD = "harbour-lantern-4821-meadow"


class _InProcessClient:
    """What the learner needs of httpx.AsyncClient, answered by the app in this process.

    ``lose_answer`` ("POST /confirm/"): the next such request reaches the app and does its work,
    but its answer is lost on the way back, as when a worker dies or the network drops.
    """

    def __init__(self, app):
        self.app = app
        transport = httpx.WSGITransport(app=app)
        self._client = httpx.Client(transport=transport, base_url="http://localhost")
        self.cookies = self._client.cookies
        self.lose_answer = ""

    async def request(self, method, path, data=None, headers=None):
        with self.app.app_context():  # each request its own ``g``, as in production
            response = self._client.request(method, path, data=data, headers=headers)
        if self.lose_answer and f"{method} {path}".startswith(self.lose_answer):
            self.lose_answer = ""
            self.cookies.clear()  # nothing of the answer arrives, its cookies neither
            raise httpx.ReadError("the answer was lost")
        return response

    def close(self):
        self._client.close()


def run(coroutine):
    """Run a coroutine to its end on a loop of its own, in a thread of its own: the browser tests
    leave Playwright's loop running in the main thread, where ``asyncio.run`` refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def learner(app):
    client = _InProcessClient(app)
    now = time.monotonic()
    mailbox = Mailbox(Path(app.config["MAIL_DIR"]))
    yield Learner(1, "t", PASSWORD, client, Recorder(), now, now + 60, Behaviour(), mailbox, 1)
    client.close()


def _signed_in(learner) -> bool:
    answer = run(learner.request("modules", "GET", "/modules"))
    return answer.status == 200


def test_the_learner_signs_up_through_the_mailed_link(learner):
    run(learner.sign_up())

    assert learner.ledger.signed_up and _signed_in(learner)
    assert learner.unexpected == [] and len(learner.mail_waits) == 1
    kinds = [sample.kind for sample in learner.recorder.samples]
    assert kinds[:5] == ["register page", "register", "check inbox", "confirm page", "confirm"]


def test_a_lost_answer_to_the_button_ends_signed_in_to_the_account_it_made(learner):
    learner.client.lose_answer = "POST /confirm/"

    run(learner.sign_up())

    assert learner.ledger.signed_up and _signed_in(learner) and learner.unexpected == []
    kinds = [sample.kind for sample in learner.recorder.samples]
    assert kinds[3:7] == ["confirm page", "confirm", "login page", "login"]
    assert [s.status for s in learner.recorder.samples][4] == 0  # the lost answer


def test_a_link_used_by_a_request_whose_answer_was_lost_ends_signed_in(learner, client):
    assert run(learner.ask_for_link()) is not None
    link = learner.mailbox.newest_link(learner.email)
    assert link.startswith("/confirm/")
    # The learner's own press of the button, whose answer never came back to it:
    token = parse(client.get(link).get_data(as_text=True)).csrf_token
    assert client.post(link, data={"csrf_token": token}).status_code == 302

    assert run(learner.follow_link(link))  # the link is used (410): it signs in

    assert _signed_in(learner) and learner.unexpected == []
