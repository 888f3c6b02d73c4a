"""What an accepted launch becomes: an account, a cohort, a link (docs/lti.md, "Accounts").

- **The account** is the one linked to the platform's person (issuer, subject). The first
  launch makes it, unless the account signed in on this browser asked to be linked (its owner
  chose "Link an LMS account" on their profile, within the last ten minutes): then that account
  is linked, once per platform.
- **Its roles** come from the LTI roles: Instructor or Teaching Assistant in the course makes a
  tutor, Learner a learner (institution roles count where the course gives none). Roles are
  only ever added; no LTI role makes an admin.
- **The course** (context) becomes a cohort, named as the LMS names it; its instructors are the
  cohort's tutors and its learners join it.
- **The link** (resource link) opens the scenario, module or assessment its ``eduapp_item``
  custom parameter names (deep linking sets it), and keeps the gradebook column it has. Its
  first launch sets its module for the cohort, so the tutor's dashboard shows the course.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from eduapp.accounts.models import Role, User, UserRole
from eduapp.cohorts.models import Cohort, CohortModule, CohortTutor
from eduapp.cohorts.services import assign_module, join, new_join_code
from eduapp.content.models import Document, DocumentKind
from eduapp.extensions import db, utcnow
from eduapp.lti.launch import DEEP_LINKING, Launch, LaunchRefused
from eduapp.lti.models import Context, Identity, ResourceLink
from eduapp.lti.queries import module_document_of

#: No password verifies against it: an account made by a launch signs in through its LMS.
LMS_ONLY_HASH = "!lti"
#: Accounts whose LMS gave no address (or one another account has) get one that names the
#: account and reaches nobody (RFC 2606 reserves .invalid); mail is never sent to it.
NO_ADDRESS_DOMAIN = "no-address.invalid"
#: How long "Link an LMS account" waits for the launch that links it.
LINK_WINDOW = timedelta(minutes=10)

_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
_TUTOR_ROLES = {
    _LIS + "membership#Instructor",
    _LIS + "membership/Instructor#TeachingAssistant",
    _LIS + "membership#TeachingAssistant",
    "Instructor",
    "TeachingAssistant",
}
_LEARNER_ROLES = {_LIS + "membership#Learner", _LIS + "membership/Learner#Learner", "Learner"}
_INSTITUTION_TUTOR = {_LIS + "institution/person#Instructor", _LIS + "institution/person#Faculty"}
_INSTITUTION_LEARNER = {
    _LIS + "institution/person#Student",
    _LIS + "institution/person#Learner",
}


def roles_from(lti_roles: list[str]) -> set[Role]:
    """eduapp's roles for these LTI roles: course roles first, institution roles where the
    course gives none. Never admin."""
    given = set(lti_roles)
    roles = set()
    if given & _TUTOR_ROLES:
        roles.add(Role.TUTOR)
    if given & _LEARNER_ROLES:
        roles.add(Role.LEARNER)
    if not roles:
        if given & _INSTITUTION_TUTOR:
            roles.add(Role.TUTOR)
        if given & _INSTITUTION_LEARNER:
            roles.add(Role.LEARNER)
    return roles


@dataclass(frozen=True)
class Arrival:
    """Who the launch signs in, and what it opens."""

    user: User
    roles: frozenset[Role]
    cohort: Cohort | None
    link: ResourceLink | None
    #: True when this launch made the account or linked it.
    is_new_link: bool


def arrive(launch: Launch, linking_user: User | None) -> Arrival:
    """The account, cohort and link of an accepted launch, written in the request's
    transaction. ``linking_user``: the signed-in account that asked to be linked, if any."""
    roles = roles_from(launch.roles)
    if not roles:
        raise LaunchRefused(
            "launch: no role eduapp knows",
            "Your role in this course does not open eduapp. Learners and instructors can.",
        )
    if launch.message_type == DEEP_LINKING and Role.TUTOR not in roles:
        raise LaunchRefused(
            "launch: deep linking by a non-instructor",
            "Only a course's instructors can add eduapp content to it.",
        )
    user, is_new = account_for(launch, linking_user)
    grant(user, roles)
    cohort = _cohort(launch, user, roles) if launch.context.get("id") else None
    link = None
    if launch.message_type != DEEP_LINKING and cohort is not None:
        link = _link(launch)
    return Arrival(user, frozenset(roles), cohort, link, is_new)


def account_for(launch: Launch, linking_user: User | None) -> tuple[User, bool]:
    """The account linked to the launch's person (a platform and subject, and the name and
    address its claims give), linked now (``linking_user``) or made if there is none; whether
    the link is new. A roster's member is told the same way (``lti.roster``)."""
    platform = launch.platform
    identity = _identity(platform.id, launch.subject)
    if identity is not None:
        return identity.user, False
    user = linking_user if _may_link(linking_user, platform.id) else None
    if user is None:
        user = User(
            email=_address(launch),
            display_name=_name(launch),
            password_hash=LMS_ONLY_HASH,
        )
        db.session.add(user)
        db.session.flush()
    try:
        with db.session.begin_nested():
            db.session.add(Identity(platform_id=platform.id, subject=launch.subject, user=user))
            db.session.flush()
    except sa.exc.IntegrityError:
        # A second launch of the same person (a double click) linked them first.
        identity = _identity(platform.id, launch.subject)
        if identity is None:
            raise
        return identity.user, False
    return user, True


def _identity(platform_id: int, subject: str) -> Identity | None:
    return db.session.scalar(
        sa.select(Identity).where(Identity.platform_id == platform_id, Identity.subject == subject)
    )


