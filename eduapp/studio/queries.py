"""Reads of the studio: documents a person works on, revisions, sign-offs, comments, versions."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import defer

from eduapp.accounts.models import Role, User
from eduapp.content.models import Document, DocumentKind, Revision, Version
from eduapp.content.queries import module_of, published_modules
from eduapp.extensions import db
from eduapp.studio.drafts import Draft, read_draft
from eduapp.studio.models import (
    Comment,
    Decision,
    Membership,
    ModuleProposal,
    ProposalStatus,
    SignOff,
)


def latest_revision(document: Document) -> Revision:
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.document_id == document.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def revision_by_number(document: Document, number: int) -> Revision | None:
    return db.session.scalar(
        sa.select(Revision).where(Revision.document_id == document.id, Revision.number == number)
    )


def revisions_of(document: Document) -> list[Revision]:
    """Every revision, newest first, without its source: each may be 1 MB, and lists need none."""
    return list(
        db.session.scalars(
            sa.select(Revision)
            .where(Revision.document_id == document.id)
            .order_by(Revision.number.desc())
            .options(defer(Revision.source))
        )
    )


def versions_of(document: Document) -> list[Version]:
    return list(
        db.session.scalars(
            sa.select(Version)
            .where(Version.document_id == document.id)
            .order_by(Version.number.desc())
        )
    )


def version_by_number(document: Document, number: int) -> Version | None:
    return db.session.scalar(
        sa.select(Version).where(Version.document_id == document.id, Version.number == number)
    )


def draft_of(revision: Revision) -> Draft:
    document = revision.document
    return read_draft(DocumentKind(document.kind), document.slug, revision.source)


def membership_of(document: Document, user: User) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.document_id == document.id, Membership.user_id == user.id
        )
    )


def members_of(document: Document) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.document_id == document.id)
            .order_by(Membership.created_at, Membership.id)
        )
    )


@dataclass(frozen=True)
class DocumentRow:
    document: Document
    latest: Revision
    membership: Membership | None
    published_number: int | None


def documents_for(user: User, *, every: bool = False) -> list[DocumentRow]:
    """Documents the user works on (every document, for an admin who asks), newest first."""
    newest = (
        sa.select(Revision.document_id, sa.func.max(Revision.number).label("number"))
        .group_by(Revision.document_id)
        .subquery()
    )
    published = (
        sa.select(Version.document_id, sa.func.max(Version.number).label("number"))
        .group_by(Version.document_id)
        .subquery()
    )
    query = (
        sa.select(Document, Revision, Membership, published.c.number)
        .join(newest, newest.c.document_id == Document.id)
        .join(
            Revision,
            sa.and_(Revision.document_id == Document.id, Revision.number == newest.c.number),
        )
        .outerjoin(
            Membership,
            sa.and_(Membership.document_id == Document.id, Membership.user_id == user.id),
        )
        .outerjoin(published, published.c.document_id == Document.id)
        .order_by(Revision.created_at.desc(), Document.id.desc())
    )
    if not every:
        query = query.where(Membership.id.is_not(None))
    return [DocumentRow(*row) for row in db.session.execute(query)]


def co_author_credits(document_id: int) -> list[str]:
    """How the co-authors (reviewers aside) are credited, by role, in the order they joined."""
    return list(
        db.session.scalars(
            sa.select(Membership.credit)
            .where(Membership.document_id == document_id, Membership.role != "reviewer")
            .order_by(Membership.created_at, Membership.id)
        )
    )


def credit_sentence(credits: list[str]) -> str:
    """["patient educator", "nursing student"] -> "Co-created with a patient educator and a
    nursing student"."""
    if not credits:
        return ""
    named = [f"{'an' if c[:1].lower() in 'aeiou' else 'a'} {c}" for c in credits]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"Co-created with {listed}"


def sign_offs_of(revision: Revision) -> list[SignOff]:
    return list(
        db.session.scalars(
            sa.select(SignOff).where(SignOff.revision_id == revision.id).order_by(SignOff.id)
        )
    )


@dataclass(frozen=True)
class RuleGroup:
    """One group of the publishing rule, as it stands for a revision."""

    label: str
    #: The approver counted for this group; None while it is still needed.
    approver: str | None
    #: Approvers who hold this group's roles but are counted for another group already.
    counted_elsewhere: list[str]
    #: The user id of ``approver``.
    approver_id: int | None = None


