"""Every mapped model, imported in one place so the metadata (and Alembic) sees them all."""

from esgx_platform.accounts.models import Invitation, Membership, Role, User
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
from esgx_platform.organizations.models import (
    Organization,
    OrgKind,
    RelationshipSpend,
    SupplyRelationship,
)
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.rollups.models import FactorySettings, RelationshipPurchase

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
    "ImprovementAction",
    "ImprovementActionEvent",
    "Invitation",
    "KeyChallenge",
    "KeyEventRecord",
    "LogCheckpoint",
    "LogCosignature",
    "LogKey",
    "LogRecord",
    "LogState",
    "LogSubtree",
    "Membership",
    "OAuthAccessToken",
    "OAuthClient",
    "OffsetSerialRange",
    "OrgKind",
    "Organization",
    "PriceIndex",
    "RelationshipPurchase",
    "RelationshipSpend",
    "ReportingPeriod",
    "Role",
    "SigningKey",
    "SpendFactor",
    "SpendFactorTable",
    "StoredDisclosure",
    "StoredFootprint",
    "SupplyRelationship",
    "User",
]