def _may_link(user: User | None, platform_id: int) -> bool:
    """An account may be linked to a platform's person once."""
    if user is None:
        return False
    linked = db.session.scalar(
        sa.select(Identity.id).where(
            Identity.platform_id == platform_id, Identity.user_id == user.id
        )
    )
    return linked is None


def _address(launch: Launch) -> str:
    email = str(launch.claims.get("email") or "").strip().lower()
    if email and "@" in email and len(email) <= 254:
        taken = db.session.scalar(sa.select(User.id).where(User.email == email))
        if taken is None:
            return email
    key = f"{launch.platform.id}:{launch.subject}".encode()
    return f"lms-{hashlib.sha256(key).hexdigest()[:24]}@{NO_ADDRESS_DOMAIN}"


def has_no_address(user: User) -> bool:
    return user.email.endswith("@" + NO_ADDRESS_DOMAIN)


def _name(launch: Launch) -> str:
    claims = launch.claims
    name = claims.get("name") or " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    return (str(name).strip() or "Learner from the LMS")[:80]


def grant(user: User, roles: set[Role]) -> None:
    """Add these roles (never admin); roles an LMS gave are never taken away by one."""
    have = {Role(r.role) for r in user.roles}
    for role in roles - have - {Role.ADMIN}:
        user.roles.append(UserRole(role=role.value))
    db.session.flush()


def _cohort(launch: Launch, user: User, roles: set[Role]) -> Cohort:
    context = _context(launch)
    cohort = context.cohort
    if Role.TUTOR in roles and not any(t.user_id == user.id for t in cohort.tutors):
        add_tutor(cohort, user)
    if Role.LEARNER in roles:
        join(user, cohort)
    return cohort


def add_tutor(cohort: Cohort, user: User) -> None:
    """The cohort's tutors gain the user; a launch or a roster adding them at the same moment
    wins."""
    try:
        with db.session.begin_nested():
            cohort.tutors.append(CohortTutor(user_id=user.id))
            db.session.flush()
    except sa.exc.IntegrityError:
        db.session.refresh(cohort)


def _context(launch: Launch) -> Context:
    """The course's context row, made (with its cohort) on its first launch; its endpoints
    follow the latest launch."""
    claim, platform = launch.context, launch.platform
    context = _find_context(platform.id, str(claim["id"]))
    if context is None:
        title = str(claim.get("title") or claim.get("label") or "Course from the LMS")[:120]
        try:
            with db.session.begin_nested():
                cohort = Cohort(name=title, join_code=new_join_code())
                db.session.add(cohort)
                db.session.flush()
                context = Context(
                    platform_id=platform.id,
                    context_id=str(claim["id"]),
                    cohort_id=cohort.id,
                    deployment_id=launch.deployment_id,
                    title=title,
                )
                db.session.add(context)
                db.session.flush()
        except sa.exc.IntegrityError:
            context = _find_context(platform.id, str(claim["id"]))
            if context is None:
                raise
    context.memberships_url = launch.nrps.get("context_memberships_url") or context.memberships_url
    context.lineitems_url = launch.ags.get("lineitems") or context.lineitems_url
    if launch.ags.get("scope"):
        context.ags_scopes = " ".join(launch.ags["scope"])[:500]
    db.session.flush()
    return context


def _find_context(platform_id: int, context_id: str) -> Context | None:
    return db.session.scalar(
        sa.select(Context).where(
            Context.platform_id == platform_id, Context.context_id == context_id
        )
    )


def item_document(item: str) -> Document | None:
    """The document an ``eduapp_item`` value ("scenario:<slug>", "module:<slug>",
    "assessment:<slug>") names."""
    kind, _, slug = item.partition(":")
    if kind not in {k.value for k in DocumentKind} or not slug:
        return None
    return db.session.scalar(
        sa.select(Document).where(Document.kind == kind, Document.slug == slug)
    )


def item_of(document: Document) -> str:
    return f"{document.kind}:{document.slug}"


def _link(launch: Launch) -> ResourceLink | None:
    """The link row of a resource-link launch, made on its first launch; None when the link
    names nothing of eduapp's (a link an LMS admin typed in by hand opens the modules page)."""
    context = _find_context(launch.platform.id, str(launch.context["id"]))
    link_id = str(launch.resource_link["id"])
    link = db.session.scalar(
        sa.select(ResourceLink).where(
            ResourceLink.context_pk == context.id, ResourceLink.resource_link_id == link_id
        )
    )
    document = item_document(str(launch.custom.get("eduapp_item", "")))
    if link is None:
        if document is None:
            return None
        link = ResourceLink(context_pk=context.id, resource_link_id=link_id, document=document)
        try:
            with db.session.begin_nested():
                db.session.add(link)
                db.session.flush()
                _set_module_for(context, document)
        except sa.exc.IntegrityError:
            return _link(launch)  # another launch of the link (or of its module) came first
    link.title = str(launch.resource_link.get("title") or "")[:255]
    link.lineitem_url = launch.ags.get("lineitem") or link.lineitem_url
    db.session.flush()
    return link


def _set_module_for(context: Context, document: Document) -> None:
    """A link's first launch sets its module for the course's cohort (without a due date), so
    the tutor's dashboard follows what the course holds; a module set already keeps its date."""
    module = module_document_of(document)
    if module is not None and db.session.get(CohortModule, (context.cohort_id, module.id)) is None:
        assign_module(context.cohort, module, None)


def link_requested_at_is_fresh(requested_at: float | None) -> bool:
    """True while a "Link an LMS account" asked at ``requested_at`` (a timestamp) still waits."""
    if requested_at is None:
        return False
    age = utcnow().timestamp() - requested_at
    return 0 <= age <= LINK_WINDOW.total_seconds()
