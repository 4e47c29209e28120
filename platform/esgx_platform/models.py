"""Every mapped model, imported in one place so the metadata (and Alembic) sees them all."""

from esgx_platform.accounts.models import Invitation, Membership, Role, User
from esgx_platform.audit.models import AuditEvent
from esgx_platform.db import Base
from esgx_platform.intake.models import (
    DisclosureAllocation,
    DisclosureDraft,
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

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "DisclosureAllocation",
    "DisclosureDraft",
    "DisclosureHead",
    "DisclosureScope3",
    "FootprintCredential",
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
    "RelationshipSpend",
    "ReportingPeriod",
    "Role",
    "SigningKey",
    "StoredDisclosure",
    "StoredFootprint",
    "SupplyRelationship",
    "User",
]
