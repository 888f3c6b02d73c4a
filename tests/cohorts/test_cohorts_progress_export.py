"""progress.csv and the dashboard's summaries: one query for the whole cohort, the same answers
as the paged grid, and the same status rule (eduapp/cohorts/progress.py)."""

import csv
import io
import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Profession, Role, User
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.dashboard import (
    LEARNERS_PER_PAGE,
    assigned_modules,
    module_summaries,
    progress_page,
)
from eduapp.cohorts.models import Cohort, CohortMember
from eduapp.cohorts.progress import ModuleStatus, status_of
from eduapp.content.models import DocumentKind, Version
from eduapp.content.queries import newest_version
from eduapp.content.services import load_course
from eduapp.extensions import db, utcnow
from eduapp.player import services as player
from eduapp.player.models import Attempt, AttemptStatus
from eduapp.tallies import services as tallies
from eduapp.tallies.models import CohortModuleProgress, ModuleScenario
from tests.support.app import load_course_with_night_round

HEADER = ["learner", "e-mail", "profession", "module", "status"]
SECOND_MODULE = """id: second-module
title: Second module
order: 2
summary: A module of two scenarios, one of them shared with the test module.
outcome: Follow a patient's voice through a day and a night.
scenario: ward-round
scenario: night-round
author: staff | Medical education lecturer
licence: CC BY-SA 4.0

:: reading

Two rounds, one patient.
"""


@pytest.fixture
def two_modules(app, tmp_path):
    """The test course plus a second module of two scenarios (ward-round and night-round)."""
    return load_course_with_night_round(app, tmp_path / "course", SECOND_MODULE)


def assign(cohort, slug, due_at=None, assigned_at=None):
    cohorts.assign_module(cohort, newest_version(DocumentKind.MODULE, slug).document, due_at)
    if assigned_at is not None:  # the modules' order must not hang on a clock tick
        cohort.modules[-1].assigned_at = assigned_at
        db.session.commit()


def play(learner, slug, *numbers, fresh=False):
    version = newest_version(DocumentKind.SCENARIO, slug)
    attempt = player.start_attempt(learner, version, fresh=fresh)
    for step, number in enumerate(numbers):
        player.choose(attempt, step, number)
    return attempt


def add_learners(cohort, names):
    """Members without password hashing or services: cheap enough for a cohort of pages."""
    professions = list(Profession)
    users = [
        User(
            email=f"bulk{number}@example.org",
            display_name=name,
            password_hash="not-a-hash",
            profession=professions[number % len(professions)].value,
        )
        for number, name in enumerate(names)
    ]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(CohortMember(cohort_id=cohort.id, user_id=user.id) for user in users)
    db.session.commit()
    return users


@pytest.fixture
def big_cohort(login_as, make_user, two_modules):
    """60 learners over two pages; module one past due, module two of two scenarios.

    Returns (cohort, {how they played: learner}) for the members who played.
    """
    tutor = login_as(Role.TUTOR)
    cohort = cohorts.create_cohort(tutor, "Night and day")
    assign(cohort, "test-module", utcnow() - timedelta(days=1), utcnow() - timedelta(hours=2))
    assign(cohort, "second-module", None, utcnow() - timedelta(hours=1))
    played = {
        "both": make_user(Role.LEARNER, profession="medicine"),
        "ward": make_user(Role.LEARNER, profession="pharmacy"),
        "begun": make_user(Role.LEARNER, profession="social_work"),
        "retried": make_user(Role.LEARNER),
    }
    played["retried"].profession = None  # gave none: an empty cell
    # Names spread the players over both pages; each shares hers with a learner added later.
    names = ("Learner 51", "Learner 03", "Learner 30", "Learner 44")
    for name, learner in zip(names, played.values(), strict=True):
        learner.display_name = name
        cohorts.join(learner, cohort)
    add_learners(cohort, [f"Learner {(number * 5) % 56:02d}" for number in range(56)])
    play(played["both"], "ward-round", 1, 2)
    play(played["both"], "night-round", 1, 2)
    play(played["ward"], "ward-round", 1, 2)
    play(played["begun"], "night-round", 1)
    play(played["retried"], "ward-round", 1)
    play(played["retried"], "ward-round", 1, 2, fresh=True)
    outsider = make_user(Role.LEARNER)
    play(outsider, "ward-round", 1, 2)  # not a member: never counted
    return cohort, played


