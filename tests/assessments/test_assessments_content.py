"""Assessments are versioned documents: loaded from and exported to files, written in the studio."""

import shutil

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.content.models import Document, DocumentKind, Revision, Version
from eduapp.content.queries import assessment_of, newest_assessment_for_module, newest_version
from eduapp.content.services import export_course, load_course
from eduapp.engine import ContentError
from eduapp.extensions import db
from tests.support.accounts import Auth

EDITOR = "/studio/assessment/team-check"


@pytest.fixture
def course_copy(app, tmp_path):
    copy = tmp_path / "course"
    shutil.copytree(app.config["CURRICULUM_DIR"].parent, copy)
    return copy


def load(copy):
    return load_course(copy / "curriculum", copy / "scenarios")


def versions_of_assessments() -> list[Version]:
    return list(
        db.session.scalars(sa.select(Version).join(Document).where(Document.kind == "assessment"))
    )


def test_loading_publishes_the_assessment_once_and_changes_make_versions(course_copy):
    assert "assessment test-module" in load(course_copy).published
    version = newest_assessment_for_module("test-module")
    assert version.title == "Test module: check your understanding"
    assert len(assessment_of(version).questions) == 6
    assert "assessment test-module" in load(course_copy).unchanged
    path = course_copy / "curriculum" / "assessments" / "test-module.md"
    path.write_text(path.read_text().replace("pass_mark: 60", "pass_mark: 70"))
    assert load(course_copy).published == ["assessment test-module"]
    assert [v.number for v in versions_of_assessments()] == [1, 2]
    assert assessment_of(newest_version(DocumentKind.ASSESSMENT, "test-module")).pass_mark == 70


def test_a_broken_assessment_loads_nothing_at_all(course_copy):
    path = course_copy / "curriculum" / "assessments" / "test-module.md"
    path.write_text(path.read_text().replace("type: single", "type: essay"))
    with pytest.raises(ContentError) as error:
        load(course_copy)
    assert "assessments/test-module.md" in str(error.value)
    assert db.session.scalar(sa.select(sa.func.count(Version.id))) == 0


def test_export_writes_assessments_back_and_loading_them_changes_nothing(course_copy, tmp_path):
    load(course_copy)
    out = tmp_path / "out"
    written = export_course(out / "curriculum", out / "scenarios")
    exported = out / "curriculum" / "assessments" / "test-module.md"
    assert exported in written
    original = course_copy / "curriculum" / "assessments" / "test-module.md"
    assert exported.read_text() == original.read_text()
    again = load_course(out / "curriculum", out / "scenarios")
    assert again.published == [] and "assessment test-module" in again.unchanged
    assert len(versions_of_assessments()) == 1


def sign_in(app, user) -> Auth:
    auth = Auth(app.test_client())
    assert auth.login(user).status_code == 302
    return auth


def test_authors_write_and_publish_an_assessment_in_the_studio(app, course, make_user):
    educator, tutor = make_user(Role.PATIENT_EDUCATOR), make_user(Role.TUTOR)
    pe = sign_in(app, educator)
    created = pe.post(
        "/studio/new",
        {"kind": "assessment", "slug": "team-check", "title": "Team check", "credit": "patient"},
        page="/studio/",
    )
    assert created.status_code == 302 and created.headers["Location"].endswith(EDITOR)
    editor = pe.client.get(EDITOR).get_data(as_text=True)
    assert "No problems" in editor
    # The preview shows the first question with its key, for authors.
    assert "A first question" in editor and '<span class="badge">correct</span>' in editor
    preview = pe.post(
        f"{EDITOR}/preview",
        {
            "source": _latest_source().replace("id: team-check\nmodule: team-check", ""),
            "node": "in-your-words",
        },
        page=EDITOR,
    ).get_json()["html"]
    assert "Nothing to preview" in preview
    live = pe.post(
        f"{EDITOR}/preview", {"source": _latest_source(), "node": "in-your-words"}, page=EDITOR
    ).get_json()["html"]
    assert "In your own words" in live and "What a tutor looks for first" in live
    checked = pe.post(f"{EDITOR}/check", {"source": "id: team-check\n"}, page=EDITOR).get_json()
    messages = [problem["message"] for problem in checked["problems"]]
    assert "The header has no 'module:' line." in messages
    assert "The assessment has no questions." in messages
    # Belonging to the fixture module, which already has an assessment: publishing is refused.
    source = _latest_source().replace("module: team-check", "module: test-module")
    pe.post(f"{EDITOR}/save", {"base": 1, "source": source, "message": "module"}, page=EDITOR)
    pe.post(
        f"{EDITOR}/members", {"email": tutor.email, "role": "staff", "credit": "tutor"}, page=EDITOR
    )
    tutor_auth = sign_in(app, tutor)
    for auth in (pe, tutor_auth):
        auth.post(f"{EDITOR}/review", {"revision": 2, "decision": "approve"}, page=EDITOR)
    refused = pe.post(f"{EDITOR}/publish", {"revision": 2}, page=EDITOR, follow_redirects=True)
    assert "already has the assessment" in refused.get_data(as_text=True)
    assert newest_version(DocumentKind.ASSESSMENT, "team-check") is None
    # Once the fixture's own assessment file is gone from the store, it publishes.
    db.session.execute(sa.delete(Version).where(Version.title.like("Test module:%")))
    db.session.commit()
    published = pe.post(f"{EDITOR}/publish", {"revision": 2}, page=EDITOR)
    assert published.status_code == 302 and "/versions/1" in published.headers["Location"]
    assert newest_assessment_for_module("test-module").slug == "team-check"
    comments = pe.client.get(f"{EDITOR}/comments").get_data(as_text=True)
    assert "Question first: A first question" in comments


def _latest_source() -> str:
    db.session.expire_all()
    return (
        db.session.scalars(sa.select(Revision).order_by(Revision.id.desc()).limit(1)).one().source
    )
