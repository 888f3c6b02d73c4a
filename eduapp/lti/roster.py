"""A cohort's roster from its LMS course: Names and Role Provisioning Services (docs/lti.md,
"Rosters").

A tutor of a cohort that came from an LMS course asks for the course's roster. eduapp reads
every page of it first (following ``Link: <...>; rel="next"`` within the same service, at most
``MAX_PAGES`` pages and ``MAX_MEMBERS`` people), so that a platform failing halfway changes
nothing; then, for each member the LMS lists as Active:

- **the account** linked to that person on the platform, or a new one made as their first
  launch would make it (eduapp/lti/provisioning.py: the LMS's name and address, an address that
  reaches nobody when the LMS gives none or another account has it, no password);
- **roles** from the member's course roles (``provisioning.roles_from``: only ever added, never
  admin); a member with no role eduapp knows is skipped;
- **the cohort**: learners join it, instructors and teaching assistants become its tutors.

Members listed as Inactive or Deleted are left as they are: nobody leaves the cohort and no
record is deleted, since a learner dropped from the course keeps their play and their tutor
decides (leaving is the learner's or the tutor's act in eduapp). Learners added this way have
no profession until their first launch asks for it: until they play they are "not started".
"""

import logging
from dataclasses import dataclass, field
from urllib.parse import urljoin

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eduapp.accounts.models import Role, User
from eduapp.cohorts.models import Cohort, CohortMember
from eduapp.cohorts.services import join
from eduapp.extensions import db, utcnow
from eduapp.lti import provisioning
from eduapp.lti.launch import Launch
from eduapp.lti.models import Context, Identity, Platform
from eduapp.lti.service_client import (
    MEMBERSHIPS_SCOPE,
    ServiceClient,
    ServiceError,
    failure,
    same_origin,
)

log = logging.getLogger("eduapp.lti")

MEMBERSHIPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
#: Members asked for per page (the platform may send fewer).
PAGE_SIZE = 200
MAX_PAGES = 50
MAX_MEMBERS = 10_000
ACTIVE = "Active"
#: The subjects looked up per query when matching the roster with linked accounts.
LOOKUP_CHUNK = 500


class RosterError(Exception):
    """The roster could not be read; ``message`` is for the tutor, nothing was changed."""

    def __init__(self, message: str, reason: str):
        super().__init__(reason)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class Member:
    """One person of the course as the roster lists them."""

    subject: str
    roles: tuple[str, ...]
    is_active: bool
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""

    def claims(self) -> dict:
        """The member as a launch would name them, for provisioning's account rules."""
        claims = {
            "sub": self.subject,
            "name": self.name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "email": self.email,
        }
        return {key: value for key, value in claims.items() if value}


@dataclass
class RosterSync:
    """What one sync did."""

    accounts_created: int = 0
    learners_joined: int = 0
    tutors_added: int = 0
    #: Active members already in place.
    unchanged: int = 0
    #: Inactive or deleted members, left as they are.
    inactive: int = 0
    #: Members with no role eduapp knows, or that the roster did not describe readably.
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self, platform_name: str) -> str:
        parts = [
            _count(self.accounts_created, "new account"),
            _count(self.learners_joined, "learner", "joined"),
            _count(self.tutors_added, "tutor", "added"),
            f"{self.unchanged} already here",
        ]
        if self.inactive:
            parts.append(f"{self.inactive} inactive in the course, left as they are")
        if self.skipped:
            parts.append(f"{self.skipped} without a learner's or instructor's role, skipped")
        return f"Roster synced from {platform_name}: " + "; ".join(parts) + "."


def _count(number: int, noun: str, then: str = "") -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}" + (f" {then}" if then else "")


# Reading the roster -----------------------------------------------------------------------------
def fetch_members(context: Context) -> list[Member]:
    """Every member of the course, every page read; RosterError if the platform cannot give
    them."""
    platform = context.platform
    try:
        with ServiceClient() as client:
            return _read_pages(client, platform, context.memberships_url)
    except ServiceError as error:
        raise RosterError(_message(platform, error), error.reason) from None


def _read_pages(client: ServiceClient, platform: Platform, first_url: str) -> list[Member]:
    members: list[Member] = []
    url, seen = first_url, set()
    params = None if "limit=" in first_url else {"limit": str(PAGE_SIZE)}
    for _ in range(MAX_PAGES):
        seen.add(url)
        response = client.call(
            platform, [MEMBERSHIPS_SCOPE], "GET", url, accept=MEMBERSHIPS_TYPE, params=params
        )
        if response.status_code != 200:
            raise failure(response, "memberships")
        members.extend(_members_of(response, platform))
        if len(members) > MAX_MEMBERS:
            raise RosterError(
                f"The course's roster lists more than {MAX_MEMBERS:,} people, more than eduapp "
                "reads at once. Nothing was changed.",
                "roster: too many members",
            )
        following = response.links.get("next", {}).get("url")
        if not following:
            return members
        url, params = urljoin(str(response.url), following), None
        if url in seen or not same_origin(url, first_url):
            raise RosterError(_unreadable(platform), "roster: next page elsewhere or seen")
    raise RosterError(
        f"The course's roster has more than {MAX_PAGES} pages, more than eduapp reads at once. "
        "Nothing was changed.",
        "roster: too many pages",
    )