def grid_rows(cohort):
    """What the dashboard's grid shows, page after page, as progress.csv rows."""
    modules = assigned_modules(cohort)
    rows, page = [], 1
    while True:
        pagination, learners = progress_page(cohort, modules, page)
        for row in learners:
            user = row.member.user
            rows.extend(
                [user.display_name, user.email, user.profession_label, module.title, status]
                for module, status in zip(modules, row.statuses, strict=True)
            )
        if not pagination.has_next:
            return rows
        page += 1


def download(client, cohort):
    response = client.get(f"/cohorts/{cohort.id}/progress.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="cohort-{cohort.id}-progress.csv"'
    )
    return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def test_progress_csv_has_the_grids_rows_in_name_order(client, big_cohort):
    cohort, played = big_cohort
    members = db.session.scalar(
        sa.select(sa.func.count()).where(CohortMember.cohort_id == cohort.id)
    )
    assert members == 60 > LEARNERS_PER_PAGE
    rows = download(client, cohort)
    assert rows[0] == HEADER
    assert rows[1:] == grid_rows(cohort)
    assert len(rows) == 1 + 60 * 2
    users = db.session.scalars(
        sa.select(User).join(CohortMember).where(CohortMember.cohort_id == cohort.id)
    ).all()
    in_order = sorted(users, key=lambda user: (user.display_name, user.id))
    assert [row[1] for row in rows[1::2]] == [user.email for user in in_order]
    assert [row[3] for row in rows[1:3]] == ["Test module", "Second module"]
    by_learner = {(row[1], row[3]): row[4] for row in rows[1:]}

    def statuses(learner):
        return by_learner[(learner.email, "Test module")], by_learner[
            (learner.email, "Second module")
        ]

    assert statuses(played["both"]) == ("completed", "completed")
    assert statuses(played["ward"]) == ("completed", "in progress")
    assert statuses(played["begun"]) == ("overdue", "in progress")
    assert statuses(played["retried"]) == ("completed", "in progress")
    idle = next(user for user in in_order if user.email.startswith("bulk"))
    assert statuses(idle) == ("overdue", "not started")
    assert ["Learner 51", played["both"].email, "Medicine", "Second module", "completed"] in rows
    assert {row[2] for row in rows if row[1] == played["retried"].email} == {""}


def test_progress_csv_without_modules_or_learners_is_a_header(client, login_as, course):
    tutor = login_as(Role.TUTOR)
    empty = cohorts.create_cohort(tutor, "Nobody yet")
    assert download(client, empty) == [HEADER]
    assign(empty, "test-module")
    assert download(client, empty) == [HEADER]


def test_progress_csv_runs_the_same_few_statements_for_any_cohort(
    client, big_cohort, count_queries
):
    cohort, played = big_cohort
    small = cohorts.create_cohort(cohort.tutors[0].user, "Small")
    assign(small, "test-module", utcnow() - timedelta(days=1), utcnow() - timedelta(hours=2))
    assign(small, "second-module", None, utcnow() - timedelta(hours=1))
    cohorts.join(played["both"], small)
    urls = [f"/cohorts/{measured.id}/progress.csv" for measured in (small, cohort)]
    counts = []
    for url in urls:
        with count_queries() as statements:
            response = client.get(url)
        lines = response.get_data(as_text=True).splitlines()
        counts.append(len(statements))
    assert len(lines) == 1 + 60 * 2
    assert counts[0] == counts[1] <= 12, counts


def per_module_counts(cohort, modules):
    """The summaries counted the slow, obvious way: each member, each module, in Python."""
    now = utcnow()
    members = db.session.scalars(
        sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    ).all()
    attempts = db.session.execute(
        sa.select(Attempt.user_id, Version.document_id, Attempt.status)
        .join(Version, Version.id == Attempt.version_id)
        .where(Attempt.is_playtest.is_(False))
    ).all()
    summaries = []
    for module in modules:
        counts = Counter({status.value: 0 for status in ModuleStatus})
        for user_id in members:
            mine = [(d, s) for u, d, s in attempts if u == user_id and d in module.scenario_ids]
            finished = {d for d, s in mine if s == AttemptStatus.COMPLETED.value}
            is_completed = bool(module.scenario_ids) and finished >= set(module.scenario_ids)
            counts[status_of(is_completed, bool(mine), module.assignment.due_at, now)] += 1
        summaries.append(dict(counts))
    return summaries


