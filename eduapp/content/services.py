"""Writes of course content: loading the course from its files into the versioned store.

Modules are ``curriculum/<id>.md``, their assessments ``curriculum/assessments/<id>.md`` and
scenarios ``scenarios/<id>.md``.
"""

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from eduapp.audit.services import record
from eduapp.content.models import Document, DocumentKind, Revision, Version
from eduapp.content.queries import (
    assessment_of,
    module_of,
    newest_version,
    newest_versions,
    scenario_of,
)
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

    All or nothing: if any file has a problem, ContentError is raised and nothing changes.
    Loading the same files again changes nothing.
    """
    report = check_course(curriculum_dir, scenarios_dir)
    if report.problems:
        raise ContentError(report.problems)
    result = LoadResult(report=report)
    try:
        for slug, scenario in sorted(report.scenarios.items()):
            path = scenarios_dir / f"{slug}.md"
            changed = _publish_if_changed(
                DocumentKind.SCENARIO,
                slug,
                path,
                scenario,
                scenario_of,
                title=scenario.title,
                summary=scenario.summary,
                sort_order=None,
            )
            (result.published if changed else result.unchanged).append(f"scenario {slug}")
        for slug, module in sorted(report.modules.items()):
            path = curriculum_dir / f"{slug}.md"
            changed = _publish_if_changed(
                DocumentKind.MODULE,
                slug,
                path,
                module,
                module_of,
                title=module.title,
                summary=module.summary,
                sort_order=module.order,
            )
            (result.published if changed else result.unchanged).append(f"module {slug}")
        for slug, assessment in sorted(report.assessments.items()):
            path = curriculum_dir / ASSESSMENTS_FOLDER / f"{slug}.md"
            changed = _publish_if_changed(
                DocumentKind.ASSESSMENT,
                slug,
                path,
                assessment,
                assessment_of,
                title=assessment.title,
                summary=assessment.summary,
                sort_order=None,
            )
            (result.published if changed else result.unchanged).append(f"assessment {slug}")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _publish_if_changed(kind, slug, path: Path, parsed, parse_version, **metadata) -> bool:
    """Add a revision and a published version unless the newest one already says the same."""
    current = newest_version(kind, slug)
    if current is not None and parse_version(current) == parsed:
        return False
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
    db.session.add(
        Version(
            document=document,
            number=next_number(Version, document),
            revision_id=revision.id,
            source=source,
            **metadata,
        )
    )
    record(
        "loaded",
        document=document,
        revision_number=revision.number,
        detail=f"from {path.parent.name}/{path.name}",
    )
    db.session.flush()
    return True


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
