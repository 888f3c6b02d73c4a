"""The admin's registry of platforms (LMSs): registering, changing and removing one, its
deployment ids, and rotating eduapp's signing key; with the reads the admin's pages need.

Every write is audited and only flushes: the request commits (docs/architecture.md).

Removing a platform deletes, through the foreign keys' ``ON DELETE CASCADE``, its deployments,
used nonces, the links of its people to eduapp accounts (``lti_identities``) and of its courses
to cohorts (``lti_contexts``), those courses' links (``lti_resource_links``) and the grades
recorded for them (``lti_scores``). Accounts, cohorts and everything learners did stay. A grade
that has not reached the platform's gradebook yet would be lost with it, so removal is refused
while any waits, unless the admin saw how many and agreed to discard them (``discard_up_to``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from eduapp.accounts.models import User
from eduapp.audit.services import record
from eduapp.extensions import db
from eduapp.lti import keys
from eduapp.lti.models import (
    Context,
    Deployment,
    Identity,
    Platform,
    ResourceLink,
    ScoreOutbox,
    ToolKey,
)
from eduapp.lti.provisioning import LMS_ONLY_HASH

#: The platform's own fields, by the label the audit log names them with.
FIELD_LABELS = {
    "name": "name",
    "issuer": "issuer",
    "client_id": "client ID",
    "auth_url": "authorization URL",
    "token_url": "token URL",
    "jwks_url": "key set URL",
}
#: A platform's key set is fetched again after either of these changes.
KEY_SET_SOURCES = ("issuer", "jwks_url")
#: The newest keys the tool page lists (rotations are rare; a key older than these is long
#: out of the key set).
KEYS_LISTED = 20


@dataclass(frozen=True)
class PlatformFields:
    """What an admin types about a platform (checked by the form)."""

    name: str
    issuer: str
    client_id: str
    auth_url: str
    token_url: str
    jwks_url: str
    deployment_ids: tuple[str, ...]


class PlatformTaken(ValueError):
    """Another registration has this issuer and client ID (a request that raced the form's
    own check)."""


class ScoresWaiting(Exception):
    """Grades wait for this platform's gradebook, more than the admin agreed to discard."""

    def __init__(self, count: int):
        super().__init__(f"{count} grades wait for the platform")
        self.count = count


@dataclass(frozen=True)
class Reach:
    """What hangs on a platform: what its removal takes away."""

    #: People of the LMS linked to eduapp accounts (the accounts stay).
    people: int
    #: Of those accounts, the ones the LMS made, with no password of their own.
    lms_only_accounts: int
    #: LMS courses linked to cohorts (the cohorts stay).
    courses: int
    #: Links placed in those courses.
    links: int
    #: Grades recorded for those links and not yet on the platform's gradebook.
    waiting_scores: int
    #: Grades already sent (the gradebook keeps them; eduapp's record of sending them goes).
    sent_scores: int


@dataclass(frozen=True)
class KeyRow:
    key: ToolKey
    #: None while the key signs; else when it leaves the key set.
    published_until: datetime | None
    is_published: bool


# ---- Writes -------------------------------------------------------------------------------


def register(actor: User, fields: PlatformFields) -> Platform:
    """Register a platform with its deployments; eduapp's signing key is made if there is none
    yet (the platform will fetch it from the key set)."""
    platform = Platform(
        name=fields.name,
        issuer=fields.issuer,
        client_id=fields.client_id,
        auth_url=fields.auth_url,
        token_url=fields.token_url,
        jwks_url=fields.jwks_url,
    )
    platform.deployments = [
        Deployment(deployment_id=d) for d in dict.fromkeys(fields.deployment_ids)
    ]
    try:
        with db.session.begin_nested():
            db.session.add(platform)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        raise PlatformTaken from error
    keys.ensure_signing_key()
    record("lti_platform_registered", actor=actor, detail=_named(platform))
    db.session.flush()
    return platform


def update(actor: User, platform: Platform, fields: PlatformFields) -> list[str]:
    """Change a platform's fields and deployments; what changed, as the audit log says it
    (empty: nothing changed, nothing recorded). A new issuer or key set URL forgets the key
    set fetched before, so the next launch fetches the new one."""
    changed = [
        label
        for name, label in FIELD_LABELS.items()
        if getattr(platform, name) != getattr(fields, name)
    ]
    forget_key_set = any(getattr(platform, n) != getattr(fields, n) for n in KEY_SET_SOURCES)
    added, removed = _deployment_changes(platform, fields.deployment_ids)
    if not changed and not added and not removed:
        return []
    try:
        with db.session.begin_nested():
            for name in FIELD_LABELS:
                setattr(platform, name, getattr(fields, name))
            if forget_key_set:
                platform.jwks_json = None
                platform.jwks_fetched_at = None
            for deployment_id in removed:
                remove_deployment(platform, deployment_id)
            for deployment_id in added:
                add_deployment(platform, deployment_id)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        raise PlatformTaken from error
    if added:
        changed.append(f"{len(added)} deployment{'s' if len(added) != 1 else ''} added")
    if removed:
        changed.append(f"{len(removed)} deployment{'s' if len(removed) != 1 else ''} removed")
    record("lti_platform_changed", actor=actor, detail=f"{_named(platform)}: {', '.join(changed)}")
    db.session.flush()
    return changed