def test_module_summaries_count_what_each_module_counted_alone(big_cohort):
    cohort, _ = big_cohort
    cohort = db.session.get(Cohort, cohort.id)
    modules = assigned_modules(cohort)
    assert [len(module.scenarios) for module in modules] == [1, 2]
    summaries = module_summaries(cohort, modules)
    assert summaries == per_module_counts(cohort, modules)
    assert summaries == [
        {"completed": 3, "in progress": 0, "not started": 0, "overdue": 57},
        {"completed": 1, "in progress": 3, "not started": 56, "overdue": 0},
    ]
    assert [list(summary) for summary in summaries] == [[s.value for s in ModuleStatus]] * 2
    assert module_summaries(cohort, []) == []


def test_the_dashboard_shows_the_summaries_and_a_page_of_the_grid(client, big_cohort):
    cohort, played = big_cohort
    first = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "page 1 of 2" in first and "<dd>57</dd>" in first and "<dd>56</dd>" in first
    second = client.get(f"/cohorts/{cohort.id}?page=2").get_data(as_text=True)
    assert "page 2 of 2" in second and played["both"].display_name in second


def test_module_counts_stay_right_as_learners_play_join_and_leave(big_cohort, make_user):
    """Once counted, the running counts follow every change; a recount agrees with them."""
    cohort, played = big_cohort
    modules = assigned_modules(cohort)
    assert module_summaries(cohort, modules) == per_module_counts(cohort, modules)
    newcomer = make_user(Role.LEARNER)
    play(newcomer, "ward-round", 1, 2)
    play(newcomer, "night-round", 1)
    cohorts.join(newcomer, cohort)  # joins having played: brings their progress along
    play(played["ward"], "night-round", 1, 2)  # finishes the second module
    play(played["begun"], "ward-round", 1)  # begins what was overdue
    cohorts.leave(played["both"], cohort)
    play(played["both"], "ward-round", 1, 2, fresh=True)  # after leaving: not counted
    play(newcomer, "night-round", 1, 2, fresh=True)
    cohort = db.session.get(Cohort, cohort.id)
    kept = module_summaries(cohort, modules)
    assert kept == per_module_counts(cohort, modules)
    assert kept[1] == {"completed": 2, "in progress": 2, "not started": 56, "overdue": 0}
    # Counting again from scratch (`flask tallies rebuild`) agrees.
    for model in (ModuleScenario, CohortModuleProgress):
        db.session.execute(sa.delete(model))
    tallies.rebuild()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleScenario)) > 0
    assert module_summaries(cohort, modules) == kept


def test_module_counts_follow_a_change_of_the_modules_scenarios(client, login_as, make_user, app):
    """A new module version needing another scenario: loading it counts that module again
    (content's module_scenarios_changed); the dashboard only reads."""
    tutor = login_as(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    course = Path(app.config["CURRICULUM_DIR"]).parent
    load_course(course / "curriculum", course / "scenarios")
    cohort = cohorts.create_cohort(tutor, "Changing")
    cohorts.join(learner, cohort)
    assign(cohort, "test-module")
    play(learner, "ward-round", 1, 2)
    modules = assigned_modules(cohort)
    assert module_summaries(cohort, modules)[0]["completed"] == 1
    # The module now also needs a night round, which nobody has played.
    folder = app.config["CURRICULUM_DIR"]
    source = (Path(folder) / "test-module.md").read_text(encoding="utf-8")
    ward = (course / "scenarios" / "ward-round.md").read_text(encoding="utf-8")
    scenarios = Path(str(app.instance_path)) / "changed-scenarios"
    curriculum = Path(str(app.instance_path)) / "changed-curriculum"
    shutil.copytree(course / "curriculum", curriculum, dirs_exist_ok=True)
    shutil.copytree(course / "scenarios", scenarios, dirs_exist_ok=True)
    (scenarios / "night-round.md").write_text(
        ward.replace("id: ward-round", "id: night-round", 1), encoding="utf-8"
    )
    (curriculum / "test-module.md").write_text(
        source.replace("scenario: ward-round", "scenario: ward-round\nscenario: night-round", 1),
        encoding="utf-8",
    )
    try:
        load_course(curriculum, scenarios)
    finally:
        shutil.rmtree(curriculum)
        shutil.rmtree(scenarios)
    modules = assigned_modules(db.session.get(Cohort, cohort.id))
    assert len(modules[0].scenarios) == 2
    summary = module_summaries(cohort, modules)[0]
    assert summary["completed"] == 0 and summary["in progress"] == 1
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert ">In progress</span>" in page
