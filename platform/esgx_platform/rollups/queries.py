"""Reading the roll-up's input with set-based SQL: one streamed row per relationship-quarter.

No disclosure is loaded as an ORM object: the query selects the typed figures stored at intake
(the signed JWS stays the source of truth, and every figure keeps its content id).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from esgx_platform.audit.models import AuditEvent
from esgx_platform.factors.spend import Conversions, FactorTable, spend_estimate
from esgx_platform.intake.models import (
    DisclosureAllocation,
    DisclosureEngagement,
    DisclosureHead,
    StoredDisclosure,
)
from esgx_platform.organizations.models import Organization, RelationshipSpend, SupplyRelationship
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter
from esgx_platform.rollups.facts import DisclosureFacts, SupplierQuarter
from esgx_platform.rollups.purchases import priced_purchases

BATCH = 2000


def supplier_quarters(
    session: Session,
    *,
    lead_factory_id: uuid.UUID,
    periods: Sequence[ReportingPeriod],
    deadline_days: int,
    reporting_currency: str,
    table: FactorTable | None,
    conversions: Conversions,
) -> Iterator[SupplierQuarter]:
    """Every relationship active in each period, with what the factory may use of it."""
    by_id = {p.id: p for p in periods}
    priced = priced_purchases(session, lead_factory_id=lead_factory_id, periods=periods)
    stmt = _statement(lead_factory_id, list(by_id))
    for row in session.execute(stmt.execution_options(yield_per=BATCH)):
        period = by_id[row.period_id]
        spend = _spend(row, reporting_currency, period.year, conversions)
        estimate = (
            spend_estimate(
                row.spend_amount, row.spend_currency, period.year, row.sector, table, conversions
            )
            if row.spend_amount is not None
            else None
        )
        consent = row.consent_given_at is not None and row.consent_withdrawn_at is None
        yield SupplierQuarter(
            relationship_id=row.relationship_id,
            supplier_id=row.supplier_id,
            supplier_en=row.name_en,
            supplier_zh=row.name_zh,
            province=row.province,
            category=row.category,
            quarter=period.key,
            deadline=Quarter(period.year, period.quarter).default_deadline(deadline_days),
            consent=consent,
            spend=spend,
            estimate_tco2e=estimate.tco2e if estimate else None,
            estimate_note=estimate.reason.en if estimate and estimate.reason else None,
            # Without consent the factory sees none of the supplier's figures.
            disclosure=_disclosure(row) if consent and row.content_id else None,
            purchases=priced.get((row.relationship_id, row.period_id)) if consent else None,
            rejected=row.content_id is None and row.rejected is not None,
        )


def _statement(lead_factory_id: uuid.UUID, period_ids: list[uuid.UUID]) -> Any:
    rel, org, per = SupplyRelationship, Organization, ReportingPeriod
    d = aliased(StoredDisclosure)
    first = (
        select(
            StoredDisclosure.organization_id,
            StoredDisclosure.period_id,
            func.min(StoredDisclosure.logged_at).label("first_logged_at"),
        )
        .where(StoredDisclosure.period_id.in_(period_ids))
        .group_by(StoredDisclosure.organization_id, StoredDisclosure.period_id)
        .subquery()
    )
    rejected = (
        select(
            AuditEvent.organization_id,
            AuditEvent.details["period"].as_string().label("period_key"),
        )
        .where(AuditEvent.action == "disclosure.rejected")
        .distinct()
        .subquery()
    )
    return (
        select(
            rel.id.label("relationship_id"),
            rel.supplier_id,
            rel.scope3_category.label("category"),
            rel.spend_sector_code.label("sector"),
            rel.consent_given_at,
            rel.consent_withdrawn_at,
            org.name_en,
            org.name_zh,
            org.province,
            per.id.label("period_id"),
            RelationshipSpend.amount.label("spend_amount"),
            RelationshipSpend.currency.label("spend_currency"),
            DisclosureHead.version,
            d.content_id,
            d.verification_level,
            d.primary_data_share,
            d.technological_dqr,
            d.geographical_dqr,
            d.temporal_dqr,
            d.best_target_status,
            d.electricity_mwh,
            d.renewable_electricity_mwh,
            DisclosureAllocation.allocated_tco2e,
            DisclosureAllocation.product_footprint_ids,
            DisclosureEngagement.reporting_share_by_spend,
            DisclosureEngagement.targets_share_by_spend,
            DisclosureEngagement.green_factory,
            first.c.first_logged_at,
            rejected.c.organization_id.label("rejected"),
        )
        .join(org, org.id == rel.supplier_id)
        .join(
            per,
            and_(
                per.id.in_(period_ids),
                rel.started_on <= per.ends_on,
                or_(rel.ended_on.is_(None), rel.ended_on >= per.starts_on),
            ),
        )
        .outerjoin(
            RelationshipSpend,
            and_(
                RelationshipSpend.relationship_id == rel.id, RelationshipSpend.period_id == per.id
            ),
        )
        .outerjoin(
            DisclosureHead,
            and_(
                DisclosureHead.organization_id == rel.supplier_id,
                DisclosureHead.period_id == per.id,
            ),
        )
        .outerjoin(d, d.id == DisclosureHead.disclosure_id)
        .outerjoin(
            DisclosureAllocation,
            and_(
                DisclosureAllocation.disclosure_id == d.id,
                DisclosureAllocation.customer_id == rel.lead_factory_id,
            ),
        )
        .outerjoin(DisclosureEngagement, DisclosureEngagement.disclosure_id == d.id)
        .outerjoin(
            first,
            and_(first.c.organization_id == rel.supplier_id, first.c.period_id == per.id),
        )
        .outerjoin(
            rejected,
            and_(rejected.c.organization_id == rel.supplier_id, rejected.c.period_key == per.key),
        )
        .where(rel.lead_factory_id == lead_factory_id)
        .order_by(rel.id, per.key)
    )


def _spend(row: Row[Any], currency: str, year: int, conversions: Conversions) -> Decimal | None:
    if row.spend_amount is None:
        return None
    return conversions.convert(row.spend_amount, row.spend_currency, currency, year)


def _disclosure(row: Row[Any]) -> DisclosureFacts:
    ratings = [r for r in (row.technological_dqr, row.geographical_dqr, row.temporal_dqr) if r]
    return DisclosureFacts(
        content_id=row.content_id,
        version=row.version,
        first_logged_at=row.first_logged_at,
        verification_level=row.verification_level,
        primary_data_share=row.primary_data_share,
        mean_dqr=sum(ratings, Decimal(0)) / len(ratings) if ratings else None,
        target_status=row.best_target_status,
        electricity_mwh=row.electricity_mwh,
        renewable_mwh=row.renewable_electricity_mwh,
        allocated_tco2e=row.allocated_tco2e,
        footprints_linked=bool(row.product_footprint_ids),
        tier2_reporting_pct=row.reporting_share_by_spend,
        tier2_targets_pct=row.targets_share_by_spend,
        green_factory=row.green_factory,
    )
