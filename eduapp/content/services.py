"""Writes of course content: loading the course from its files into the versioned store.

Modules are ``curriculum/<id>.md``, their assessments ``curriculum/assessments/<id>.md`` and
scenarios ``scenarios/<id>.md``.
"""

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from eduapp.audit.services import record
from eduapp.content.models import Document, DocumentKind, Revision, Version
from eduapp.content.queries import (
    assessment_of,
    module_of,
    newest_version,
    newest_versions,
    scenario_of,
    scenarios_of_modules,
)
from eduapp.content.signals import module_scenarios_changed
from eduapp.engine import ContentError, CourseReport, check_course
from eduapp.extensions import db

#: Assessments live in this folder inside the curriculum folder.
ASSESSMENTS_FOLDER = "assessments"


@dataclass
class LoadResult:
    report: CourseReport
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def load_course(curriculum_dir: Path, scenarios_dir: Path) -> LoadResult:
    """Import every module, assessment and scenario; a changed file becomes a new published version.

    All or nothing: if any file has a problem, ContentError is raised before anything is
    written; a failure on the way raises, and the caller's unit of work rolls it all back.
    Loading the same files again changes nothing.
    """
    report = check_course(curriculum_dir, scenarios_dir)
    if report.problems:
        raise ContentError(report.problems)
    result = LoadResult(report=report)
    assessments_dir = curriculum_dir / ASSESSMENTS_FOLDER
    kinds = (
        (DocumentKind.SCENARIO, report.scenarios, scenarios_dir, scenario_of),
        (DocumentKind.MODULE, report.modules, curriculum_dir, module_of),
        (DocumentKind.ASSESSMENT, report.assessments, assessments_dir, assessment_of),
    )
    published: list[Version] = []
    for kind, parsed_documents, folder, parse_version in kinds:
        for slug, parsed in sorted(parsed_documents.items()):
            version = _publish_if_changed(
                kind,
                slug,
                folder / f"{slug}.md",
                parsed,
                parse_version,
                title=parsed.title,
                summary=parsed.summary,
                sort_order=parsed.order if kind == DocumentKind.MODULE else None,
            )
            name = f"{kind.value} {slug}"
            if version is None:
                result.unchanged.append(name)
            else:
                result.published.append(name)
                published.append(version)
    announce_published(published)
    return result


def announce_published(versions: list[Version]) -> None:
    """Tell the house what publishing these versions changed: the modules whose scenarios, as
    learners find them, may differ now (a new module version; a scenario's first version that a
    module names), with those scenarios."""
    modules = {v.document_id for v in versions if v.document.kind == DocumentKind.MODULE.value}
    first_scenarios = {
        v.document_id
        for v in versions
        if v.document.kind == DocumentKind.SCENARIO.value and v.number == 1
    }
    if not modules and not first_scenarios:
        return
    changed = {
        module_id: scenario_ids
        for module_id, scenario_ids in scenarios_of_modules().items()
        if module_id in modules or first_scenarios.intersection(scenario_ids)
    }
    if changed:
        module_scenarios_changed.send(current_app._get_current_object(), modules=changed)


def _publish_if_changed(kind, slug, path: Path, parsed, parse_version, **metadata):
    """Add a revision and a published version unless the newest one already says the same;
    returns the new version, or None."""
    current = newest_version(kind, slug)
    if current is not None and parse_version(current) == parsed:
        return None
    source = path.read_text(encoding="utf-8")
    document = current.document if current else _document(kind, slug)
    revision = Revision(
        document=document,
        number=next_number(Revision, document),
        source=source,
        message=f"Loaded from {path.parent.name}/{path.name}",
        title=metadata["title"][:200],
    )
    db.session.add(revision)
    db.session.flush()
    version = Version(
        document=document,
        number=next_number(Version, document),
        revision_id=revision.id,
        source=source,
        **metadata,
    )
    db.session.add(version)
    record(
        "loaded",
        document=document,
        revision_number=revision.number,
        detail=f"from {path.parent.name}/{path.name}",
    )
    db.session.flush()
    return version


def export_course(curriculum_dir: Path, scenarios_dir: Path) -> list[Path]:
    """Write the newest published version of every module, assessment and scenario to its file.

    The text written is the published source itself, so loading it again changes nothing.
    """
    written = []
    for kind, folder in (
        (DocumentKind.MODULE, curriculum_dir),
        (DocumentKind.ASSESSMENT, curriculum_dir / ASSESSMENTS_FOLDER),
        (DocumentKind.SCENARIO, scenarios_dir),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        for version in newest_versions(kind):
            path = folder / f"{version.document.slug}.md"
            path.write_text(version.source, encoding="utf-8")
            written.append(path)
    return written


def _document(kind: DocumentKind, slug: str) -> Document:
    document = db.session.scalar(
        sa.select(Document).where(Document.kind == kind.value, Document.slug == slug)
    )
    if document is None:
        document = Document(kind=kind.value, slug=slug)
        db.session.add(document)
        db.session.flush()
    return document


def next_number(model, document: Document) -> int:
    """The number the document's next revision or version takes (1 for the first)."""
    highest = db.session.scalar(
        sa.select(sa.func.max(model.number)).where(model.document_id == document.id)
    )
    return (highest or 0) + 1
