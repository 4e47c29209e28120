"""Reading the roll-up's input with set-based SQL: one streamed row per relationship-quarter.

No disclosure is loaded as an ORM object: the query selects the typed figures stored at intake
(the signed JWS stays the source of truth, and every figure keeps its content id).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Row, Text, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from esgx_platform.audit.models import AuditEvent
from esgx_platform.db import UTCDateTime, utcnow
from esgx_platform.factors.spend import (
    NO_SPEND,
    Conversions,
    Estimate,
    FactorTable,
    spend_estimate,
)
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


@dataclass(slots=True)
class _Party:
    """What the roll-up needs of a relationship, read once rather than once per quarter."""

    supplier_id: uuid.UUID
    name_en: str
    name_zh: str
    province: str | None
    category: int
    sector: str | None
    consent: bool


def _parties(session: Session, lead_factory_id: uuid.UUID) -> dict[uuid.UUID, _Party]:
    rel, org = SupplyRelationship, Organization
    rows = session.execute(
        select(
            rel.id,
            rel.supplier_id,
            org.name_en,
            org.name_zh,
            org.province,
            rel.scope3_category,
            rel.spend_sector_code,
            rel.consent_given_at,
            rel.consent_withdrawn_at,
        )
        .join(org, org.id == rel.supplier_id)
        .where(rel.lead_factory_id == lead_factory_id)
    )
    return {
        r[0]: _Party(r[1], r[2], r[3], r[4], r[5], r[6], r[7] is not None and r[8] is None)
        for r in rows
    }


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
    """Every relationship active in each period, with what the factory may use of it and
    whether the period's deadline has passed (now: `db.utcnow()`, read once)."""
    by_id = {p.id: p for p in periods}
    deadlines = {p.id: Quarter(p.year, p.quarter).default_deadline(deadline_days) for p in periods}
    # On time is first filed at or before the deadline, so a quarter is due once it is past.
    now = utcnow()
    due = {pid: deadline < now for pid, deadline in deadlines.items()}
    parties = _parties(session, lead_factory_id)
    priced = priced_purchases(session, lead_factory_id=lead_factory_id, periods=periods)
    stmt = _statement(lead_factory_id, deadlines)
    # Fetched whole: a server-side cursor makes PostgreSQL plan for the first rows (nested
    # loops), several times slower here; the rows are one year's, however long the history.
    for row in session.execute(stmt):
        period = by_id[row.period_id]
        party = parties[row.relationship_id]
        estimate = (
            spend_estimate(
                row.spend_amount, row.spend_currency, period.year, party.sector, table, conversions
            )
            if row.spend_amount is not None
            else Estimate(None, NO_SPEND)
        )
        yield SupplierQuarter(
            relationship_id=row.relationship_id,
            supplier_id=party.supplier_id,
            supplier_en=party.name_en,
            supplier_zh=party.name_zh,
            province=party.province,
            category=party.category,
            quarter=period.key,
            deadline=deadlines[period.id],
            due=due[period.id],
            consent=party.consent,
            spend=_spend(row, reporting_currency, period.year, conversions),
            estimate_tco2e=estimate.tco2e,
            estimate_note=estimate.reason,
            # Without consent the factory sees none of the supplier's figures.
            disclosure=_disclosure(row) if party.consent and row.content_id else None,
            purchases=priced.get((row.relationship_id, row.period_id)) if party.consent else None,
            rejected=row.content_id is None and row.rejected is not None,
        )


def _statement(lead_factory_id: uuid.UUID, deadlines: dict[uuid.UUID, datetime]) -> Any:
    """One row per relationship and period; on time is judged in SQL against each period's
    deadline (converting every first-filing time in Python costs a tenth of the roll-up)."""
    period_ids = list(deadlines)
    rel, per = SupplyRelationship, ReportingPeriod
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
            # Whether footprints are linked, without decoding every JSON list in Python.
            (func.length(cast(DisclosureAllocation.product_footprint_ids, Text)) > 2).label(
                "footprints_linked"
            ),
            DisclosureEngagement.reporting_share_by_spend,
            DisclosureEngagement.targets_share_by_spend,
            DisclosureEngagement.green_factory,
            (
                first.c.first_logged_at
                <= case(
                    {pid: literal(at, UTCDateTime()) for pid, at in deadlines.items()},
                    value=per.id,
                )
            ).label("filed_on_time"),
            rejected.c.organization_id.label("rejected"),
        )
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
    )


CENTS = Decimal("0.01")


def _spend(row: Row[Any], currency: str, year: int, conversions: Conversions) -> Decimal | None:
    if row.spend_amount is None:
        return None
    converted = conversions.convert(row.spend_amount, row.spend_currency, currency, year)
    # To the cent, at the line: sums of lines then match the figures shown.
    return None if converted is None else converted.quantize(CENTS, rounding=ROUND_HALF_UP)


def _disclosure(row: Row[Any]) -> DisclosureFacts:
    ratings = [r for r in (row.technological_dqr, row.geographical_dqr, row.temporal_dqr) if r]
    return DisclosureFacts(
        content_id=row.content_id,
        version=row.version,
        filed_on_time=bool(row.filed_on_time),
        verification_level=row.verification_level,
        primary_data_share=row.primary_data_share,
        mean_dqr=sum(ratings, Decimal(0)) / len(ratings) if ratings else None,
        target_status=row.best_target_status,
        electricity_mwh=row.electricity_mwh,
        renewable_mwh=row.renewable_electricity_mwh,
        allocated_tco2e=row.allocated_tco2e,
        footprints_linked=bool(row.footprints_linked),
        tier2_reporting_pct=row.reporting_share_by_spend,
        tier2_targets_pct=row.targets_share_by_spend,
        green_factory=row.green_factory,
    )
