"""The shipped course: every ending reachable through the player, and every module and scenario
as rich as the course promises (docs/course.md)."""

import re
from pathlib import Path

import pytest

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.content.services import load_course
from eduapp.engine import check_course, reachable_endings, scenario_stats
from eduapp.extensions import db
from eduapp.player import services
from eduapp.player.models import Attempt

ROOT = Path(__file__).resolve().parents[2]
REPORT = check_course(ROOT / "curriculum", ROOT / "scenarios")
SCENARIOS = sorted(REPORT.scenarios)
MODULES = sorted(REPORT.modules)
PROFESSION_SPEAKERS = {
    "physician",
    "doctor",
    "consultant",
    "gp",
    "surgeon",
    "registrar",
    "junior doctor",
    "nurse",
    "charge nurse",
    "staff nurse",
    "nurse specialist",
    "specialist nurse",
    "diabetes nurse",
    "pharmacist",
    "physiotherapist",
    "dietitian",
    "podiatrist",
    "social worker",
    "physician associate",
    "physician assistant",
    "occupational therapist",
    "rheumatologist",
    "orthopaedic surgeon",
}


def test_the_course_has_six_modules_and_six_scenarios():
    assert REPORT.problems == []
    assert len(MODULES) >= 6 and len(SCENARIOS) >= 6
    assert sorted(m.order for m in REPORT.modules.values()) == list(range(1, len(MODULES) + 1))


@pytest.mark.parametrize("slug", MODULES)
def test_module_meets_the_course_standard(slug):
    module = REPORT.modules[slug]
    words = len(module.reading.split())
    assert 3 <= len(module.outcomes) <= 5
    assert 800 <= words <= 1500, words
    assert module.scenarios and all(s in REPORT.scenarios for s in module.scenarios)
    assert "doi" in module.references.lower() and "2017" in module.references


@pytest.mark.parametrize("slug", SCENARIOS)
def test_scenario_meets_the_course_standard(slug):
    scenario = REPORT.scenarios[slug]
    stats = scenario_stats(scenario)
    assert stats.nodes >= 15
    assert stats.decision_points >= 4
    assert stats.endings >= 3
    assert stats.variables >= 2
    assert stats.reflection_prompts >= 3
    conditional = [c for n in scenario.nodes for c in n.choices if c.condition is not None]
    assert len(conditional) >= 2, "variables must change what is offered later"
    speakers = {n.speaker.lower() for n in scenario.nodes if n.speaker}
    assert speakers & {"patient", "carer"}, "the patient's or carer's perspective needs nodes"
    professions = {s for s in speakers if s in PROFESSION_SPEAKERS}
    assert len(professions) >= 3, professions
    assert "Jenny" in "".join(n.body for n in scenario.nodes)
    for node in scenario.nodes:
        for choice in node.choices:
            verdict = re.search(
                r"\b(correct|incorrect|right answer|wrong answer)\b", choice.feedback, re.I
            )
            assert verdict is None, f"{node.id}: feedback explains trade-offs, it gives no verdict"


@pytest.fixture
def shipped_course(app):
    return load_course(ROOT / "curriculum", ROOT / "scenarios")


@pytest.mark.parametrize("slug", SCENARIOS)
def test_every_ending_is_reached_through_the_player(shipped_course, make_user, slug):
    scenario = REPORT.scenarios[slug]
    version = newest_version(DocumentKind.SCENARIO, slug)
    endings = reachable_endings(scenario)
    assert set(endings) == {n.id for n in scenario.nodes if n.is_ending}
    for ending, numbers in endings.items():
        attempt = services.start_attempt(make_user(Role.LEARNER), version)
        for step, number in enumerate(numbers):
            assert services.choose(attempt, step, number) is services.Outcome.RECORDED
        db.session.expire_all()
        finished = db.session.get(Attempt, attempt.id)
        assert finished.is_completed and finished.node_id == ending