def _members_of(response, platform: Platform) -> list[Member]:
    try:
        body = response.json()
    except ValueError:
        raise RosterError(_unreadable(platform), "roster: the answer is not JSON") from None
    listed = body.get("members") if isinstance(body, dict) else None
    if not isinstance(listed, list):
        raise RosterError(_unreadable(platform), "roster: no members list")
    return [_member(entry) for entry in listed]


def _text(entry: dict, key: str, limit: int = 255) -> str:
    value = entry.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _member(entry) -> Member:
    """A roster entry as a Member; an entry that names nobody or no roles is kept as one with
    no roles, so that it counts as skipped."""
    if not isinstance(entry, dict):
        return Member("", (), True)
    subject = entry.get("user_id")
    roles = entry.get("roles")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        subject = ""
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        roles = []
    status = entry.get("status") or ACTIVE
    return Member(
        subject=subject,
        roles=tuple(roles),
        is_active=status == ACTIVE,
        name=_text(entry, "name"),
        given_name=_text(entry, "given_name"),
        family_name=_text(entry, "family_name"),
        email=_text(entry, "email", 254),
    )


def _unreadable(platform: Platform) -> str:
    return (
        f"{platform.name} sent a course roster eduapp cannot read, so nothing was changed. "
        "Try again later, or ask your eduapp administrator."
    )


def _message(platform: Platform, error: ServiceError) -> str:
    """What the tutor reads when the platform failed."""
    if error.status is None and error.is_permanent:
        return (
            f"The course's roster address that {platform.name} gave is not valid, so the "
            "roster was not synced. Ask your eduapp administrator."
        )
    if error.status is None:
        return (
            f"{platform.name} could not be reached, so the roster was not synced. "
            "Try again in a few minutes."
        )
    if error.status in (400, 401, 403):
        return (
            f"{platform.name} refused eduapp access to this course's roster "
            f"(HTTP {error.status}). Ask your eduapp administrator to check the LMS registration."
        )
    status = f" (HTTP {error.status})" if error.status else ""
    return (
        f"{platform.name} could not give the course roster{status}, so nothing was changed. "
        "Try again later."
    )


# Writing it -------------------------------------------------------------------------------------
def sync_roster(context: Context) -> RosterSync:
    """Read the course's roster and bring the cohort up to it (the module's docstring). The
    request's transaction holds the writes; RosterError (nothing written) if it cannot be read."""
    try:
        members = fetch_members(context)
    except RosterError as error:
        log.warning("lti roster of context %s not synced: %s", context.id, error.reason)
        raise
    platform, cohort = context.platform, context.cohort
    result = RosterSync()
    active = [m for m in members if m.is_active and m.subject]
    result.inactive = sum(1 for m in members if not m.is_active and m.subject)
    result.skipped = sum(1 for m in members if not m.subject)
    linked = _linked_accounts(platform.id, [m.subject for m in active])
    learner_ids = _member_ids(cohort)
    tutor_ids = {tutor.user_id for tutor in cohort.tutors}
    done: set[str] = set()
    for member in active:
        roles = provisioning.roles_from(list(member.roles))
        if not roles or member.subject in done:
            result.skipped += not roles
            continue
        done.add(member.subject)
        user = linked.get(member.subject)
        if user is None:
            user, is_new = provisioning.account_for(Launch(platform, member.claims()), None)
            result.accounts_created += is_new
        provisioning.grant(user, roles)
        changed = False
        if Role.TUTOR in roles and user.id not in tutor_ids:
            provisioning.add_tutor(cohort, user)
            tutor_ids.add(user.id)
            result.tutors_added += 1
            changed = True
        if Role.LEARNER in roles and user.id not in learner_ids:
            join(user, cohort)
            learner_ids.add(user.id)
            result.learners_joined += 1
            changed = True
        result.unchanged += not changed
    context.roster_synced_at = utcnow()
    db.session.flush()
    log.info(
        "lti roster of context %s synced: %s new, %s joined, %s tutors, %s inactive",
        context.id,
        result.accounts_created,
        result.learners_joined,
        result.tutors_added,
        result.inactive,
    )
    return result


def _linked_accounts(platform_id: int, subjects: list[str]) -> dict[str, User]:
    """subject -> account, for the subjects already linked on this platform."""
    linked: dict[str, User] = {}
    for start in range(0, len(subjects), LOOKUP_CHUNK):
        chunk = subjects[start : start + LOOKUP_CHUNK]
        for identity in db.session.scalars(
            sa.select(Identity)
            .where(Identity.platform_id == platform_id, Identity.subject.in_(chunk))
            .options(selectinload(Identity.user))
        ):
            linked[identity.subject] = identity.user
    return linked


def _member_ids(cohort: Cohort) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
        )
    )
