"""Looking up what the disclosure rules need to know about the platform (set-based queries)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from esgx_platform.db import transaction_cache
from esgx_platform.disclosures.figures import CNY_MILLION
from esgx_platform.disclosures.model import Disclosure
from esgx_platform.disclosures.rules import PriorFigures, RuleContext, check_rules, offset_serials
from esgx_platform.disclosures.serials import SerialRange
from esgx_platform.errors import FieldError
from esgx_platform.intake.models import (
    DisclosureHead,
    OffsetSerialRange,
    StoredDisclosure,
    StoredFootprint,
)
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter

# Fewer disclosures than this in a category make an interquartile range meaningless.
MIN_PEERS_FOR_IQR = 8


@dataclass(frozen=True)
class IntakeOutcome:
    errors: tuple[FieldError, ...]
    warnings: tuple[FieldError, ...]
    customers: dict[str, uuid.UUID]  # URN -> lead factory id, for the allocation rows
    new_serials: list[SerialRange]
    context: RuleContext


def rule_outcome(session: Session, org: Organization, d: Disclosure, today: date) -> IntakeOutcome:
    """Run the disclosure rules with the platform facts they need. Runs before the log lock;
    only offset serials can change the verdict later, and `recheck_serials` looks again."""
    cache = transaction_cache(session)

    def once(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    customers: dict[str, uuid.UUID] = once(
        ("customers", org.id, d.period), lambda: _customers(session, org, d.period)
    )
    categories: frozenset[int] = once(
        ("categories", org.id),
        lambda: frozenset(
            session.scalars(
                select(SupplyRelationship.scope3_category).where(
                    SupplyRelationship.supplier_id == org.id
                )
            )
        ),
    )
    ranges = _ranges(d)
    context = RuleContext(
        today=today,
        issuer_urn=org.urn,
        customers=frozenset(customers),
        used_offset_serials=_used_serials(session, org, d.period, ranges),
        previous_year=once(
            ("prior", org.id, d.period), lambda: _previous_year(session, org, d.period)
        ),
        category_intensity_iqr=once(
            ("iqr", categories, d.period), lambda: _category_iqr(session, categories, d.period)
        ),
        filed_footprint_ids=once(
            ("footprints", org.id),
            lambda: frozenset(
                session.scalars(
                    select(StoredFootprint.id).where(StoredFootprint.organization_id == org.id)
                )
            ),
        ),
    )
    outcome = check_rules(d, context)
    return IntakeOutcome(outcome.errors, outcome.warnings, customers, ranges, context)


def recheck_serials(
    session: Session,
    org: Organization,
    d: Disclosure,
    outcome: IntakeOutcome,
    also_used: frozenset[str] = frozenset(),
) -> tuple[FieldError, ...]:
    """Rule errors once serials claimed since the first check are known. Run under the log
    lock, so two disclosures racing for one credit cannot both be accepted."""
    if not outcome.new_serials:
        return ()
    used = _used_serials(session, org, d.period, outcome.new_serials) | also_used
    if used == outcome.context.used_offset_serials:
        return ()
    return check_rules(d, replace(outcome.context, used_offset_serials=used)).errors


def _customers(session: Session, org: Organization, quarter: Quarter) -> dict[str, uuid.UUID]:
    """Lead factories the supplier may allocate to for `quarter`: those whose relationship had
    not ended before the quarter began (an ended one can still be filed or restated for the
    quarters it covered)."""
    rows = session.execute(
        select(Organization.uscc, Organization.id)
        .join(SupplyRelationship, SupplyRelationship.lead_factory_id == Organization.id)
        .where(
            SupplyRelationship.supplier_id == org.id,
            or_(
                SupplyRelationship.ended_on.is_(None),
                SupplyRelationship.ended_on >= quarter.starts_on,
            ),
        )
    ).all()
    return {f"urn:esgx:org:{uscc or org_id}": org_id for uscc, org_id in rows}


def _ranges(d: Disclosure) -> list[SerialRange]:
    ranges = []
    for serial in sorted(offset_serials(d)):
        try:
            ranges.append(SerialRange.parse(serial))
        except ValueError:
            continue  # the rules report malformed serials
    return ranges


def _used_serials(
    session: Session, org: Organization, quarter: Quarter, ranges: list[SerialRange]
) -> frozenset[str]:
    """Stored serials under the same prefixes, except this supplier's for this period (the
    disclosure being restated)."""
    prefixes = sorted({r.prefix for r in ranges})
    if not prefixes:
        return frozenset()
    own_period = select(ReportingPeriod.id).where(ReportingPeriod.key == quarter.key)
    rows = session.scalars(
        select(OffsetSerialRange.serial).where(
            OffsetSerialRange.prefix.in_(prefixes),
            ~(
                (OffsetSerialRange.organization_id == org.id)
                & OffsetSerialRange.period_id.in_(own_period)
            ),
        )
    )
    return frozenset(rows)


def _current(session: Session, org_id: uuid.UUID, period_key: str) -> StoredDisclosure | None:
    return session.scalar(
        select(StoredDisclosure)
        .join(DisclosureHead, DisclosureHead.disclosure_id == StoredDisclosure.id)
        .where(DisclosureHead.organization_id == org_id, StoredDisclosure.period_key == period_key)
    )


def _previous_year(session: Session, org: Organization, quarter: Quarter) -> PriorFigures | None:
    prior = _current(session, org.id, Quarter(quarter.year - 1, quarter.quarter).key)
    if prior is None:
        return None
    return PriorFigures(_plain(prior.scope1_tco2e + prior.scope2_market_tco2e), _intensity(prior))


def _plain(value: Decimal) -> Decimal:
    """Drop the column's trailing zeros (519.670000 -> 519.67) so messages read as filed."""
    return Decimal(format(value.normalize(), "f"))


def _intensity(row: StoredDisclosure) -> Decimal | None:
    # Same definition as disclosures.figures.intensity_per_cny_million, over stored columns.
    if row.revenue_currency != "CNY" or row.revenue_amount <= 0:
        return None
    return (row.scope1_tco2e + row.scope2_market_tco2e) / (row.revenue_amount / CNY_MILLION)


def _category_iqr(
    session: Session, categories: frozenset[int], quarter: Quarter
) -> tuple[Decimal, Decimal] | None:
    """Q1 and Q3 of intensity over the quarter's current disclosures of suppliers in any of
    `categories`. Shared by every supplier of those categories (one query per batch and
    quarter); a supplier restating counts its own current figure among its peers."""
    if not categories:
        return None
    peers = select(SupplyRelationship.supplier_id).where(
        SupplyRelationship.scope3_category.in_(sorted(categories))
    )
    rows = session.execute(
        select(
            StoredDisclosure.scope1_tco2e,
            StoredDisclosure.scope2_market_tco2e,
            StoredDisclosure.revenue_amount,
        )
        .join(DisclosureHead, DisclosureHead.disclosure_id == StoredDisclosure.id)
        .where(
            StoredDisclosure.period_key == quarter.key,
            StoredDisclosure.revenue_currency == "CNY",
            StoredDisclosure.revenue_amount > 0,
            StoredDisclosure.organization_id.in_(peers),
        )
    ).all()
    values = sorted((s1 + s2) / (revenue / CNY_MILLION) for s1, s2, revenue in rows)
    if len(values) < MIN_PEERS_FOR_IQR:
        return None
    return _quantile(values, Decimal("0.25")), _quantile(values, Decimal("0.75"))


def _quantile(values: list[Decimal], q: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (the 'inclusive' method)."""
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)
