"""A learner's status on a module reads the same on every page that shows it: the modules page,
My learning and the cohort dashboard all follow the one rule (eduapp/tallies/queries.py)."""

import re

import pytest

from eduapp.accounts.models import Role
from eduapp.cohorts import services as cohorts
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version, scenario_of
from eduapp.extensions import db
from eduapp.player import services as player
from eduapp.player.models import Attempt
from tests.support.accounts import Auth
from tests.support.app import load_course_with_night_round

SECOND_MODULE = """id: second-module
title: Second module
order: 2
summary: Two scenarios, one of them shared with the test module.
outcome: Follow a patient's voice through a day and a night.
scenario: ward-round
scenario: night-round
scenario: ward-round
author: staff | Medical education lecturer
licence: CC BY-SA 4.0

:: reading

Two rounds, one patient.
"""
TITLES = {"Test module": "test-module", "Second module": "second-module"}
#: How each learner played (scenario, choices), and the status they must have on each module.
PLAYED = {
    "idle": ((), {"test-module": "not started", "second-module": "not started"}),
    "begun": (
        (("ward-round", (1,)),),
        {"test-module": "in progress", "second-module": "in progress"},
    ),
    "half": (
        (("ward-round", (1, 2)),),
        {"test-module": "completed", "second-module": "in progress"},
    ),
    "done": (
        (("ward-round", (1, 2)), ("night-round", (1, 2))),
        {"test-module": "completed", "second-module": "completed"},
    ),
}


@pytest.fixture
def two_modules(app, tmp_path):
    """The test course plus a module needing ward-round (named twice) and night-round."""
    load_course_with_night_round(app, tmp_path / "course", SECOND_MODULE)


def _play(learner, slug, numbers):
    attempt = player.start_attempt(learner, newest_version(DocumentKind.SCENARIO, slug))
    for step, number in enumerate(numbers):
        assert player.choose(attempt, step, number) is player.Outcome.RECORDED


def _page(app, user, url) -> str:
    auth = Auth(app.test_client())
    assert auth.login(user).status_code == 302
    response = auth.client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _status(chunk: str) -> str:
    (status,) = re.findall(r'class="[^"]*\bstatus-([a-z-]+)"', chunk)
    return status.replace("-", " ")


def on_modules_page(app, learner) -> dict[str, str]:
    html = _page(app, learner, "/modules")
    cards = html.split('<li class="module-card">')[1:]
    return {re.search(r'href="/modules/([a-z-]+)"', c)[1]: _status(c) for c in cards}


def on_my_learning(app, learner) -> dict[str, str]:
    html = _page(app, learner, "/my/learning")
    table = html.split("<caption>Modules set for")[1].split("</table>")[0]
    rows = table.split("<tr>")[2:]  # after the header's
    return {re.search(r'href="/modules/([a-z-]+)"', r)[1]: _status(r) for r in rows}


def on_dashboard(html: str, learner) -> dict[str, str]:
    row = html.split(f'<th scope="row">{learner.display_name}</th>')[1].split("</tr>")[0]
    cells = re.findall(r'<td data-label="([^"]+)"><span class="status status-([a-z-]+)">', row)
    return {TITLES[title]: status.replace("-", " ") for title, status in cells}


def test_a_learners_status_is_the_same_on_every_page(app, make_user, two_modules):
    tutor = make_user(Role.TUTOR)
    cohort = cohorts.create_cohort(tutor, "Everywhere")
    for slug in TITLES.values():  # no due date: not started, in progress or completed
        module = newest_version(DocumentKind.MODULE, slug)
        cohorts.assign_module(cohort, module.document, None)
    learners = {}
    for name, (plays, _) in PLAYED.items():
        learners[name] = make_user(Role.LEARNER)
        cohorts.join(learners[name], cohort)
        for slug, numbers in plays:
            _play(learners[name], slug, numbers)
    # A playtest of the scenario's draft, to an ending, counts nowhere, even for a learner.
    ward = newest_version(DocumentKind.SCENARIO, "ward-round")
    playtest = Attempt.at_start(
        scenario_of(ward),
        user_id=learners["idle"].id,
        revision_id=ward.revision_id,
        is_playtest=True,
    )
    db.session.add(playtest)
    db.session.flush()
    for step, number in enumerate((1, 2)):
        assert player.choose(playtest, step, number) is player.Outcome.RECORDED
    assert playtest.is_completed

    dashboard = _page(app, tutor, f"/cohorts/{cohort.id}")
    for name, (_, expected) in PLAYED.items():
        learner = learners[name]
        assert on_modules_page(app, learner) == expected, name
        assert on_my_learning(app, learner) == expected, name
        assert on_dashboard(dashboard, learner) == expected, name
