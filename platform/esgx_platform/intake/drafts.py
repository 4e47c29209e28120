"""Drafts of disclosures in the portal, checked with the very schema and rules of the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.db import utcnow
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.intake.context import rule_outcome
from esgx_platform.intake.models import DisclosureDraft, DisclosureHead, StoredDisclosure
from esgx_platform.organizations.models import Organization


@dataclass(frozen=True)
class DraftCheck:
    errors: tuple[FieldError, ...]
    warnings: tuple[FieldError, ...]

    @property
    def ready(self) -> bool:
        return not self.errors


def load_draft(session: Session, org_id: uuid.UUID, period_key: str) -> DisclosureDraft | None:
    return session.scalar(
        select(DisclosureDraft).where(
            DisclosureDraft.organization_id == org_id, DisclosureDraft.period_key == period_key
        )
    )


def save_draft(
    session: Session,
    org: Organization,
    period_key: str,
    fields: dict[str, str],
    *,
    user_id: uuid.UUID | None,
) -> DisclosureDraft:
    """Keep the form as typed (a draft is a working copy, replaced on every save)."""
    draft = load_draft(session, org.id, period_key)
    if draft is None:
        draft = DisclosureDraft(
            organization_id=org.id,
            period_key=period_key,
            fields=fields,
            updated_by=user_id,
            updated_at=utcnow(),
        )
        session.add(draft)
    else:
        draft.fields, draft.updated_by, draft.updated_at = fields, user_id, utcnow()
    session.flush()
    return draft


def check_subject(session: Session, org: Organization, subject: dict[str, Any]) -> DraftCheck:
    """Schema errors, else rule errors and warnings, exactly as a submission would get them."""
    try:
        disclosure = parse_disclosure(subject)
    except InvalidInput as exc:
        return DraftCheck(tuple(exc.errors), ())
    outcome = rule_outcome(session, org, disclosure, utcnow().date())
    return DraftCheck(outcome.errors, outcome.warnings)


def current_filing(session: Session, org_id: uuid.UUID, period_key: str) -> StoredDisclosure | None:
    """The organization's current disclosure for a quarter (for last quarter's values)."""
    return session.scalar(
        select(StoredDisclosure)
        .join(DisclosureHead, DisclosureHead.disclosure_id == StoredDisclosure.id)
        .where(DisclosureHead.organization_id == org_id, StoredDisclosure.period_key == period_key)
    )
