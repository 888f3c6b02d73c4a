"""Reads of course content: the newest published versions and their parsed form."""

import sqlalchemy as sa

from eduapp.cache import MIB, ByteBoundedCache
from eduapp.content.models import Document, DocumentKind, Version
from eduapp.engine import (
    Assessment,
    Module,
    Scenario,
    parse_assessment,
    parse_module,
    parse_scenario,
)
from eduapp.extensions import db

#: Parsed published content kept per worker process (scenarios, modules and assessments share
#: it). Only valid sources are kept; they hold at most ~40 bytes per character of source, text
#: included (measured in tests/security/test_rows_hardening_identity.py). The whole course is
#: about 0.3 MB of source, so every version in use fits many times over.
PUBLISHED = ByteBoundedCache(96 * MIB, bytes_per_char=64, bytes_per_entry=64 * 1024)


def _newest_versions(kind: DocumentKind):
    newest = (
        sa.select(Version.document_id, sa.func.max(Version.number).label("number"))
        .join(Document, Document.id == Version.document_id)
        .where(Document.kind == kind.value)
        .group_by(Version.document_id)
        .subquery()
    )
    return sa.select(Version).join(
        newest,
        sa.and_(Version.document_id == newest.c.document_id, Version.number == newest.c.number),
    )


def newest_versions(kind: DocumentKind) -> list[Version]:
    """The newest published version of every document of a kind."""
    return list(db.session.scalars(_newest_versions(kind)))


def published_modules() -> list[Version]:
    """The newest published version of every module, in course order."""
    query = _newest_versions(DocumentKind.MODULE).order_by(Version.sort_order, Version.title)
    return list(db.session.scalars(query))


def newest_version(kind: DocumentKind, slug: str) -> Version | None:
    query = _newest_versions(kind).join(Document, Document.id == Version.document_id)
    return db.session.scalar(query.where(Document.slug == slug))


def newest_scenario_versions(slugs: list[str]) -> dict[str, Version]:
    """The newest published version of each named scenario that has one, by slug."""
    if not slugs:
        return {}
    query = (
        _newest_versions(DocumentKind.SCENARIO)
        .join(Document, Document.id == Version.document_id)
        .where(Document.slug.in_(slugs))
    )
    return {version.slug: version for version in db.session.scalars(query)}


def scenarios_of_modules() -> dict[int, list[int]]:
    """Each module's scenarios as learners find them: for the newest version of every module,
    the document ids of the scenarios it names that have a published version, in its order."""
    modules = {v.document_id: module_of(v) for v in newest_versions(DocumentKind.MODULE)}
    published = newest_scenario_versions(
        sorted({slug for module in modules.values() for slug in module.scenarios})
    )
    return {
        module_id: [published[s].document_id for s in module.scenarios if s in published]
        for module_id, module in modules.items()
    }


def scenario_of(version: Version) -> Scenario:
    """The parsed scenario of a published version (parsed once per process, it never changes)."""
    return parse_scenario_source(version.source, version.document.slug)


def module_of(version: Version) -> Module:
    return parse_module_source(version.source, version.document.slug)


@PUBLISHED.memoize
def parse_scenario_source(source: str, slug: str) -> Scenario:
    """Parse a stored, valid scenario source; cached by its text, which never changes in place."""
    return parse_scenario(source, f"scenarios/{slug}.md")


@PUBLISHED.memoize
def parse_module_source(source: str, slug: str) -> Module:
    return parse_module(source, f"curriculum/{slug}.md")


def assessment_of(version: Version) -> Assessment:
    return parse_assessment_source(version.source, version.document.slug)


@PUBLISHED.memoize
def parse_assessment_source(source: str, slug: str) -> Assessment:
    return parse_assessment(source, f"curriculum/assessments/{slug}.md")


def newest_assessment_for_module(module_slug: str) -> Version | None:
    """The newest published version of the assessment whose ``module:`` names this module.

    The module lives in the source, not in a column; there are a handful of assessments and
    each is parsed once per process. Should two name the same module (the course checker
    refuses that for files), the one created first wins.
    """
    versions = sorted(newest_versions(DocumentKind.ASSESSMENT), key=lambda v: v.document_id)
    return next((v for v in versions if assessment_of(v).module == module_slug), None)
