"""What the dashboard benchmark times: each dashboard query function, and each page.

Pages and queries of the reflections and assessments domains are included when those domains
offer them (they are built alongside this benchmark); a missing one is simply left out.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench.generate import Generated
from eduapp.accounts.models import User
from eduapp.cohorts.dashboard import (
    LEARNERS_PER_PAGE,
    assigned_modules,
    module_summaries,
    progress_page,
)
from eduapp.cohorts.insight import (
    choices_by_profession,
    cohort_professions,
    endings_by_profession,
    time_per_node,
)
from eduapp.cohorts.models import Cohort
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version, scenarios_of_modules
from eduapp.extensions import db
from eduapp.player.models import Attempt
from eduapp.player.queries import how_others_chose
from eduapp.tallies.models import CohortModuleProgress, ModuleScenario
from eduapp.tallies.progress import ensure_counted


@dataclass(frozen=True)
class Query:
    """A query function: ``prepare`` loads its arguments (untimed), ``call`` is timed."""

    name: str
    prepare: Callable[[Generated], tuple]
    call: Callable[..., Any]
    #: Why its time grows with the cohort by nature ("" when it must not).
    grows_because: str = ""


@dataclass(frozen=True)
class Page:
    """A page fetched through the test client by ``who`` ("tutor" or "learner")."""

    name: str
    who: str
    endpoint: str
    arguments: Callable[[Generated], dict]
    #: Why its time grows with the cohort by nature ("" when it must not).
    grows_because: str = ""


def _cohort(g: Generated) -> Cohort:
    return db.session.get(Cohort, g.cohort_id)


def _tutor(g: Generated) -> User:
    return db.session.scalar(db.select(User).where(User.email == g.tutor_email))


def _scenario_id(g: Generated) -> int:
    return newest_version(DocumentKind.SCENARIO, g.busiest_scenario).document_id


def _last_page(g: Generated) -> int:
    return max(1, -(-g.learners // LEARNERS_PER_PAGE))


def _first_page_learners(g: Generated) -> list[int]:
    """The learners on the dashboard's first page, as the dashboard passes them."""
    cohort = _cohort(g)
    _, rows = progress_page(cohort, assigned_modules(cohort), 1)
    return [row.member.user_id for row in rows]


def _forgetting_module_counts(_g: Generated) -> tuple:
    """As when every module's scenarios changed: publishing counts each module again. The
    counts are forgotten in the timed call's own transaction, which is then rolled back."""
    for model in (ModuleScenario, CohortModuleProgress):
        db.session.execute(sa.delete(model))
    return (scenarios_of_modules(),)


def _with_modules(g: Generated) -> tuple:
    cohort = _cohort(g)
    return cohort, assigned_modules(cohort)


QUERIES = [
    Query("cohorts.assigned_modules", lambda g: (_cohort(g),), assigned_modules),
    Query("cohorts.module_summaries (all modules)", _with_modules, module_summaries),
    Query(
        "tallies.ensure_counted (publishing counts again)",
        _forgetting_module_counts,
        ensure_counted,
        grows_because="once when a module's scenarios change, from every learner's progress",
    ),
    Query("cohorts.progress_page (first)", lambda g: (*_with_modules(g), 1), progress_page),
    Query(
        "cohorts.progress_page (last)",
        lambda g: (*_with_modules(g), _last_page(g)),
        progress_page,
    ),
    Query(
        "insight.choices_by_profession",
        lambda g: (_cohort(g), _scenario_id(g)),
        choices_by_profession,
    ),
    Query(
        "insight.endings_by_profession",
        lambda g: (_cohort(g), _scenario_id(g)),
        endings_by_profession,
    ),
    Query("insight.time_per_node", lambda g: (_cohort(g), _scenario_id(g)), time_per_node),
    Query("insight.cohort_professions", lambda g: (_cohort(g),), cohort_professions),
    Query(
        "player.how_others_chose",
        lambda g: (db.session.get(Attempt, g.ending_attempt_id), 5),
        how_others_chose,
    ),
]


def _optional_queries() -> list[Query]:
    """The other domains' dashboard reads, when they exist."""
    found = []
    reflections = _module("eduapp.reflections.queries")
    if reflections and hasattr(reflections, "waiting_reflection_counts"):
        found.append(
            Query(
                "reflections.waiting_reflection_counts (first page)",
                lambda g: (_cohort(g), _first_page_learners(g)),
                reflections.waiting_reflection_counts,
            )
        )
    if reflections and hasattr(reflections, "queue_page"):
        found.append(
            Query(
                "reflections.queue_page (waiting, first)",
                lambda g: (_tutor(g), reflections.QueueFilters(), 1),
                reflections.queue_page,
            )
        )
    assessments = _module("eduapp.assessments.queries")
    if assessments and hasattr(assessments, "cohort_assessment_results"):
        found.append(
            Query(
                "assessments.cohort_assessment_results (first page)",
                lambda g: (_cohort(g), _first_page_learners(g)),
                assessments.cohort_assessment_results,
            )
        )
    if assessments and hasattr(assessments, "marking_page"):
        found.append(
            Query(
                "assessments.marking_page (first)",
                lambda g: (_tutor(g), 1),
                assessments.marking_page,
            )
        )
    return found


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _in_cohort(g: Generated) -> dict:
    return {"cohort_id": g.cohort_id}


def _in_scenario(g: Generated) -> dict:
    return {"cohort_id": g.cohort_id, "slug": g.busiest_scenario}


PAGES = [
    Page("tutor dashboard (first page)", "tutor", "cohorts.dashboard", _in_cohort),
    Page(
        "tutor dashboard (last page)",
        "tutor",
        "cohorts.dashboard",
        lambda g: {**_in_cohort(g), "page": _last_page(g)},
    ),
    Page("scenario insight", "tutor", "insight.scenario", _in_scenario),
    Page("choices.csv", "tutor", "insight.choices_csv", _in_scenario),
    Page("endings.csv", "tutor", "insight.endings_csv", _in_scenario),
    Page("time.csv", "tutor", "insight.time_csv", _in_scenario),
    Page(
        "progress.csv",
        "tutor",
        "insight.progress_csv",
        _in_cohort,
        grows_because="a full export of every learner",
    ),
    Page("reflection queue", "tutor", "reflections.queue", lambda g: {}),
    Page("marking queue", "tutor", "assessments.marking_queue", lambda g: {}),
    Page(
        "learner ending page",
        "learner",
        "player.attempt",
        lambda g: {"attempt_id": g.ending_attempt_id},
    ),
]


def queries() -> list[Query]:
    return QUERIES + _optional_queries()


def pages(app: Flask) -> list[Page]:
    """The pages whose blueprints the app registers now."""
    endpoints = set(app.view_functions)
    return [page for page in PAGES if page.endpoint in endpoints]
