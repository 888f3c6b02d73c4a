"""Reads about LTI links: whose LMS accounts are linked, and where a linked item lives."""

import sqlalchemy as sa

from eduapp.content.models import Document, DocumentKind
from eduapp.content.queries import assessment_of, module_of, newest_version, published_modules
from eduapp.extensions import db
from eduapp.lti.models import Context, Identity


def identities_of(user_id: int) -> list[Identity]:
    return list(
        db.session.scalars(
            sa.select(Identity).where(Identity.user_id == user_id).order_by(Identity.created_at)
        )
    )


def module_slug_with_scenario(scenario_slug: str) -> str | None:
    """The first published module, in course order, that lists this scenario."""
    for version in published_modules():
        if scenario_slug in module_of(version).scenarios:
            return version.slug
    return None


def context_of_cohort(cohort_id: int) -> Context | None:
    """The LMS course a cohort came from, if it came from one."""
    return db.session.scalar(sa.select(Context).where(Context.cohort_id == cohort_id))


def module_document_of(document: Document) -> Document | None:
    """The module a linked scenario, assessment or module belongs to: the module set for an LMS
    course's cohort when its first link to it is opened."""
    if document.kind == DocumentKind.MODULE:
        return document
    if document.kind == DocumentKind.SCENARIO:
        slug = module_slug_with_scenario(document.slug)
    else:
        version = newest_version(DocumentKind.ASSESSMENT, document.slug)
        slug = assessment_of(version).module if version is not None else None
    if slug is None:
        return None
    return db.session.scalar(
        sa.select(Document).where(Document.kind == DocumentKind.MODULE, Document.slug == slug)
    )
