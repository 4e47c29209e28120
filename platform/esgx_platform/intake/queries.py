"""Read models over stored disclosures for the supplier's own pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.intake.models import DisclosureHead, StoredDisclosure


@dataclass(frozen=True)
class FilingRow:
    id: uuid.UUID
    period: str
    logged_at: datetime
    on_time: bool
    current: bool
    restates: bool
    content_id: str
    log_index: int
    warnings: int
    scope1: Decimal
    scope2_market: Decimal
    scope3_upstream: Decimal
    revenue_cny: Decimal | None


def filing_history(session: Session, organization_id: uuid.UUID) -> list[FilingRow]:
    """Every disclosure the organization filed, newest period first, restatements included."""
    current = set(
        session.scalars(
            select(DisclosureHead.disclosure_id).where(
                DisclosureHead.organization_id == organization_id
            )
        )
    )
    rows = session.scalars(
        select(StoredDisclosure)
        .where(StoredDisclosure.organization_id == organization_id)
        .order_by(StoredDisclosure.period_key.desc(), StoredDisclosure.log_index.desc())
    ).all()
    return [
        FilingRow(
            id=r.id,
            period=r.period_key,
            logged_at=r.logged_at,
            on_time=r.on_time,
            current=r.id in current,
            restates=r.restates_id is not None,
            content_id=r.content_id,
            log_index=r.log_index,
            warnings=len(r.warnings),
            scope1=r.scope1_tco2e,
            scope2_market=r.scope2_market_tco2e,
            scope3_upstream=r.scope3_upstream_tco2e,
            revenue_cny=r.revenue_amount if r.revenue_currency == "CNY" else None,
        )
        for r in rows
    ]
