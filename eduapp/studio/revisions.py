"""Writing a draft's text: starting a draft, saving a revision, restoring an old one or a node.

Every write goes into the request's transaction with its audit event (eduapp/transaction.py).
A save carries the revision it was based on; if someone saved since, the two are merged by
node (eduapp/studio/merge.py) and saved with a note, or, when both changed the same part,
nothing is written and the caller gets a Conflict holding the merge and both texts.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from eduapp.accounts.models import Role, User
from eduapp.audit.services import record
from eduapp.content.models import Document, DocumentKind, Revision
from eduapp.extensions import db
from eduapp.studio import queries
from eduapp.studio.drafts import read_draft
from eduapp.studio.errors import Conflict, StudioError
from eduapp.studio.members import default_role_for
from eduapp.studio.merge import Merge, merge, node_parts, replace_node
from eduapp.studio.models import Membership
from eduapp.studio.starters import starter_source

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,62}[a-z0-9]")
#: Tries at saving while other saves keep taking the next revision number first.
MAX_SAVE_TRIES = 3
#: What a ``::`` part of each kind of document is called on the pages.
NOUNS = {
    DocumentKind.SCENARIO: "node",
    DocumentKind.MODULE: "section",
    DocumentKind.ASSESSMENT: "question",
}


@dataclass(frozen=True)
class Saved:
    """A save's revision, and the newer revision merged into it, if there was one."""

    revision: Revision
    merged_with: Revision | None = None


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
            source = starter_source(kind, slug, title, member)
            _add_revision(document, 1, source, "Started the draft", actor)
            record("created", actor=actor, document=document, revision_number=1)
    except sa.exc.IntegrityError:  # someone created it a moment ago
        raise StudioError(f"A {kind.value} with the id '{slug}' exists already.") from None
    return document


def save_source(actor: User, document: Document, base: int, source: str, message: str):
    """Save ``source``, written from revision ``base``, as the newest revision (merging it with
    any revision saved since); Conflict when both changed the same part."""
    return save_merging(actor, document, base, source, message).revision


def save_merging(
    actor: User, document: Document, base: int, source: str, message: str, *, note: str = ""
) -> Saved:
    """Save ``source``, written from revision ``base``. If someone saved since, the two are
    merged (eduapp/studio/merge.py) and the merge is saved on top of the newest revision with a
    note in its message; when both changed the same part nothing is written and the caller gets
    a Conflict holding the merge. A save that loses the race for the next number merges again
    with the winner (at most MAX_SAVE_TRIES times). ``note`` is added to the message."""
    source = source.replace("\r\n", "\n")
    for _ in range(MAX_SAVE_TRIES):
        latest = queries.latest_revision(document)
        text, merged_with, audit = source, None, {}
        if latest.number != base:
            result = merge_with_newest(document, base, latest, source)
            if not result.is_clean:
                raise Conflict(
                    latest,
                    source,
                    f"Revision {latest.number} was saved by {latest.author_name} after the "
                    f"revision {base} you started from, and you both changed the same part.",
                    base=base,
                    merge=result,
                )
            text, merged_with = result.text(), latest
            audit = {"detail": f"merged with revision {latest.number}"}
        if text == latest.source:
            return Saved(latest, merged_with)
        notes = [note] if note else []
        if merged_with is not None:
            notes.append(
                f"merged with {latest.author_name}'s revision {latest.number}: both changes kept"
            )
        revision = _try_add_revision(
            document,
            latest.number + 1,
            text,
            _with_notes(message, notes),
            actor,
            "edited",
            **audit,
        )
        if revision is not None:
            return Saved(revision, merged_with)
    raise Conflict(
        latest,
        source,
        "Others kept saving while you were saving.",
        base=base,
        merge=merge_with_newest(document, base, latest, source),
    )


