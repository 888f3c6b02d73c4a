"""LTI 1.3: the school's platforms (LMSs), eduapp's own signing keys, and what launches link.

A platform is registered by an admin (its issuer, our client id there, its URLs and the
deployments it may launch from). A launch links the platform's person (issuer, subject) to an
account, its course (context) to a cohort and its link (resource link) to a scenario, module or
assessment; grades wait in ``lti_scores`` until the sender has them on the platform's gradebook
(docs/lti.md).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.accounts.models import User
from eduapp.cohorts.models import Cohort
from eduapp.content.models import Document
from eduapp.extensions import UTCDateTime, db, utcnow
from eduapp.privacy import Erasure, NotPersonal, Personal

URL = sa.String(500)
#: Identifiers a platform chooses (issuer, client id, subject, context and link ids): the
#: specification allows 255 characters.
PLATFORM_ID = sa.String(255)


class Platform(db.Model):
    """An LMS registered to launch eduapp."""

    __tablename__ = "lti_platforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    issuer: Mapped[str] = mapped_column(PLATFORM_ID)
    #: The id the platform gave eduapp when it was registered there.
    client_id: Mapped[str] = mapped_column(PLATFORM_ID)
    #: The platform's OIDC authorization endpoint, where a login is sent to be answered.
    auth_url: Mapped[str] = mapped_column(URL)
    #: The platform's OAuth 2 token endpoint, for its services (roster, gradebook).
    token_url: Mapped[str] = mapped_column(URL)
    jwks_url: Mapped[str] = mapped_column(URL)
    #: The platform's key set as last fetched (JSON text), shared by every worker process.
    jwks_json: Mapped[str | None] = mapped_column(sa.Text)
    jwks_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deployments: Mapped[list["Deployment"]] = relationship(
        back_populates="platform",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="Deployment.deployment_id",
    )

    __table_args__ = (sa.UniqueConstraint("issuer", "client_id"),)

    personal_data = (
        NotPersonal(
            ("name", "issuer", "client_id", "auth_url", "token_url", "jwks_url", "jwks_json"),
            "A school's LMS as an admin registered it, and its public keys.",
        ),
    )


class Deployment(db.Model):
    """A deployment of eduapp on a platform (a site-wide or course-level install there)."""

    __tablename__ = "lti_deployments"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[str] = mapped_column(PLATFORM_ID)

    platform: Mapped[Platform] = relationship(back_populates="deployments")

    __table_args__ = (sa.UniqueConstraint("platform_id", "deployment_id"),)

    personal_data = (NotPersonal(("deployment_id",), "An install's id, set by the platform."),)


class ToolKey(db.Model):
    """One of eduapp's RSA keys for signing what it sends platforms (deep-linking answers, the
    services' client assertions). The newest unretired key signs; a retired key stays
    published for ``LTI_KEY_OVERLAP_HOURS``, so a platform holding the old key set still
    accepts what was signed just before a rotation."""

    __tablename__ = "lti_tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    personal_data = (NotPersonal(("kid", "private_pem"), "eduapp's own signing keys."),)


class UsedNonce(db.Model):
    """A launch's nonce, recorded when the launch is accepted, so it is accepted only once."""

    __tablename__ = "lti_used_nonces"

    platform_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    personal_data = (NotPersonal(("nonce",), "A random value, used once."),)


class Identity(db.Model):
    """A platform's person (its subject) linked to an eduapp account: one per platform and
    account, either way round."""

    __tablename__ = "lti_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(PLATFORM_ID)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    platform: Mapped[Platform] = relationship(lazy="joined")
    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("platform_id", "subject"),
        sa.UniqueConstraint("platform_id", "user_id"),
    )

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.DELETE,
            section="lms_links",
            shows=("platform_id", "subject", "created_at"),
            why="Which LMS account signs in as this one; an erased account is signed in by "
            "none, and the LMS's next launch of that person starts a new account.",
        ),
    )


class Context(db.Model):
    """An LMS course that launched eduapp, and the cohort it became."""

    __tablename__ = "lti_contexts"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(PLATFORM_ID)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), unique=True)
    deployment_id: Mapped[str] = mapped_column(PLATFORM_ID)
    title: Mapped[str] = mapped_column(sa.String(255))
    #: Where the course's roster is read (Names and Role Provisioning), if the platform offers it.
    memberships_url: Mapped[str | None] = mapped_column(URL)
    #: Where the course's gradebook columns are (Assignment and Grade Services), if offered.
    lineitems_url: Mapped[str | None] = mapped_column(URL)
    #: The scopes the platform granted for the gradebook, space-separated.
    ags_scopes: Mapped[str] = mapped_column(sa.String(500), default="")
    roster_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    platform: Mapped[Platform] = relationship(lazy="joined")
    cohort: Mapped[Cohort] = relationship()

    __table_args__ = (sa.UniqueConstraint("platform_id", "context_id"),)

    personal_data = (
        NotPersonal(
            ("context_id", "deployment_id", "title", "memberships_url", "lineitems_url"),
            "A course of the school's LMS, as the LMS names it.",
        ),
        NotPersonal(("ags_scopes",), "What the LMS lets eduapp do in the course's gradebook."),
    )


class ResourceLink(db.Model):
    """A link placed in an LMS course that opens one scenario, module or assessment."""

    __tablename__ = "lti_resource_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    context_pk: Mapped[int] = mapped_column(
        sa.ForeignKey("lti_contexts.id", ondelete="CASCADE"), index=True
    )
    resource_link_id: Mapped[str] = mapped_column(PLATFORM_ID)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(255), default="")
    #: The gradebook column the platform made for this link, if any.
    lineitem_url: Mapped[str | None] = mapped_column(URL)

    context: Mapped[Context] = relationship(lazy="joined")
    document: Mapped[Document] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("context_pk", "resource_link_id"),)

    personal_data = (
        NotPersonal(("resource_link_id", "title", "lineitem_url"), "A link in an LMS course."),
    )


class ScoreOutbox(db.Model):
    """A score on its way to a platform's gradebook: written with what it reports (a finished
    scenario, a submitted or marked assessment), sent by ``flask lti send-scores``. A newer
    score for the same link and learner replaces one still waiting."""

    __tablename__ = "lti_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_pk: Mapped[int] = mapped_column(
        sa.ForeignKey("lti_resource_links.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score_given: Mapped[float | None]
    score_maximum: Mapped[float]
    activity_progress: Mapped[str] = mapped_column(sa.String(20))
    grading_progress: Mapped[str] = mapped_column(sa.String(20))
    #: When the score was given: the platform keeps the newest it was sent.
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))

    link: Mapped[ResourceLink] = relationship(lazy="joined")

    __table_args__ = (sa.Index("ix_lti_scores_due", "sent_at", "next_try_at"),)

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.DELETE,
            section="lms_grades",
            shows=("score_given", "score_maximum", "activity_progress", "scored_at", "sent_at"),
            why="Grades sent, or waiting to be sent, to the school's LMS; once erased, none is "
            "sent.",
        ),
        NotPersonal(
            ("grading_progress", "last_error"),
            "Where the grade stands, and why the LMS last refused it (its status, no words of "
            "the learner's).",
        ),
    )
