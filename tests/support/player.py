"""Playing the fixture scenario through the pages, as a signed-in learner does."""

import re

from eduapp.extensions import db
from eduapp.player.models import Attempt


def start(auth, slug="ward-round", fresh=False) -> int:
    """Start (or resume) ``slug`` from the module page; the attempt's id."""
    data = {"fresh": "y"} if fresh else {}
    response = auth.post(f"/scenarios/{slug}/start", data, page="/modules/test-module")
    assert response.status_code == 302
    return int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))


def choose(auth, attempt_id, number, step=None, **extra):
    """Post choice ``number`` on the attempt page, at its current step unless told."""
    page = f"/attempts/{attempt_id}"
    if step is None:
        step = db.session.get(Attempt, attempt_id).step
        db.session.expire_all()
    data = {"step": step, "choice": number, "visibility": "private", **extra}
    return auth.post(page, data, page=page)