def merge_with_newest(document: Document, base: int, latest: Revision, source: str) -> Merge:
    """``source`` (written from revision ``base``) merged with ``latest``. A base that does not
    exist merges from nothing, so every part the two texts hold differently is a clash."""
    start = queries.revision_by_number(document, base) if base != latest.number else latest
    return merge(
        start.source if start else "",
        latest.source,
        source.replace("\r\n", "\n"),
        their_name=latest.author_name,
        noun=NOUNS[DocumentKind(document.kind)],
    )


def save_resolved(
    actor: User,
    document: Document,
    base: int,
    theirs: Revision,
    mine: str,
    choices: Mapping[str, str | None],
    message: str,
) -> Saved:
    """Save ``mine`` (written from revision ``base``) merged with revision ``theirs``, each
    clash decided by ``choices`` (its text, or None to leave the part out), on top of
    ``theirs``: if yet another revision was saved meanwhile, that one is merged in too."""
    result = merge_with_newest(document, base, theirs, mine)
    text = result.text(choices)
    decided = len(result.clashes)
    note = (
        f"merged with {theirs.author_name}'s revision {theirs.number}: "
        f"{decided} conflict{'' if decided == 1 else 's'} decided"
    )
    return save_merging(actor, document, theirs.number, text, message, note=note)


def restore_revision(actor: User, document: Document, number: int) -> Revision:
    """Make an old revision's text the newest one, as a new revision: history is never rewritten."""
    old = queries.revision_by_number(document, number)
    if old is None:
        raise StudioError("There is no such revision.")
    for _ in range(MAX_SAVE_TRIES):
        latest = queries.latest_revision(document)
        revision = _try_add_revision(
            document,
            latest.number + 1,
            old.source,
            f"Restored revision {number}",
            actor,
            "restored",
            detail=f"from revision {number}",
        )
        if revision is not None:
            return revision
    raise Conflict(latest, old.source, "Someone saved while you were restoring.")


def restore_node(actor: User, document: Document, number: int, node_id: str) -> Revision:
    """Bring node ``node_id`` back as revision ``number`` has it, as a new revision: in its
    place if the draft still has it, else after the node it followed. Choices that point to it
    or to others are left as they are."""
    noun = NOUNS[DocumentKind(document.kind)]
    old = queries.revision_by_number(document, number)
    parts = node_parts(old.source, noun) if old else None
    if not parts or node_id not in parts:
        raise StudioError(f"Revision {number} has no {noun} '{node_id}' to restore.")
    for _ in range(MAX_SAVE_TRIES):
        latest = queries.latest_revision(document)
        if node_parts(latest.source, noun) is None:
            raise StudioError(
                f"Two {noun}s of the newest revision share an id; fix that in the source first."
            )
        text = replace_node(latest.source, node_id, parts[node_id].lines, list(parts))
        if text == latest.source:
            raise StudioError(f"The {noun} '{node_id}' is already as revision {number} has it.")
        revision = _try_add_revision(
            document,
            latest.number + 1,
            text,
            f"Restored {noun} '{node_id}' from revision {number}",
            actor,
            "restored",
            detail=f"{noun} {node_id} from revision {number}",
        )
        if revision is not None:
            return revision
    raise Conflict(latest, text, "Someone saved while you were restoring.")


def _with_notes(message: str, notes: list[str]) -> str:
    """The message with the notes after it, within the 200 characters a message keeps."""
    if not notes:
        return message
    tail = "; ".join(notes)
    if not message:
        return tail[:1].upper() + tail[1:200]
    room = max(0, 200 - len(tail) - 3)
    return f"{message[:room]} ({tail})"[:200]


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


def _try_add_revision(
    document, number: int, source: str, message: str, actor, action, **audit
) -> Revision | None:
    """Add revision ``number`` and its audit event in a savepoint; None, with nothing of ours
    kept and the request going on, if another save took that number between our read and our
    insert (the number is unique per document)."""
    try:
        with db.session.begin_nested():
            revision = _add_revision(document, number, source, message, actor)
            record(action, actor=actor, document=document, revision_number=number, **audit)
    except sa.exc.IntegrityError:
        return None
    return revision
