"""The benchmarks' pieces work: the generator (a tiny cohort, played through the engine, on each
backend), and the play step's client and bare stack."""

import os

import httpx
import sqlalchemy as sa

from bench import bare_stack, playstep
from bench.generate import generate
from bench.load.processes import cpu_seconds_since, cpu_ticks
from eduapp.accounts.models import Role
from eduapp.cohorts.models import CohortMember
from eduapp.extensions import db
from eduapp.models import metadata
from eduapp.player.models import Attempt, AttemptStatus, ChoiceEvent
from tests.support.accounts import PASSWORD


def test_generate_makes_a_cohort_whose_learners_each_record_forty_choices(app):
    made = generate(5, choices_per_learner=40, seed=3)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CohortMember)) == 5
    per_learner = db.session.execute(
        sa.select(Attempt.user_id, sa.func.count(ChoiceEvent.id))
        .join(ChoiceEvent, ChoiceEvent.attempt_id == Attempt.id)
        .group_by(Attempt.user_id)
    ).all()
    assert sorted(count for _, count in per_learner) == [40] * 5
    assert made.choice_events == 200
    ending = db.session.get(Attempt, made.ending_attempt_id)
    assert ending.status == AttemptStatus.COMPLETED.value


def _labels() -> list[str]:
    return db.session.scalars(sa.select(ChoiceEvent.choice_label).order_by(ChoiceEvent.id)).all()


def test_generate_is_deterministic_for_a_seed(app):
    first = generate(3, seed=7)
    labels = _labels()
    assert first.choice_events == 120 and len(labels) == 120
    for table in reversed(metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    generate(3, seed=7)
    assert _labels() == labels


# The play step's bench (bench/playstep.py): its client and the bare stack, answered in this
# process; nothing is timed.
class _FreshContexts:
    """The app as WSGI, each request in an app context of its own, as in production."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with self.app.app_context():
            return self.app(environ, start_response)


def test_the_playstep_client_plays_the_bare_stack_to_its_endings(tmp_path):
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    bare_stack.prepare(url)
    app = bare_stack.create_app(url)
    transport = httpx.WSGITransport(app=_FreshContexts(app))
    learner = playstep.Learner(playstep.bare("http://bare"), 0, "", transport=transport)
    learner.set_up()
    tally = playstep.Tally()
    for _ in range(2 * (bare_stack.PLAY_LENGTH + 1)):
        learner.step(tally)
    learner.close()
    assert (tally.steps, tally.endings, tally.problems) == (2 * bare_stack.PLAY_LENGTH, 2, [])
    assert len(tally.get_ms) == len(tally.post_ms) == tally.steps
    with app.app_context():
        steps = bare_stack.db.session.scalars(sa.select(bare_stack.BareAttempt.step)).all()
        events = bare_stack.db.session.scalar(sa.select(sa.func.count(bare_stack.BareEvent.id)))
        bare_stack.db.engine.dispose()
    assert sorted(steps) == [0, bare_stack.PLAY_LENGTH, bare_stack.PLAY_LENGTH]
    assert events == tally.steps


def test_the_bare_stack_records_a_step_once_and_checks_the_csrf_token(tmp_path):
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    bare_stack.prepare(url)
    app = bare_stack.create_app(url)
    client = app.test_client()
    token = playstep.CSRF.search(client.get("/").text).group(1)
    page = client.post("/start", data={"csrf_token": token}).headers["location"]
    choice = {"csrf_token": token, "step": "0", "choice": "2"}
    assert client.post(page, data=choice).status_code == 302
    assert client.post(page, data=choice).status_code == 302  # the same step again: stale
    assert client.post(page, data={**choice, "csrf_token": "forged"}).status_code == 400
    assert 'name="step" value="1"' in client.get(page).text
    with app.app_context():
        events = bare_stack.db.session.scalars(sa.select(bare_stack.BareEvent.choice)).all()
        bare_stack.db.engine.dispose()
    assert events == [2]


def test_cpu_time_is_read_for_a_process_and_its_children():
    before = cpu_ticks(os.getpid())
    assert os.getpid() in before
    assert cpu_seconds_since(before, os.getpid()) >= 0


def test_the_playstep_client_plays_eduapp_to_an_ending_and_starts_again(app, make_user, course):
    learner = make_user(Role.LEARNER)
    stack = playstep.eduapp_stack("http://localhost", scenarios=("ward-round",))
    transport = httpx.WSGITransport(app=_FreshContexts(app))
    client = playstep.Learner(stack, 0, learner.email, password=PASSWORD, transport=transport)
    client.set_up()
    tally = playstep.Tally()
    for _ in range(20):
        client.step(tally)
        if tally.endings == 2:
            break
    client.close()
    assert tally.endings == 2 and tally.problems == []
    recorded = db.session.scalar(sa.select(sa.func.count(ChoiceEvent.id)))
    assert recorded == tally.steps >= 4  # the shortest path of ward-round is 2 steps
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 3
