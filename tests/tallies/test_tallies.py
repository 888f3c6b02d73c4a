"""The running counts dashboards read: always equal to a recount from the recorded choices.

(Module progress counts per cohort are tested with the dashboard, in tests/cohorts.)

Each test changes things the way users do (playing, joining, leaving, changing profession,
starting again, playtesting) and then compares the counts kept along the way with a recount
from scratch, by the service (`flask tallies rebuild`) and by migration 0004's own SQL.

The shared figures learners see ("how others chose") are snapshots, not counts: a recount may
not move them by less than a step of learners, so they are compared where that is meaningful.
"""

import importlib.util
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role, User
from eduapp.accounts.services import update_profile
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.insight import (
    choices_by_profession,
    cohort_professions,
    endings_by_profession,
    time_per_node,
)
from eduapp.content.models import DocumentKind, Version
from eduapp.content.queries import newest_version
from eduapp.content.services import load_course
from eduapp.extensions import db, utcnow
from eduapp.player import services as player
from eduapp.player.models import Attempt
from eduapp.player.queries import how_others_chose
from eduapp.studio.publishing import start_playtest
from eduapp.tallies import services as tallies
from eduapp.tallies.models import (
    CohortProfession,
    CohortTally,
    LearnerChoice,
    LearnerScenario,
    SharedChoiceFigure,
    SharedFigureMark,
    VersionChoiceCount,
)
from eduapp.transaction import unit_of_work
from tests.support.app import ROOT

LOOP_SCENARIO = """\
id: corridor
title: The corridor
summary: A scenario that comes back to a node, for the counting tests.
professions: nursing
author: staff | Tester
licence: CC BY-SA 4.0
start: corridor

:: corridor | The corridor
You meet the family in the corridor.

[[Listen again -> corridor]]
[[Walk on -> done]]

:: done | Done
ending: Walked on

The shift ends.

debrief:
You listened, and then you walked on.
"""


def snapshot() -> dict[str, list[tuple]]:
    tables = {
        "cohort": CohortTally,
        "learners": LearnerChoice,
        "counts": VersionChoiceCount,
        "progress": LearnerScenario,
        "professions": CohortProfession,
    }
    return {
        name: sorted(tuple(row) for row in db.session.execute(sa.select(*model.__table__.c)))
        for name, model in tables.items()
    }


def shared_figures() -> dict[str, list[tuple]]:
    return {
        name: sorted(tuple(row) for row in db.session.execute(sa.select(*model.__table__.c)))
        for name, model in (("figures", SharedChoiceFigure), ("marks", SharedFigureMark))
    }


def assert_counts_match_a_recount() -> None:
    kept = snapshot()
    figures = shared_figures()["figures"]
    tallies.rebuild()
    db.session.commit()
    assert snapshot() == kept
    # No account here is a day old: nothing is shared, before a recount or after it.
    assert shared_figures()["figures"] == figures == []
    _backfill_as_migration_0004_does()
    assert snapshot() == kept


def _backfill_as_migration_0004_does() -> None:
    path = ROOT / "migrations" / "versions" / "0004_tallies.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for model in (
        CohortTally,
        VersionChoiceCount,
        LearnerChoice,
        LearnerScenario,
        CohortProfession,
    ):
        db.session.execute(sa.delete(model))
    for statement in migration.BACKFILL:
        db.session.execute(sa.text(statement))
    db.session.commit()


def ward_round() -> Version:
    return newest_version(DocumentKind.SCENARIO, "ward-round")


def play(learner, *numbers, fresh=False, version=None):
    attempt = player.start_attempt(learner, version or ward_round(), fresh=fresh)
    for number in numbers:
        assert player.choose(attempt, attempt.step, number) is player.Outcome.RECORDED
    return attempt


