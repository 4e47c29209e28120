"""Looking up what the disclosure rules need to know about the platform (set-based queries)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
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

    relationships: list[Any] = once(("relationships", org.id), lambda: _relationships(session, org))
    customers = _customers(relationships, d.period)
    categories = frozenset(r.scope3_category for r in relationships)
    ranges = _ranges(d)
    figures: dict[str, PriorFigures] = once(("figures", org.id), lambda: _figures(session, org))
    context = RuleContext(
        today=today,
        issuer_urn=org.urn,
        customers=frozenset(customers),
        used_offset_serials=_used_serials(session, org, d.period, ranges),
        previous_year=figures.get(Quarter(d.period.year - 1, d.period.quarter).key),
        category_intensity_iqr=once(
            ("iqr", categories, d.period), lambda: _category_iqr(session, categories, d.period)
        ),
        filed_footprint_ids=_filed_footprints(session, org, d),
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


# The supplier's relationships: whom it may allocate to, and its Scope 3 categories.
_RELATIONSHIPS = (
    select(
        Organization.uscc,
        Organization.id,
        SupplyRelationship.ended_on,
        SupplyRelationship.scope3_category,
    )
    .join(SupplyRelationship, SupplyRelationship.lead_factory_id == Organization.id)
    .where(SupplyRelationship.supplier_id == bindparam("supplier_id"))
)


def _relationships(session: Session, org: Organization) -> list[Any]:
    return list(session.connection().execute(_RELATIONSHIPS, {"supplier_id": org.id}))


def _customers(relationships: list[Any], quarter: Quarter) -> dict[str, uuid.UUID]:
    """Lead factories the supplier may allocate to for `quarter`: those whose relationship had
    not ended before the quarter began (an ended one can still be filed or restated for the
    quarters it covered)."""
    return {
        f"urn:esgx:org:{r.uscc or r.id}": r.id
        for r in relationships
        if r.ended_on is None or r.ended_on >= quarter.starts_on
    }


# Footprints an allocation names that the disclosure does not carry: filed before, by this
# supplier, as stand-alone credentials (or with earlier disclosures).
_FILED_FOOTPRINTS = select(StoredFootprint.id).where(
    StoredFootprint.organization_id == bindparam("organization_id"),
    StoredFootprint.id.in_(bindparam("ids", expanding=True)),
)


def _filed_footprints(session: Session, org: Organization, d: Disclosure) -> frozenset[uuid.UUID]:
    carried = {footprint.id for footprint in d.product_footprints}
    named = {i for a in d.allocations for i in a.product_footprint_ids} - carried
    if not named:
        return frozenset()
    rows = session.connection().execute(
        _FILED_FOOTPRINTS, {"organization_id": org.id, "ids": sorted(named)}
    )
    return frozenset(rows.scalars())


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


# The supplier's current figures for every quarter it has filed: a few dozen rows at most,
# read once per transaction (a batch compares each quarter with the year before).
_FIGURES = (
    select(
        StoredDisclosure.period_key,
        StoredDisclosure.scope1_tco2e,
        StoredDisclosure.scope2_market_tco2e,
        StoredDisclosure.revenue_currency,
        StoredDisclosure.revenue_amount,
    )
    .join(DisclosureHead, DisclosureHead.disclosure_id == StoredDisclosure.id)
    .where(DisclosureHead.organization_id == bindparam("organization_id"))
)


def _figures(session: Session, org: Organization) -> dict[str, PriorFigures]:
    figures = {}
    for r in session.connection().execute(_FIGURES, {"organization_id": org.id}):
        emissions = r.scope1_tco2e + r.scope2_market_tco2e
        figures[r.period_key] = PriorFigures(
            _plain(emissions), _intensity(emissions, r.revenue_currency, r.revenue_amount)
        )
    return figures


def _plain(value: Decimal) -> Decimal:
    """Drop the column's trailing zeros (519.670000 -> 519.67) so messages read as filed."""
    return Decimal(format(value.normalize(), "f"))


def _intensity(emissions: Decimal, currency: str, revenue: Decimal) -> Decimal | None:
    # Same definition as disclosures.figures.intensity_per_cny_million, over stored columns.
    if currency != "CNY" or revenue <= 0:
        return None
    return emissions / (revenue / CNY_MILLION)


# Current figures of the quarter's suppliers in any of some Scope 3 categories.
_PEER_FIGURES = (
    select(
        StoredDisclosure.scope1_tco2e,
        StoredDisclosure.scope2_market_tco2e,
        StoredDisclosure.revenue_amount,
    )
    .join(DisclosureHead, DisclosureHead.disclosure_id == StoredDisclosure.id)
    .where(
        StoredDisclosure.period_key == bindparam("period_key"),
        StoredDisclosure.revenue_currency == "CNY",
        StoredDisclosure.revenue_amount > 0,
        StoredDisclosure.organization_id.in_(
            select(SupplyRelationship.supplier_id).where(
                SupplyRelationship.scope3_category.in_(bindparam("categories", expanding=True))
            )
        ),
    )
)


def _category_iqr(
    session: Session, categories: frozenset[int], quarter: Quarter
) -> tuple[Decimal, Decimal] | None:
    """Q1 and Q3 of intensity over the quarter's current disclosures of suppliers in any of
    `categories`. Shared by every supplier of those categories (one query per batch and
    quarter); a supplier restating counts its own current figure among its peers."""
    if not categories:
        return None
    rows = session.connection().execute(
        _PEER_FIGURES, {"categories": sorted(categories), "period_key": quarter.key}
    )
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
