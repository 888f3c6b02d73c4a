"""Writes of the studio: drafts and revisions, members, comments, sign-offs and publishing.

Every write goes into the request's transaction with its audit event (eduapp/transaction.py).
A save carries the revision it was based on; if someone saved since, nothing is written and the
caller gets a Conflict with both texts.
"""

import re
from dataclasses import dataclass, replace

import sqlalchemy as sa

from eduapp.accounts.models import Role, User
from eduapp.accounts.queries import verified_account_for
from eduapp.audit.services import record
from eduapp.content.models import Document, DocumentKind, Revision, Version
from eduapp.content.queries import (
    newest_assessment_for_module,
    newest_scenario_versions,
    newest_version,
)
from eduapp.content.services import announce_published, next_number
from eduapp.engine import (
    Choice,
    Node,
    Variable,
    dump_module,
    dump_scenario,
    parse_condition,
    parse_effects,
)
from eduapp.extensions import db, utcnow
from eduapp.player.models import Attempt
from eduapp.studio import queries
from eduapp.studio.drafts import Draft, is_losslessly_editable, read_draft
from eduapp.studio.models import Comment, Decision, MemberRole, Membership, SignOff

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,62}[a-z0-9]")


class StudioError(ValueError):
    """A request the studio refuses, with a message for the person who made it."""


@dataclass
class Conflict(Exception):
    """Someone saved a newer revision since ``base``; nothing was written."""

    latest: Revision
    submitted: str
    message: str


def _starter_source(kind: DocumentKind, slug: str, title: str, author: Membership) -> str:
    credit = f"author: {_author_kind(author)} | {author.credit}"
    if kind == DocumentKind.SCENARIO:
        return (
            f"id: {slug}\ntitle: {title}\nsummary: One or two sentences for learners.\n"
            f"professions: medicine, nursing\n{credit}\nlicence: CC BY-SA 4.0\n"
            "var voice = 0 | How far the patient's own words reach the team\nstart: opening\n\n"
            ":: opening | Where it begins\nspeaker: patient\n\nWhat the learner sees first.\n\n"
            "[[Listen first -> heard]]\n  set: voice += 1\n"
            "  feedback: Say what this choice gains and what it costs.\n"
            "[[Carry on with the plan -> unheard]]\n"
            "  feedback: Say what this choice gains and what it costs.\n\n"
            ":: heard | Heard\nending: Heard\n\nWhat happened.\n\n"
            "debrief:\nWhat happened to the patient, the team and the learner.\n\n"
            ":: unheard | Not heard\nending: Not heard\n\nWhat happened.\n\n"
            "debrief:\nWhat happened to the patient, the team and the learner.\n"
        )
    if kind == DocumentKind.ASSESSMENT:
        return (
            f"id: {slug}\nmodule: {slug}\ntitle: {title}\n"
            "summary: One or two sentences for learners.\npass_mark: 70\nattempts: 3\n"
            f"{credit}\nlicence: CC BY-SA 4.0\n\n"
            ":: first | A first question\ntype: single\n\nThe question, in Markdown.\n\n"
            "- [x] The right answer.\n  feedback: Say why it is right.\n"
            "- [ ] Another answer.\n  feedback: Explain, rather than only say 'wrong'.\n\n"
            ":: in-your-words | In your own words\ntype: text\npoints: 2\n\n"
            "What the learner writes about, in a few sentences.\n\nrubric:\n"
            "- What a tutor looks for first | 1\n- What a tutor looks for next | 1\n"
        )
    return (
        f"id: {slug}\ntitle: {title}\norder: 99\nsummary: One or two sentences for learners.\n"
        "outcome: Describe ...\n"
        f"{credit}\nlicence: CC BY-SA 4.0\n\n:: reading\n\nThe reading, in Markdown.\n\n"
        ":: references\n\n- Author A. Title. *Journal*. Year;Volume(Issue):pages.\n"
    )


def _author_kind(member: Membership) -> str:
    return {
        MemberRole.PATIENT_PARTNER.value: "patient educator",
        MemberRole.PEER_STUDENT.value: "student",
    }.get(member.role, "staff")


def default_role_for(user: User) -> MemberRole:
    if user.has_role(Role.PATIENT_EDUCATOR):
        return MemberRole.PATIENT_PARTNER
    if user.has_role(Role.TUTOR, Role.ADMIN):
        return MemberRole.STAFF
    return MemberRole.PEER_STUDENT