@dataclass(frozen=True)
class PublishStatus:
    groups: list[RuleGroup]
    changes_requested: list[SignOff]
    problems: tuple

    @property
    def is_ready(self) -> bool:
        return not self.problems and all(group.approver for group in self.groups)

    @property
    def missing(self) -> list[str]:
        return [group.label for group in self.groups if group.approver is None]


def publish_status(document: Document, revision: Revision) -> PublishStatus:
    """How the publishing rule stands for this exact revision.

    Each group needs an approval from a member holding one of its roles, and each person counts
    for one group only: someone who is both patient educator and tutor cannot publish alone
    (SECURITY.md row 31).
    """
    member_ids = {m.user_id for m in members_of(document)}
    decisions = sign_offs_of(revision)
    approvers = [
        s.user
        for s in decisions
        if s.decision == Decision.APPROVE.value and s.user_id in member_ids
    ]
    rule = publish_rule()
    eligible = [[user for user in approvers if user.has_role(*roles)] for _, roles in rule]
    assigned = distinct_assignment(eligible)
    groups = [
        RuleGroup(
            label,
            person.display_name if person else None,
            [] if person else [user.display_name for user in candidates],
            person.id if person else None,
        )
        for (label, _), candidates, person in zip(rule, eligible, assigned, strict=True)
    ]
    changes = [s for s in decisions if s.decision == Decision.CHANGES.value]
    return PublishStatus(groups, changes, draft_of(revision).problems)


def distinct_assignment(candidates: list[list]) -> list:
    """A different person for as many groups as possible, from each group's ``candidates``
    (None where nobody is left): a maximum matching found by augmenting paths, which for the
    rule's two or three groups takes a handful of steps."""
    holder: dict = {}  # person -> the group they count for

    def place(group: int, tried: set) -> bool:
        for person in candidates[group]:
            if person in tried:
                continue
            tried.add(person)
            if person not in holder or place(holder[person], tried):
                holder[person] = group
                return True
        return False

    for group in range(len(candidates)):
        place(group, set())
    counted = {group: person for person, group in holder.items()}
    return [counted.get(group) for group in range(len(candidates))]


def publish_rule() -> list[tuple[str, tuple[Role, ...]]]:
    """The configured rule: each line's label and the roles that can fill it."""
    return [
        (label, tuple(Role(role) for role in roles))
        for label, roles in current_app.config["PUBLISH_RULE"]
    ]


def comments_of(document: Document, *, open_only: bool = False) -> list[Comment]:
    """Top-level comments (replies hang under them), oldest first."""
    query = sa.select(Comment).where(
        Comment.document_id == document.id, Comment.parent_id.is_(None)
    )
    if open_only:
        query = query.where(Comment.is_resolved.is_(False))
    return list(db.session.scalars(query.order_by(Comment.created_at, Comment.id)))


def open_comment_count(document: Document) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            Comment.document_id == document.id,
            Comment.parent_id.is_(None),
            Comment.is_resolved.is_(False),
        )
    )