def add_deployment(platform: Platform, deployment_id: str) -> bool:
    """Accept launches from this deployment of eduapp on the platform. False if it was known."""
    if any(d.deployment_id == deployment_id for d in platform.deployments):
        return False
    platform.deployments.append(Deployment(deployment_id=deployment_id))
    db.session.flush()
    return True


def remove_deployment(platform: Platform, deployment_id: str) -> bool:
    """Refuse launches from this deployment from now on; the courses launched through it stay
    cohorts. False if it was not known."""
    for deployment in platform.deployments:
        if deployment.deployment_id == deployment_id:
            platform.deployments.remove(deployment)
            db.session.flush()
            return True
    return False


def remove(actor: User, platform: Platform, *, discard_up_to: int = 0) -> Reach:
    """Remove a platform and every link to it (module docstring); what it reached.

    Refused with ``ScoresWaiting`` while more grades wait for its gradebook than
    ``discard_up_to``, the number the admin was shown and agreed to discard."""
    reach = reach_of(platform)
    if reach.waiting_scores > discard_up_to:
        raise ScoresWaiting(reach.waiting_scores)
    detail = (
        f"{_named(platform)}; linked people: {reach.people}, courses: {reach.courses}, "
        f"waiting grades discarded: {reach.waiting_scores}"
    )
    db.session.delete(platform)
    db.session.flush()
    # The database removed the rows hanging on it (ON DELETE CASCADE): forget any copy of
    # them this session holds.
    db.session.expire_all()
    record("lti_platform_removed", actor=actor, detail=detail)
    db.session.flush()
    return reach


def rotate_key(actor: User) -> ToolKey:
    """A new signing key; the one before stays in the key set for ``LTI_KEY_OVERLAP_HOURS``."""
    key = keys.rotate()
    hours = current_app.config["LTI_KEY_OVERLAP_HOURS"]
    record(
        "lti_key_rotated",
        actor=actor,
        detail=f"new key {key.kid}; retired keys stay published for {hours} hours",
    )
    db.session.flush()
    return key


def _named(platform: Platform) -> str:
    """The platform as the audit log names it: by what the admin registered, no one's data."""
    return (
        f"platform {platform.id} {platform.name!r} "
        f"({platform.issuer}, client ID {platform.client_id})"
    )


def _deployment_changes(platform: Platform, wanted: tuple[str, ...]) -> tuple[list, list]:
    present = [d.deployment_id for d in platform.deployments]
    added = [d for d in wanted if d not in present]
    removed = [d for d in present if d not in wanted]
    return added, removed


# ---- Reads --------------------------------------------------------------------------------


def all_platforms() -> list[Platform]:
    return list(db.session.scalars(sa.select(Platform).order_by(Platform.name, Platform.id)))


def platform_taken(issuer: str, client_id: str, *, other_than: int | None = None) -> bool:
    """Whether a platform other than ``other_than`` has this issuer and client ID."""
    query = sa.select(Platform.id).where(Platform.issuer == issuer, Platform.client_id == client_id)
    if other_than is not None:
        query = query.where(Platform.id != other_than)
    return db.session.scalar(query.limit(1)) is not None


def reach_of(platform: Platform) -> Reach:
    """Counts of what hangs on the platform, in one statement."""
    contexts = sa.select(Context.id).where(Context.platform_id == platform.id)
    links = sa.select(ResourceLink.id).where(ResourceLink.context_pk.in_(contexts))
    of_links = ScoreOutbox.link_pk.in_(links)
    row = db.session.execute(
        sa.select(
            _count(Identity, Identity.platform_id == platform.id),
            _count(
                Identity,
                Identity.platform_id == platform.id,
                Identity.user_id.in_(sa.select(User.id).where(User.password_hash == LMS_ONLY_HASH)),
            ),
            _count(Context, Context.platform_id == platform.id),
            _count(ResourceLink, ResourceLink.context_pk.in_(contexts)),
            _count(ScoreOutbox, of_links, ScoreOutbox.sent_at.is_(None)),
            _count(ScoreOutbox, of_links, ScoreOutbox.sent_at.is_not(None)),
        )
    ).one()
    return Reach(*row)


def _count(model, *where) -> sa.ScalarSelect:
    return sa.select(sa.func.count()).select_from(model).where(*where).scalar_subquery()


def key_rows() -> list[KeyRow]:
    """eduapp's newest keys, newest first, with how long each stays in the key set."""
    overlap = timedelta(hours=current_app.config["LTI_KEY_OVERLAP_HOURS"])
    published = {key.id for key in keys.published_keys()}
    listed = db.session.scalars(
        sa.select(ToolKey).order_by(ToolKey.created_at.desc(), ToolKey.id.desc()).limit(KEYS_LISTED)
    )
    return [
        KeyRow(
            key=key,
            published_until=key.retired_at + overlap if key.retired_at else None,
            is_published=key.id in published,
        )
        for key in listed
    ]