def create_document(actor: User, kind: DocumentKind, slug: str, title: str, credit: str):
    """A new draft, its first revision, and the creator as its first member."""
    if not SLUG_RE.fullmatch(slug):
        raise StudioError(
            "Use 3 to 64 lowercase letters, digits and dashes for the id, e.g. 'night-handover'."
        )
    taken = db.session.scalar(
        sa.select(Document.id).where(Document.kind == kind.value, Document.slug == slug)
    )
    if taken:
        raise StudioError(f"A {kind.value} with the id '{slug}' exists already.")
    try:
        with db.session.begin_nested():
            document = Document(kind=kind.value, slug=slug)
            db.session.add(document)
            db.session.flush()
            member = Membership(
                document_id=document.id,
                user_id=actor.id,
                role=default_role_for(actor).value,
                credit=credit.strip() or Role(next(iter(sorted(actor.role_set)))).label.lower(),
            )
            db.session.add(member)
            source = _starter_source(kind, slug, title, member)
            _add_revision(document, 1, source, "Started the draft", actor)
            record("created", actor=actor, document=document, revision_number=1)
    except sa.exc.IntegrityError:  # someone created it a moment ago
        raise StudioError(f"A {kind.value} with the id '{slug}' exists already.") from None
    return document


def _add_revision(document, number: int, source: str, message: str, actor) -> Revision:
    draft = read_draft(DocumentKind(document.kind), document.slug, source)
    revision = Revision(
        document=document,
        number=number,
        source=source,
        message=message[:200] or "Saved",
        author_id=actor.id if actor else None,
        title=draft.title[:200],
    )
    db.session.add(revision)
    return revision


def _add_revision_or_conflict(
    document, number: int, source: str, message: str, actor, action, **audit
) -> Revision:
    """Add revision ``number`` and its audit event in a savepoint. If another save took that
    number between our check and our insert, nothing of ours stays, the request goes on, and the
    caller gets a Conflict."""
    try:
        with db.session.begin_nested():
            revision = _add_revision(document, number, source, message, actor)
            record(action, actor=actor, document=document, revision_number=number, **audit)
    except sa.exc.IntegrityError:
        latest = queries.latest_revision(document)
        raise Conflict(latest, source, "Someone saved while you were saving.") from None
    return revision


def save_source(actor: User, document: Document, base: int, source: str, message: str):
    """Save a new revision on top of revision ``base``; Conflict if it is no longer the newest."""
    source = source.replace("\r\n", "\n")
    latest = queries.latest_revision(document)
    if latest.number != base:
        raise Conflict(
            latest,
            source,
            f"Revision {latest.number} was saved by "
            f"{latest.author_name} after the revision {base} you started from.",
        )
    if source == latest.source:
        return latest
    return _add_revision_or_conflict(document, base + 1, source, message, actor, "edited")


def restore(actor: User, document: Document, number: int) -> Revision:
    """Make an old revision's text the newest one, as a new revision: history is never rewritten."""
    old = queries.revision_by_number(document, number)
    if old is None:
        raise StudioError("There is no such revision.")
    latest = queries.latest_revision(document)
    return _add_revision_or_conflict(
        document,
        latest.number + 1,
        old.source,
        f"Restored revision {number}",
        actor,
        "restored",
        detail=f"from revision {number}",
    )


# Structured edits: the parsed draft is changed and written back as a new revision.
def _editable(draft: Draft):
    if not is_losslessly_editable(draft):
        raise StudioError(
            "The source has a problem the forms cannot keep; fix it in the source editor first."
        )
    return draft.model


def add_node(actor, document, base: int, draft: Draft, node: Node) -> Revision:
    scenario = _editable(draft)
    if any(existing.id == node.id for existing in scenario.nodes):
        raise StudioError(f"A node with the id '{node.id}' exists already.")
    changed = replace(scenario, nodes=(*scenario.nodes, node))
    return save_source(actor, document, base, dump_scenario(changed), f"Added node '{node.id}'")


def add_choice(actor, document, base: int, draft: Draft, node_id: str, choice: Choice):
    scenario = _editable(draft)
    nodes = list(scenario.nodes)
    index = next((i for i, n in enumerate(nodes) if n.id == node_id), None)
    if index is None:
        raise StudioError(f"There is no node '{node_id}'.")
    if nodes[index].is_ending:
        raise StudioError("An ending has no choices; pick another node.")
    nodes[index] = replace(nodes[index], choices=(*nodes[index].choices, choice))
    changed = replace(scenario, nodes=tuple(nodes))
    message = f"Added choice '{choice.label[:60]}' to '{node_id}'"
    return save_source(actor, document, base, dump_scenario(changed), message)


