"""Every mapped model, imported in one place so the metadata (and Alembic) sees them all."""

from esgx_platform.accounts.logins import LoginSession
from esgx_platform.accounts.models import Invitation, Membership, Role, User
from esgx_platform.accounts.throttle import SignInFailure
from esgx_platform.assessment.records import (
    AssessmentModelRecord,
    AssessmentSnapshot,
    Finding,
    ImprovementAction,
    ImprovementActionEvent,
)
from esgx_platform.audit.models import AuditEvent
from esgx_platform.db import Base
from esgx_platform.factors.models import ExchangeRate, PriceIndex, SpendFactor, SpendFactorTable
from esgx_platform.intake.models import (
    DisclosureAllocation,
    DisclosureDraft,
    DisclosureEngagement,
    DisclosureHead,
    DisclosureScope3,
    FootprintCredential,
    OffsetSerialRange,
    StoredDisclosure,
    StoredFootprint,
)
from esgx_platform.jobs.models import JobRun, KeyExpiryWarning, OverdueMark, Reminder
from esgx_platform.keys.models import KeyChallenge, KeyEventRecord, SigningKey
from esgx_platform.ledger.models import (
    LogCheckpoint,
    LogCosignature,
    LogKey,
    LogRecord,
    LogState,
    LogSubtree,
)
from esgx_platform.machine.models import ApiToken, OAuthAccessToken, OAuthClient
from esgx_platform.notifications.models import Notification, OutboxMail
from esgx_platform.organizations.models import (
    Organization,
    OrgKind,
    RelationshipSpend,
    SupplyRelationship,
)
from esgx_platform.pact.models import (
    FootprintDeprecation,
    FootprintKey,
    FootprintListing,
    PactCallbackCredential,
    PactRequest,
)
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.rollups.models import FactorySettings, RelationshipPurchase
from esgx_platform.rollups.snapshots import RollupSnapshot
from esgx_platform.scoring.records import RankingConfigRecord, RankingSnapshot, SupplierRating
from esgx_platform.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "ApiToken",
    "AssessmentModelRecord",
    "AssessmentSnapshot",
    "AuditEvent",
    "Base",
    "DisclosureAllocation",
    "DisclosureDraft",
    "DisclosureEngagement",
    "DisclosureHead",
    "DisclosureScope3",
    "ExchangeRate",
    "FactorySettings",
    "Finding",
    "FootprintCredential",
    "FootprintDeprecation",
    "FootprintKey",
    "FootprintListing",
    "ImprovementAction",
    "ImprovementActionEvent",
    "Invitation",
    "JobRun",
    "KeyChallenge",
    "KeyEventRecord",
    "KeyExpiryWarning",
    "LogCheckpoint",
    "LogCosignature",
    "LogKey",
    "LogRecord",
    "LogState",
    "LogSubtree",
    "LoginSession",
    "Membership",
    "Notification",
    "OAuthAccessToken",
    "OAuthClient",
    "OffsetSerialRange",
    "OrgKind",
    "Organization",
    "OutboxMail",
    "OverdueMark",
    "PactCallbackCredential",
    "PactRequest",
    "PriceIndex",
    "RankingConfigRecord",
    "RankingSnapshot",
    "RelationshipPurchase",
    "RelationshipSpend",
    "Reminder",
    "ReportingPeriod",
    "Role",
    "RollupSnapshot",
    "SignInFailure",
    "SigningKey",
    "SpendFactor",
    "SpendFactorTable",
    "StoredDisclosure",
    "StoredFootprint",
    "SupplierRating",
    "SupplyRelationship",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