def comment_thread(parent_id: int) -> list[Comment]:
    """A thread: its first comment and every reply, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(sa.or_(Comment.id == parent_id, Comment.parent_id == parent_id))
            .order_by(Comment.id)
        )
    )


@dataclass(frozen=True)
class WhoCan:
    """A line of the rule still needed: the members who could fill it, or whom to invite."""

    label: str
    members: list[str]


@dataclass(frozen=True)
class ReviewExplanation:
    """Why the review panel reads as it does: what does not count, and who can give the rest."""

    #: Sign-offs given on this revision that count for no line, each with its reason.
    not_counted: list[str]
    #: Members who signed off an earlier revision and not this one.
    earlier: list[str]
    #: Each line still needed, with who can fill it.
    who_can: list[WhoCan]


def review_explanation(
    document: Document, revision: Revision, status: PublishStatus
) -> ReviewExplanation:
    """Say why a sign-off does not count (an admin who is not a member; one person for two
    lines; a sign-off on an older revision) and who among the members can give each one still
    needed."""
    members = members_of(document)
    member_ids = {m.user_id for m in members}
    decided = {s.user_id: s for s in sign_offs_of(revision)}
    counted = {group.approver_id for group in status.groups if group.approver_id}
    not_counted = [
        f"{s.user.display_name} signed off as an admin who is not a member of this draft; only "
        "members' sign-offs count. Invite them (as a reviewer) and ask them to sign off again."
        for s in decided.values()
        if s.decision == Decision.APPROVE.value and s.user_id not in member_ids
    ]
    rule = publish_rule()
    for (label, _), group in zip(rule, status.groups, strict=True):
        if group.approver is None and group.counted_elsewhere:
            not_counted.append(
                f"{', '.join(group.counted_elsewhere)} signed off and already counts for another "
                f"line: one person counts once, so {label} must be someone else."
            )
    earlier = [
        f"{name} signed off revision {number}; revision {revision.number} was saved since, so "
        "it needs their sign-off again."
        for name, number in _earlier_approvals(document, revision, member_ids - set(decided))
    ]
    who_can = []
    for (label, roles), group in zip(rule, status.groups, strict=True):
        if group.approver is not None:
            continue
        able = [
            m.user.display_name
            for m in members
            if m.user.has_role(*roles) and m.user_id not in counted
        ]
        who_can.append(WhoCan(label, able))
    return ReviewExplanation(not_counted, earlier, who_can)


def _earlier_approvals(document: Document, revision: Revision, user_ids: set[int]):
    """(name, revision number) of the newest earlier approval of each of ``user_ids``."""
    if not user_ids:
        return []
    rows = db.session.execute(
        sa.select(SignOff.user_id, sa.func.max(Revision.number))
        .join(Revision, Revision.id == SignOff.revision_id)
        .where(
            Revision.document_id == document.id,
            Revision.number < revision.number,
            SignOff.decision == Decision.APPROVE.value,
            SignOff.user_id.in_(user_ids),
        )
        .group_by(SignOff.user_id)
    ).all()
    names = {
        u.id: u.display_name
        for u in db.session.scalars(
            sa.select(User).where(User.id.in_([user_id for user_id, _ in rows]))
        )
    }
    return sorted((names[user_id], number) for user_id, number in rows)


# The way to learners: which modules list a scenario, and proposals to add it to one.


def modules_listing(scenario_slug: str) -> list[Version]:
    """The newest published version of each module that lists the scenario: where learners
    find it."""
    return [
        version for version in published_modules() if scenario_slug in module_of(version).scenarios
    ]


def module_drafts_listing(scenario_slug: str) -> list[Revision]:
    """The newest revision of each module whose draft lists the scenario while its published
    version does not (yet): on its way to learners once that module is published."""
    published = {version.document_id for version in modules_listing(scenario_slug)}
    newest = (
        sa.select(Revision.document_id, sa.func.max(Revision.number).label("number"))
        .join(Document, Document.id == Revision.document_id)
        .where(Document.kind == DocumentKind.MODULE.value)
        .group_by(Revision.document_id)
        .subquery()
    )
    revisions = db.session.scalars(
        sa.select(Revision).join(
            newest,
            sa.and_(
                Revision.document_id == newest.c.document_id, Revision.number == newest.c.number
            ),
        )
    )
    return [
        revision
        for revision in revisions
        if revision.document_id not in published
        and scenario_slug in getattr(draft_of(revision).model, "scenarios", ())
    ]


def proposable_modules(scenario: Document) -> list[Version]:
    """Published modules a scenario can be proposed to: those that do not list it, and that no
    open proposal of it waits on."""
    waiting = set(
        db.session.scalars(
            sa.select(ModuleProposal.module_document_id).where(
                ModuleProposal.scenario_document_id == scenario.id,
                ModuleProposal.status == ProposalStatus.OPEN.value,
            )
        )
    )
    return [
        version
        for version in published_modules()
        if version.document_id not in waiting and scenario.slug not in module_of(version).scenarios
    ]


def proposals_of_scenario(scenario: Document) -> list[ModuleProposal]:
    """Every proposal of this scenario to a module, newest first."""
    return list(
        db.session.scalars(
            sa.select(ModuleProposal)
            .where(ModuleProposal.scenario_document_id == scenario.id)
            .order_by(ModuleProposal.created_at.desc(), ModuleProposal.id.desc())
        )
    )


def open_proposals_to(module: Document) -> list[ModuleProposal]:
    """Proposals waiting on this module's co-authors, oldest first."""
    return list(
        db.session.scalars(
            sa.select(ModuleProposal)
            .where(
                ModuleProposal.module_document_id == module.id,
                ModuleProposal.status == ProposalStatus.OPEN.value,
            )
            .order_by(ModuleProposal.created_at, ModuleProposal.id)
        )
    )
