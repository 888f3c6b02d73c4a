"""Taking a draft to learners: playtesting it, signing it off, publishing it as a version.

Every write goes into the request's transaction with its audit event (eduapp/transaction.py).
"""

import sqlalchemy as sa
from flask import current_app

from eduapp.accounts.models import User
from eduapp.audit.services import record
from eduapp.content.models import Document, DocumentKind, Version
from eduapp.content.queries import (
    newest_assessment_for_module,
    newest_scenario_versions,
    newest_version,
)
from eduapp.content.services import announce_published, next_number
from eduapp.engine import Scenario
from eduapp.extensions import db, utcnow
from eduapp.player.models import Attempt
from eduapp.studio import queries
from eduapp.studio.errors import StudioError
from eduapp.studio.models import Decision, SignOff
from eduapp.studio.signals import decision_given, published, review_requested
from eduapp.studio.starters import SAMPLE_TEXTS, SUMMARY


class ChangesRequested(StudioError):
    """A member asked for changes to the revision being published; publishing over it needs
    the publisher to say so."""


def start_playtest(actor: User, document: Document) -> Attempt:
    """Play the newest draft exactly as a learner would; never counted anywhere."""
    latest = queries.latest_revision(document)
    draft = queries.draft_of(latest)
    if not draft.is_valid:
        raise StudioError("Fix the draft's problems before playtesting it.")
    attempt = Attempt.at_start(
        draft.model, user_id=actor.id, revision_id=latest.id, is_playtest=True
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def review(actor, document, revision_number: int, decision: Decision, note: str) -> SignOff:
    """Approve, or ask for changes to, the exact revision the reviewer read."""
    latest = queries.latest_revision(document)
    if latest.number != revision_number:
        raise StudioError(
            f"Revision {latest.number} is newer than the one you reviewed; please read it first."
        )
    if decision == Decision.CHANGES and not note.strip():
        raise StudioError("Say what should change, so the authors know what to do.")
    if decision == Decision.APPROVE and (leftovers := _blocking_leftovers(latest)):
        raise StudioError(
            "This revision cannot be signed off yet: "
            + " ".join(leftovers)
            + " Rewrite it in the authors' own words first."
        )
    existing = db.session.scalar(
        sa.select(SignOff).where(SignOff.revision_id == latest.id, SignOff.user_id == actor.id)
    )
    if existing is None:
        existing = SignOff(revision_id=latest.id, user_id=actor.id)
        db.session.add(existing)
    existing.decision = decision.value
    existing.note = note.strip()
    existing.created_at = utcnow()
    action = "signed_off" if decision == Decision.APPROVE else "requested_changes"
    record(action, actor=actor, document=document, revision_number=latest.number)
    db.session.flush()
    decision_given.send(
        current_app._get_current_object(),
        document=document,
        revision_number=latest.number,
        actor_id=actor.id,
        decision=decision,
    )
    return existing


def request_review(actor: User, document: Document, revision_number: int) -> None:
    """Ask the members who can sign off to read the newest revision (they are notified)."""
    latest = queries.latest_revision(document)
    if latest.number != revision_number:
        raise StudioError(f"Revision {latest.number} was saved since; ask for a review of it.")
    record("requested_review", actor=actor, document=document, revision_number=latest.number)
    review_requested.send(
        current_app._get_current_object(),
        document=document,
        revision_number=latest.number,
        actor_id=actor.id,
    )


def publish(
    actor: User, document: Document, revision_number: int, *, over_changes: bool = False
) -> Version:
    """Publish the newest revision, if it is the one shown and the publishing rule holds. A
    standing request for changes on it is published over only when ``over_changes`` says the
    publisher confirmed it (ChangesRequested otherwise); the audit log says so."""
    latest = queries.latest_revision(document)
    if latest.number != revision_number:
        raise StudioError(f"Revision {latest.number} was saved since; review it first.")
    status = queries.publish_status(document, latest)
    if status.problems:
        raise StudioError("The draft has problems; it must pass validation to be published.")
    if not status.is_ready:
        raise StudioError(_still_needed(status))
    if leftovers := _blocking_leftovers(latest):
        raise StudioError(" ".join(leftovers) + " Rewrite it before publishing.")
    askers = sorted(s.user.display_name for s in status.changes_requested)
    if askers and not over_changes:
        raise ChangesRequested(
            f"{', '.join(askers)} asked for changes to revision {latest.number}. Read the "
            "request, then tick the box to publish anyway, or save a revision that answers it."
        )
    draft = queries.draft_of(latest)
    if document.kind == DocumentKind.MODULE.value:
        _check_module_scenarios(draft.model)
    if document.kind == DocumentKind.ASSESSMENT.value:
        _check_assessment_module(document, draft.model)
    version = Version(
        document=document,
        number=next_number(Version, document),
        revision_id=latest.id,
        source=latest.source,
        title=draft.model.title,
        summary=draft.model.summary,
        sort_order=getattr(draft.model, "order", None),
    )
    try:
        with db.session.begin_nested():
            db.session.add(version)
            record(
                "published",
                actor=actor,
                document=document,
                revision_number=latest.number,
                detail=f"version {version.number}"
                + (f", over a request for changes by {len(askers)} member(s)" if askers else ""),
            )
    except sa.exc.IntegrityError:
        raise StudioError("Someone published at the same moment; reload to see it.") from None
    announce_published([version])
    published.send(
        current_app._get_current_object(),
        document=document,
        version_number=version.number,
        actor_id=actor.id,
    )
    return version


def starter_leftovers(scenario, node_id: str | None = None) -> list[str]:
    """What in a scenario still holds the starter's sample text (only the node ``node_id``,
    when given): a sign-off is refused until the authors have written their own."""
    if not isinstance(scenario, Scenario):
        return []
    found = []
    if node_id is None and scenario.summary == SUMMARY:
        found.append("The summary still holds the starter's sample text.")
    for node in scenario.nodes:
        if node_id not in (None, node.id):
            continue
        texts = {node.body, node.debrief} | {c.feedback for c in node.choices}
        if texts & SAMPLE_TEXTS:
            found.append(f"Node “{node.title}” still holds the starter's sample text.")
    return found


def _blocking_leftovers(revision) -> list[str]:
    """The starter's sample text in the revision, when configured to block a sign-off."""
    if not current_app.config["STARTER_TEXT_BLOCKS_SIGN_OFF"]:
        return []
    return starter_leftovers(queries.draft_of(revision).model)


def _still_needed(status: queries.PublishStatus) -> str:
    message = "Still needed: sign-off by " + " and ".join(status.missing) + "."
    if any(group.counted_elsewhere for group in status.groups if group.approver is None):
        message += " Each sign-off must come from a different person; one person counts once."
    return message


def _check_module_scenarios(module) -> None:
    published = newest_scenario_versions(list(module.scenarios))
    missing = [slug for slug in module.scenarios if slug not in published]
    if missing:
        raise StudioError("Publish these scenarios first: " + ", ".join(missing) + ".")


def _check_assessment_module(document: Document, assessment) -> None:
    """An assessment belongs to a published module, and a module has one assessment."""
    if newest_version(DocumentKind.MODULE, assessment.module) is None:
        raise StudioError(f"Publish the module '{assessment.module}' first: 'module:' names it.")
    other = newest_assessment_for_module(assessment.module)
    if other is not None and other.document_id != document.id:
        raise StudioError(
            f"Module '{assessment.module}' already has the assessment '{other.slug}'; "
            "a module has one assessment."
        )
