"""A new draft starts as a small valid example of its kind, written by the engine's serializers."""

import pytest

from eduapp.content.models import DocumentKind
from eduapp.engine import check_course, parse_assessment, parse_module, parse_scenario
from eduapp.studio.models import MemberRole, Membership
from eduapp.studio.starters import starter_source

SLUG = "night-handover"


@pytest.mark.parametrize("role", list(MemberRole))
def test_every_starter_passes_the_course_checker(tmp_path, role):
    author = Membership(role=role.value, credit="nursing tutor")
    files = {
        DocumentKind.SCENARIO: tmp_path / "scenarios" / f"{SLUG}.md",
        DocumentKind.MODULE: tmp_path / "curriculum" / f"{SLUG}.md",
        DocumentKind.ASSESSMENT: tmp_path / "curriculum" / "assessments" / f"{SLUG}.md",
    }
    for kind, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(starter_source(kind, SLUG, "The night handover", author), "utf-8")
    report = check_course(tmp_path / "curriculum", tmp_path / "scenarios")
    assert report.problems == []
    assert set(report.scenarios) == set(report.modules) == {SLUG}


def test_starters_credit_their_first_member_by_role_and_keep_the_title():
    author = Membership(role=MemberRole.PATIENT_PARTNER.value, credit="patient educator")
    for kind, parse in (
        (DocumentKind.SCENARIO, parse_scenario),
        (DocumentKind.MODULE, parse_module),
        (DocumentKind.ASSESSMENT, parse_assessment),
    ):
        model = parse(starter_source(kind, SLUG, "The night handover: a draft", author))
        assert model.id == SLUG and model.title == "The night handover: a draft"
        assert [(a.kind, a.credit) for a in model.authors] == [
            ("patient educator", "patient educator")
        ]
