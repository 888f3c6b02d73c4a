"""A learner answering the fixture assessment through its pages, and the answers it holds."""

import re

import sqlalchemy as sa

from eduapp.assessments.models import AssessmentAttempt
from eduapp.extensions import db

OVERVIEW = "/assessments/test-module"
HANDOVER = "Mr Adeyemi says he wants to be home for the weekend.\n  The registrar reviews at 9."
#: Every question of tests/fixtures/course/curriculum/assessments/test-module.md answered.
FULL_FORM = {
    "answer-meaning": "1",
    "answer-contributions": ["0", "1", "2"],
    "answer-handover": HANDOVER,
    "answer-confidence": "2",
    "answer-speaking-up": "1",
    "answer-home-visit": "-2",
}
#: The same answers as the engine reads them.
ENGINE_ANSWERS = {
    "meaning": 1,
    "contributions": {0, 1, 2},
    "handover": HANDOVER,
    "confidence": 2,
    "speaking-up": 1,
    "home-visit": -2,
}


def start(auth) -> int:
    """Start (or resume) the fixture assessment; the attempt's id."""
    response = auth.post(f"{OVERVIEW}/start", page=OVERVIEW)
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/assessments/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def send(auth, attempt_id: int, form: dict, button: str = "submit"):
    url = f"/assessments/attempts/{attempt_id}"
    return auth.post(url, {**form, button: "y"}, page=OVERVIEW)


def attempt(attempt_id: int) -> AssessmentAttempt:
    db.session.expire_all()
    return db.session.get(AssessmentAttempt, attempt_id)


def attempts_of(user) -> list[AssessmentAttempt]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AssessmentAttempt)
            .where(AssessmentAttempt.user_id == user.id)
            .order_by(AssessmentAttempt.id)
        )
    )