def test_counts_follow_play_joining_leaving_and_professions(make_user, course, tmp_path):
    tutor = make_user(Role.TUTOR)
    early, doctor, nurse, pharmacist, author = (
        make_user(Role.LEARNER, profession=p)
        for p in ("medicine", "medicine", "nursing", "pharmacy", "nursing")
    )
    first = cohorts.create_cohort(tutor, "First")
    second = cohorts.create_cohort(tutor, "Second")

    play(early, 1, 1)  # played before joining any cohort
    play(early, 2, 1, fresh=True)
    cohorts.join(early, first)
    cohorts.join(doctor, first)
    cohorts.join(nurse, first)
    cohorts.join(nurse, second)
    play(doctor, 1, 2)
    play(nurse, 2)  # left unfinished, then abandoned by starting again
    play(nurse, 1, 1, 1, fresh=True)
    assert_counts_match_a_recount()

    cohorts.join(pharmacist, second)
    play(pharmacist, 2, 1, 2)
    update_profile(nurse, nurse.display_name, "social_work")
    update_profile(doctor, doctor.display_name, "")
    cohorts.leave(early, first)
    cohorts.leave(early, first)  # twice: nothing more is taken away
    assert_counts_match_a_recount()

    # Playtests count nowhere, even by a learner who is also an author.
    cohorts.join(author, first)
    playtest = start_playtest(author, ward_round().document)
    assert player.choose(playtest, 0, 1) is player.Outcome.RECORDED
    # A node visited twice in one attempt: one attempt, two visits.
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "corridor.md").write_text(LOOP_SCENARIO)
    (tmp_path / "curriculum").mkdir()
    load_course(tmp_path / "curriculum", scenarios)
    play(nurse, 1, 1, 2, version=newest_version(DocumentKind.SCENARIO, "corridor"))
    assert_counts_match_a_recount()

    corridor = newest_version(DocumentKind.SCENARIO, "corridor").document_id
    decision = choices_by_profession(first, corridor)["corridor"]
    assert decision.choices["Listen again"].by_profession == {"social_work": 1}
    (visits,) = [t.visits for t in time_per_node(first, corridor) if t.node_id == "corridor"]
    assert visits == 3
    assert endings_by_profession(first, corridor) == {"done": {"social_work": 1}}


def test_what_the_tutor_reads_is_split_by_current_profession(make_user, course):
    tutor = make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER, profession="medicine")
    cohort = cohorts.create_cohort(tutor, "Ward")
    cohorts.join(learner, cohort)
    play(learner, 1, 2)
    document_id = ward_round().document_id
    assert endings_by_profession(cohort, document_id) == {"quiet_end": {"medicine": 1}}
    assert cohort_professions(cohort) == ["medicine"]
    update_profile(learner, learner.display_name, "physiotherapy")
    assert cohort_professions(cohort) == ["physiotherapy"]
    assert endings_by_profession(cohort, document_id) == {"quiet_end": {"physiotherapy": 1}}
    bedside = choices_by_profession(cohort, document_id)["bedside"]
    assert bedside.professions_total() == {"physiotherapy": 1}
    cohorts.leave(learner, cohort)
    assert cohort_professions(cohort) == []
    assert choices_by_profession(cohort, document_id) == {}
    assert time_per_node(cohort, document_id) == []


def test_slow_visits_and_mean_time(make_user, course):
    tutor = make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    cohort = cohorts.create_cohort(tutor, "Ward")
    cohorts.join(learner, cohort)
    attempt = player.start_attempt(learner, ward_round())
    attempt.node_entered_at = utcnow() - timedelta(seconds=150)
    db.session.commit()
    player.choose(attempt, 0, 1)
    player.choose(attempt, 1, 2)
    times = {t.node_id: t for t in time_per_node(cohort, ward_round().document_id)}
    assert times["bedside"].slow_visits == 1 and times["bedside"].mean_seconds >= 150
    assert times["asks"].slow_visits == 0 and times["asks"].mean_seconds < 60
    assert list(times) == ["bedside", "asks"]  # slowest first


def day_old(*users) -> None:
    """Accounts signed up two days ago: old enough to count in shared figures."""
    db.session.execute(
        sa.update(User)
        .where(User.id.in_([user.id for user in users]))
        .values(created_at=utcnow() - timedelta(days=2))
    )
    db.session.commit()


def test_how_others_chose_counts_each_learner_once(make_user, course, app):
    minimum = app.config["SMALL_CELL_MINIMUM"]
    me, *others = (make_user(Role.LEARNER) for _ in range(minimum))
    day_old(me, *others)
    mine = play(me, 1, 2)
    play(me, 1, 1, 1, fresh=True)  # the same choice again: still one learner
    for other in others[:-1]:
        play(other, 2)
    assert "bedside" not in how_others_chose(mine, minimum)  # one short: suppressed
    play(others[-1], 1, 2)
    seen = how_others_chose(mine, minimum)["bedside"]
    assert seen.learners == minimum  # me included: the snapshot is everyone's
    assert seen.by_choice == {1: 2, 2: minimum - 2}
    assert seen.share(2) == 60
    assert "asks" not in how_others_chose(mine, minimum)  # only two learners decided there