def add_variable(actor, document, base: int, draft: Draft, variable: Variable):
    scenario = _editable(draft)
    if any(v.name == variable.name for v in scenario.variables):
        raise StudioError(f"A variable '{variable.name}' exists already.")
    changed = replace(scenario, variables=(*scenario.variables, variable))
    message = f"Added variable '{variable.name}'"
    return save_source(actor, document, base, dump_scenario(changed), message)


def parse_choice_expressions(condition: str, effects: str):
    """The form's condition and effects as the engine reads them (ExpressionError if bad)."""
    return (
        parse_condition(condition) if condition.strip() else None,
        parse_effects(effects) if effects.strip() else (),
    )


def save_module(actor, document, base: int, module) -> Revision:
    return save_source(actor, document, base, dump_module(module), "Edited the module form")


# Members ------------------------------------------------------------------------------------
#: What an invitation answers, whether the address has no account, an unconfirmed one, a member
#: already or someone new: the inviter learns nothing about who has an account (SECURITY.md
#: row 33), and the co-authors list shows who joined.
INVITE_ANSWER = (
    "If an account with a confirmed address uses that e-mail address, it can now work on this "
    "draft: the co-authors list shows who has joined. Nobody new there? Ask them to sign up or "
    "to confirm their address, then invite them again."
)


def invite(actor: User, document: Document, email: str, role: MemberRole, credit: str) -> None:
    """Add the account whose confirmed address this is (SECURITY.md row 30), if it is not a
    member yet; otherwise do nothing. Callers answer INVITE_ANSWER either way."""
    user = verified_account_for(email)
    if user is None or queries.membership_of(document, user):
        return
    db.session.add(
        Membership(
            document_id=document.id,
            user_id=user.id,
            role=role.value,
            credit=credit.strip()[:80],
        )
    )
    record("invited", actor=actor, document=document, subject=user, detail=f"as {role.label}")
    db.session.flush()


def remove_member(actor: User, document: Document, membership: Membership) -> None:
    if len(queries.members_of(document)) == 1:
        raise StudioError("A draft keeps at least one member.")
    record("removed", actor=actor, document=document, subject=membership.user)
    db.session.delete(membership)
    db.session.flush()


# Comments -----------------------------------------------------------------------------------
def add_comment(actor, document, revision_number: int, anchor: str, body: str, parent_id=None):
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.document_id != document.id or parent.parent_id is not None:
            raise StudioError("That comment thread does not exist here.")
        anchor = parent.anchor
    comment = Comment(
        document_id=document.id,
        revision_number=revision_number,
        anchor=anchor,
        parent_id=parent.id if parent else None,
        author_id=actor.id,
        body=body.strip(),
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def set_resolved(actor, comment: Comment, resolved: bool) -> None:
    comment.is_resolved = resolved
    comment.resolved_by_id = actor.id if resolved else None
    comment.resolved_at = utcnow() if resolved else None
    db.session.flush()


# Review and publishing ----------------------------------------------------------------------
def review(actor, document, revision_number: int, decision: Decision, note: str) -> SignOff:
    """Approve, or ask for changes to, the exact revision the reviewer read."""
    latest = queries.latest_revision(document)
    if latest.number != revision_number:
        raise StudioError(
            f"Revision {latest.number} is newer than the one you reviewed; please read it first."
        )
    if decision == Decision.CHANGES and not note.strip():
        raise StudioError("Say what should change, so the authors know what to do.")
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
    return existing


def publish(actor: User, document: Document, revision_number: int) -> Version:
    """Publish the newest revision, if it is the one shown and the publishing rule holds."""
    latest = queries.latest_revision(document)
    if latest.number != revision_number:
        raise StudioError(f"Revision {latest.number} was saved since; review it first.")
    status = queries.publish_status(document, latest)
    if status.problems:
        raise StudioError("The draft has problems; it must pass validation to be published.")
    if not status.is_ready:
        raise StudioError(_still_needed(status))
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
                detail=f"version {version.number}",
            )
    except sa.exc.IntegrityError:
        raise StudioError("Someone published at the same moment; reload to see it.") from None
    announce_published([version])
    return version


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
