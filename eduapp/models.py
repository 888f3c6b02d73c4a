"""Every model of the app, imported in one place so that migrations and create_app see them all."""

from eduapp.accounts.models import (
    AddressConfirmation,
    LoginAttempt,
    LoginSession,
    PasswordReset,
    User,
    UserRole,
)
from eduapp.assessments.models import AssessmentAnswer, AssessmentAttempt
from eduapp.audit.models import AuditEvent
from eduapp.cohorts.models import Cohort, CohortInvite, CohortMember, CohortModule, CohortTutor
from eduapp.content.models import Document, Revision, Version
from eduapp.extensions import db
from eduapp.lti.models import (
    Context,
    Deployment,
    Identity,
    Platform,
    ResourceLink,
    ScoreOutbox,
    ToolKey,
    UsedNonce,
)
from eduapp.mail.models import OutboxMail
from eduapp.mydata.models import ErasureRequest
from eduapp.notifications.models import DigestSetting, Notification
from eduapp.player.models import Attempt, ChoiceEvent
from eduapp.reflections.models import (
    PeerReview,
    PeerReviewAllocation,
    Reflection,
    ReflectionReply,
    ReflectionTheme,
    Theme,
)
from eduapp.studio.models import Comment, Membership, SignOff
from eduapp.tallies.models import (
    CohortModuleProgress,
    CohortProfession,
    CohortTally,
    LearnerChoice,
    LearnerScenario,
    ModuleScenario,
    SharedChoiceFigure,
    SharedFigureMark,
    VersionChoiceCount,
)

#: The metadata of every table; migrations compare against it.
metadata = db.metadata

__all__ = [
    "AddressConfirmation",
    "AssessmentAnswer",
    "AssessmentAttempt",
    "Attempt",
    "AuditEvent",
    "ChoiceEvent",
    "Cohort",
    "CohortInvite",
    "CohortMember",
    "CohortModule",
    "CohortModuleProgress",
    "CohortProfession",
    "CohortTally",
    "CohortTutor",
    "Comment",
    "Context",
    "Deployment",
    "DigestSetting",
    "Document",
    "ErasureRequest",
    "Identity",
    "LearnerChoice",
    "LearnerScenario",
    "LoginAttempt",
    "LoginSession",
    "Membership",
    "ModuleScenario",
    "Notification",
    "OutboxMail",
    "PasswordReset",
    "PeerReview",
    "PeerReviewAllocation",
    "Platform",
    "Reflection",
    "ReflectionReply",
    "ReflectionTheme",
    "ResourceLink",
    "Revision",
    "ScoreOutbox",
    "SharedChoiceFigure",
    "SharedFigureMark",
    "SignOff",
    "Theme",
    "ToolKey",
    "UsedNonce",
    "User",
    "UserRole",
    "Version",
    "VersionChoiceCount",
    "metadata",
]
