"""Loading the course: idempotent, versioned, all or nothing; attempts keep their version."""

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind, Revision, Version
from eduapp.content.queries import newest_version, scenario_of
from eduapp.content.services import load_course
from eduapp.engine import check_course
from eduapp.extensions import db
from eduapp.player import services
from eduapp.player.models import Attempt

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def course_copy(app, tmp_path):
    copy = tmp_path / "course"
    shutil.copytree(app.config["CURRICULUM_DIR"].parent, copy)
    return copy


def load(copy):
    return load_course(copy / "curriculum", copy / "scenarios")


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_loading_twice_changes_nothing(course_copy):
    first = load(course_copy)
    second = load(course_copy)
    assert sorted(first.published) == [
        "assessment test-module",
        "module test-module",
        "scenario ward-round",
    ]
    assert second.published == [] and len(second.unchanged) == 3
    assert count(Version) == 3 and count(Revision) == 3


def test_a_whitespace_only_edit_is_not_a_new_version(course_copy):
    load(course_copy)
    path = course_copy / "scenarios" / "ward-round.md"
    path.write_text(path.read_text().replace("licence: CC BY-SA 4.0", "licence:   CC BY-SA 4.0  "))
    assert load(course_copy).published == []


def test_a_changed_file_is_a_new_version_and_running_attempts_keep_theirs(course_copy, make_user):
    load(course_copy)
    learner = make_user(Role.LEARNER)
    old = newest_version(DocumentKind.SCENARIO, "ward-round")
    attempt = services.start_attempt(learner, old)
    path = course_copy / "scenarios" / "ward-round.md"
    path.write_text(
        path.read_text().replace(
            "[[Follow the consultant -> follows]]", "[[Follow the consultant quietly -> follows]]"
        )
    )
    assert load(course_copy).published == ["scenario ward-round"]
    new = newest_version(DocumentKind.SCENARIO, "ward-round")
    assert new.number == 2 and new.id != old.id
    assert "quietly" in scenario_of(new).node("bedside").choices[1].label
    services.choose(attempt, 0, 2)
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.version_id == old.id
    assert attempt.events[0].choice_label == "Follow the consultant"
    fresh = services.start_attempt(make_user(Role.LEARNER), new)
    assert fresh.version_id == new.id


def test_content_check_command_reports_counts_and_fails_on_problems(runner, app, course_copy):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "ward-round" in result.output and "No problems." in result.output
    (course_copy / "scenarios" / "ward-round.md").write_text("id: ward-round\n")
    app.config["SCENARIOS_DIR"] = course_copy / "scenarios"
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "ward-round.md:" in result.output


def test_content_load_command_is_idempotent_and_refuses_broken_files(runner, app, course_copy):
    first = runner.invoke(args=["content", "load"])
    assert first.exit_code == 0 and "3 published" in first.output
    assert "0 published, 3 unchanged" in runner.invoke(args=["content", "load"]).output
    (course_copy / "scenarios" / "ward-round.md").write_text("id: ward-round\n")
    app.config["SCENARIOS_DIR"] = course_copy / "scenarios"
    broken = runner.invoke(args=["content", "load"])
    assert broken.exit_code == 1 and "Nothing was loaded." in broken.output


def test_the_shipped_course_passes_the_checker():
    report = check_course(ROOT / "curriculum", ROOT / "scenarios")
    assert report.problems == [], "\n".join(map(str, report.problems))
    assert report.modules and report.scenarios


def test_the_shipped_course_loads(app):
    result = load_course(ROOT / "curriculum", ROOT / "scenarios")
    assert result.published
    report = result.report
    assert count(Version) == len(report.modules) + len(report.scenarios) + len(report.assessments)


def test_export_then_load_changes_nothing(runner, app, course_copy, tmp_path):
    load(course_copy)
    out = tmp_path / "exported"
    result = runner.invoke(args=["content", "export", "--to", str(out)])
    assert result.exit_code == 0 and "3 files written" in result.output
    exported = (out / "scenarios" / "ward-round.md").read_text()
    assert exported == (course_copy / "scenarios" / "ward-round.md").read_text()
    again = load_course(out / "curriculum", out / "scenarios")
    assert again.published == [] and count(Version) == 3


def test_unpublished_studio_drafts_are_not_exported(app, course_copy, make_user, tmp_path):
    from eduapp.content.services import export_course
    from eduapp.studio.queries import latest_revision
    from eduapp.studio.revisions import save_source

    load(course_copy)
    document = db.session.scalar(sa.select(Version).where(Version.number == 1)).document
    editor = make_user(Role.ADMIN)
    base = latest_revision(document)
    save_source(
        editor, document, base.number, base.source.replace("Test module", "Team module"), "rename"
    )
    export_course(tmp_path / "c", tmp_path / "s")
    assert load_course(tmp_path / "c", tmp_path / "s").published == []
