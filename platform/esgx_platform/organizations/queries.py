"""Read models for pages: a lead factory's suppliers with their latest spend."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.organizations.models import Organization, RelationshipSpend, SupplyRelationship
from esgx_platform.periods.models import ReportingPeriod


@dataclass(frozen=True)
class SupplierRow:
    relationship: SupplyRelationship
    supplier: Organization
    spend_period: str | None
    spend_amount: Decimal | None
    spend_currency: str | None


def supplier_overview(session: Session, lead_factory_id: uuid.UUID) -> list[SupplierRow]:
    """Every supplier of the factory with the spend of the newest period that has one."""
    latest = (
        select(
            RelationshipSpend.relationship_id,
            func.max(ReportingPeriod.starts_on).label("starts_on"),
        )
        .join(ReportingPeriod, ReportingPeriod.id == RelationshipSpend.period_id)
        .group_by(RelationshipSpend.relationship_id)
        .subquery()
    )
    stmt = (
        select(
            SupplyRelationship,
            Organization,
            ReportingPeriod.key,
            RelationshipSpend.amount,
            RelationshipSpend.currency,
        )
        .join(Organization, Organization.id == SupplyRelationship.supplier_id)
        .outerjoin(latest, latest.c.relationship_id == SupplyRelationship.id)
        .outerjoin(ReportingPeriod, ReportingPeriod.starts_on == latest.c.starts_on)
        .outerjoin(
            RelationshipSpend,
            (RelationshipSpend.relationship_id == SupplyRelationship.id)
            & (RelationshipSpend.period_id == ReportingPeriod.id),
        )
        .where(SupplyRelationship.lead_factory_id == lead_factory_id)
        .order_by(SupplyRelationship.scope3_category, Organization.name_en)
    )
    return [SupplierRow(*row) for row in session.execute(stmt).all()]
