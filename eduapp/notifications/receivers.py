"""In-app notifications for what the domains tell: the studio's invitations, comments, requests
for review, decisions, publishing and module proposals. Each receiver adds rows to the
transaction that records the event (``notify`` only adds), so a rolled-back request notifies
nobody. The daily digest mails what stays unread (``notifications.digest``).

Texts name a draft, never another person (notifications/models.py: erasure deletes only the
person's own rows). ``connect(app)`` is called once per app, from ``create_app``.
"""

from collections.abc import Iterable

from flask import Flask

from eduapp.content.models import Document
from eduapp.notifications.services import notify
from eduapp.studio import queries
from eduapp.studio import signals as studio
from eduapp.studio.models import Comment, Decision, Membership, ModuleProposal, ProposalStatus
from eduapp.urls import path_to


def _title(document: Document) -> str:
    return queries.latest_revision(document).title or document.slug


def _editor(document: Document, anchor: str = "") -> str:
    return path_to("studio.editor", kind=document.kind, slug=document.slug) + anchor


def _notify_all(user_ids: Iterable[int], text: str, link: str) -> None:
    for user_id in sorted(set(user_ids)):
        notify(user_id, text, link)


def _others(document: Document, actor_id: int, members: list[Membership] | None = None):
    return [m.user_id for m in members or queries.members_of(document) if m.user_id != actor_id]


def _member_invited(_app, *, user_id: int, document: Document, **_mail) -> None:
    notify(user_id, f"You were added to the co-authors of “{_title(document)}”.", _editor(document))


def _comment_posted(_app, *, document: Document, comment: Comment) -> None:
    """A new thread: every other member. A reply: the thread's author and whoever replied."""
    link = path_to("collab.comments", kind=document.kind, slug=document.slug) + (
        f"#comment-{comment.parent_id or comment.id}"
    )
    title = _title(document)
    if comment.parent_id is None:
        _notify_all(_others(document, comment.author_id), f"A new comment on “{title}”.", link)
        return
    thread = queries.comment_thread(comment.parent_id)
    people = {c.author_id for c in thread} - {comment.author_id}
    members = {m.user_id for m in queries.members_of(document)}
    _notify_all(people & members, f"A reply in a comment thread on “{title}”.", link)


def _review_requested(_app, *, document: Document, revision_number: int, actor_id: int) -> None:
    """The members who hold a role that the publishing rule counts."""
    roles = {role for _, group in queries.publish_rule() for role in group}
    reviewers = [
        m.user_id
        for m in queries.members_of(document)
        if m.user_id != actor_id and m.user.has_role(*roles)
    ]
    _notify_all(
        reviewers,
        f"Your sign-off is asked for on revision {revision_number} of “{_title(document)}”.",
        _editor(document, "#review"),
    )


def _decision_given(
    _app, *, document: Document, revision_number: int, actor_id: int, decision: Decision
) -> None:
    what = "was signed off" if decision == Decision.APPROVE else "has a request for changes"
    _notify_all(
        _others(document, actor_id),
        f"Revision {revision_number} of “{_title(document)}” {what}.",
        _editor(document, "#review"),
    )


def _published(_app, *, document: Document, version_number: int, actor_id: int) -> None:
    _notify_all(
        _others(document, actor_id),
        f"“{_title(document)}” was published as version {version_number}.",
        path_to("history.version", kind=document.kind, slug=document.slug, number=version_number),
    )


def _scenario_proposed(_app, *, proposal: ModuleProposal) -> None:
    """Waiting: the module's co-authors who can accept it. Accepted at once (its proposer edits
    the module): the module's other members, whose sign-off it now needs."""
    module, scenario = proposal.module, proposal.scenario
    members = queries.members_of(module)
    if proposal.status == ProposalStatus.OPEN:
        editors = [m.user_id for m in members if m.can_edit]
        if not editors:  # nobody edits it but admins
            editors = [m.user_id for m in members]
        _notify_all(
            editors,
            f"A scenario, “{_title(scenario)}”, is proposed for the module “{_title(module)}”.",
            _editor(module, "#proposals"),
        )
    else:
        _notify_all(
            _others(module, proposal.proposer_id, members),
            f"The module “{_title(module)}” now lists “{_title(scenario)}”: it needs sign-off.",
            _editor(module, "#review"),
        )


def _proposal_decided(_app, *, proposal: ModuleProposal) -> None:
    module, scenario = proposal.module, proposal.scenario
    if proposal.status == ProposalStatus.ACCEPTED:
        text = (
            f"The module “{_title(module)}” accepted “{_title(scenario)}”; "
            "it reaches learners once the module is signed off and published."
        )
    else:
        text = f"The module “{_title(module)}” declined “{_title(scenario)}”."
    notify(proposal.proposer_id, text, _editor(scenario, "#reach"))


RECEIVERS = (
    (studio.member_invited, _member_invited),
    (studio.comment_posted, _comment_posted),
    (studio.review_requested, _review_requested),
    (studio.decision_given, _decision_given),
    (studio.published, _published),
    (studio.scenario_proposed, _scenario_proposed),
    (studio.proposal_decided, _proposal_decided),
)


def connect(app: Flask) -> None:
    """Notify the people this app's domains' events concern."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, sender=app)