def test_a_recount_never_moves_the_shared_figures_by_less_than_a_step(make_user, course, app):
    step = app.config["SHARED_FIGURES_STEP"]
    learners = [make_user(Role.LEARNER) for _ in range(2 * step + 1)]
    day_old(*learners)
    for learner in learners[: 2 * step]:
        play(learner, 1, 2)
    kept = shared_figures()
    assert ("asks", 2, 2 * step) in [row[1:] for row in kept["figures"]]
    tallies.rebuild()  # every node at a whole step: the recount is the snapshot
    db.session.commit()
    assert shared_figures() == kept

    play(learners[-1], 2, 1, 2)  # one more learner: the figures stay as they were
    tallies.rebuild()
    db.session.commit()
    assert shared_figures()["figures"] == kept["figures"]

    # Lost, as before migration 0005 filled them: a rebuild takes them again.
    db.session.execute(sa.delete(SharedChoiceFigure))
    db.session.execute(sa.delete(SharedFigureMark))
    tallies.rebuild()
    db.session.commit()
    version_id = ward_round().id
    figures = {row[1:3]: row[3] for row in shared_figures()["figures"]}
    assert figures[("bedside", 0)] == 2 * step + 1 and figures[("bedside", 2)] == 1
    assert ("follows", 0) not in figures  # one learner decided there
    marks = {row[1]: row[2:] for row in shared_figures()["marks"] if row[0] == version_id}
    assert marks["bedside"] == (2 * step + 1, 2 * step + 1)


def test_concurrent_choices_and_joins_keep_exact_counts(app, make_user, course):
    """Several workers at once: learners choosing while others join and leave the cohort."""
    tutor = make_user(Role.TUTOR)
    cohort = cohorts.create_cohort(tutor, "Busy")
    learners = [make_user(Role.LEARNER, profession="nursing") for _ in range(6)]
    for learner in learners[:3]:
        cohorts.join(learner, cohort)
    attempts = {learner.id: play(learner).id for learner in learners}
    ids = {"cohort": cohort.id, "learners": [learner.id for learner in learners]}
    db.session.commit()  # what each worker starts from
    errors: list[BaseException] = []
    start = threading.Barrier(len(learners))

    def work(index: int) -> None:
        try:
            with app.app_context():
                from eduapp.accounts.models import User
                from eduapp.cohorts.models import Cohort

                user = db.session.get(User, ids["learners"][index])
                busy = db.session.get(Cohort, ids["cohort"])
                start.wait(timeout=30)
                for round_ in range(3):
                    # Each a request of its own: one unit of work.
                    with unit_of_work():
                        attempt = db.session.get(Attempt, attempts[user.id])
                        if attempt.is_completed:
                            attempt = player.start_attempt(user, ward_round(), fresh=True)
                    with unit_of_work():
                        player.choose(attempt, attempt.step, 1)
                    if index >= 3 and round_ == 1:
                        with unit_of_work():
                            cohorts.join(user, busy)
                    if index == 0 and round_ == 1:
                        with unit_of_work():
                            cohorts.leave(user, busy)
                db.session.remove()
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(learners))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    db.session.expire_all()
    assert_counts_match_a_recount()
    bedside = choices_by_profession(cohort, ward_round().document_id)["bedside"]
    assert bedside.choices["Ask her what matters most"].total == 5  # 6 learners, one left


@pytest.fixture
def runner_app(app):
    return app.test_cli_runner()


def test_flask_tallies_rebuild_repairs_the_counts(runner_app, make_user, course):
    tutor = make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    cohort = cohorts.create_cohort(tutor, "Ward")
    cohorts.join(learner, cohort)
    play(learner, 1, 2)
    kept = snapshot()
    db.session.execute(sa.delete(CohortTally))
    db.session.commit()
    result = runner_app.invoke(args=["tallies", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "rebuilt" in result.output
    db.session.expire_all()
    assert snapshot() == kept
