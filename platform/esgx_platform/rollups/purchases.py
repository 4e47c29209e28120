"""Purchased quantities priced with the supplier's product footprints (PCF × quantity)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from esgx_platform.factors.spend import TONNE_PLACES
from esgx_platform.intake.models import (
    DisclosureHead,
    FootprintCredential,
    StoredDisclosure,
    StoredFootprint,
)
from esgx_platform.organizations.models import SupplyRelationship
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.rollups.facts import PurchaseFacts
from esgx_platform.rollups.models import RelationshipPurchase

KG_PER_TONNE = Decimal(1000)


@dataclass(frozen=True)
class Footprint:
    id: str
    product_ids: frozenset[str]
    declared_unit: str
    kgco2e_per_unit: Decimal
    created: str  # ISO timestamp, for choosing the newest
    reference_end: datetime | None = None
    # The content id of the current disclosure or the footprint credential that carries it.
    content_id: str | None = None


@dataclass(frozen=True)
class Purchase:
    product_id: str
    quantity: Decimal
    unit: str


def price(
    purchases: Sequence[Purchase],
    footprints: Sequence[Footprint],
    period_end: datetime | None = None,
) -> PurchaseFacts:
    """Σ quantity × kgCO2e per declared unit / 1000, each product priced with the supplier's
    current footprint of the same declared unit that best fits the purchase's period. Incomplete
    when any line has none."""
    total, used, complete = Decimal(0), [], True
    sources: set[str] = set()
    for p in purchases:
        candidates = [
            f for f in footprints if p.product_id in f.product_ids and f.declared_unit == p.unit
        ]
        match = best_fit(candidates, period_end)
        if match is None:
            complete = False
            continue
        total += p.quantity * match.kgco2e_per_unit / KG_PER_TONNE
        used.append(match.id)
        if match.content_id is not None:
            sources.add(match.content_id)
    return PurchaseFacts(
        # Rounded at the line like every other figure, so quarters add up to the year as shown.
        tco2e=total.quantize(TONNE_PLACES, rounding=ROUND_HALF_UP),
        footprint_ids=tuple(sorted(set(used))),
        complete=complete,
        content_ids=tuple(sorted(sources)),
    )


def best_fit(candidates: Sequence[Footprint], period_end: datetime | None) -> Footprint | None:
    """The footprint whose reference period ends last but not after the purchase's period
    (the newest created among equals); failing that, the one ending soonest after it: a
    footprint made for a later period is still the supplier's own figure for the product."""
    if period_end is not None:
        fitting = [f for f in candidates if f.reference_end and f.reference_end <= period_end]
        if fitting:
            return max(fitting, key=lambda f: (f.reference_end or period_end, f.created))
        later = [f for f in candidates if f.reference_end]
        if later:
            return min(later, key=lambda f: (f.reference_end or period_end, f.created))
    return max(candidates, key=lambda f: f.created, default=None)


def priced_purchases(
    session: Session, *, lead_factory_id: uuid.UUID, periods: Sequence[ReportingPeriod]
) -> dict[tuple[uuid.UUID, uuid.UUID], PurchaseFacts]:
    """(relationship id, period id) → priced purchases, for relationships that record any."""
    rows = session.execute(
        select(
            RelationshipPurchase.relationship_id,
            RelationshipPurchase.period_id,
            SupplyRelationship.supplier_id,
            RelationshipPurchase.product_id,
            RelationshipPurchase.quantity,
            RelationshipPurchase.unit,
        )
        .join(SupplyRelationship, SupplyRelationship.id == RelationshipPurchase.relationship_id)
        .where(
            SupplyRelationship.lead_factory_id == lead_factory_id,
            RelationshipPurchase.period_id.in_([p.id for p in periods]),
        )
    ).all()
    if not rows:
        return {}
    grouped: dict[tuple[uuid.UUID, uuid.UUID], list[Purchase]] = defaultdict(list)
    suppliers: dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID] = {}
    for rid, pid, supplier_id, product, quantity, unit in rows:
        grouped[(rid, pid)].append(Purchase(product, quantity, unit))
        suppliers[(rid, pid)] = supplier_id
    prints = current_footprints(session, set(suppliers.values()))
    # A quarter's reference periods end at the start of the next quarter (PACT's exclusive end).
    ends = {p.id: datetime.combine(p.ends_on + timedelta(days=1), time(0), UTC) for p in periods}
    return {
        key: price(items, prints.get(suppliers[key], []), ends[key[1]])
        for key, items in grouped.items()
    }


def current_footprints(
    session: Session, supplier_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[Footprint]]:
    """Each supplier's footprints that no later footprint of theirs supersedes."""
    carrier, current = aliased(StoredDisclosure), aliased(StoredDisclosure)
    rows = session.execute(
        select(
            StoredFootprint.id,
            StoredFootprint.organization_id,
            StoredFootprint.product_ids,
            StoredFootprint.preceding_ids,
            StoredFootprint.declared_unit,
            StoredFootprint.pcf_excluding_biogenic,
            StoredFootprint.created,
            StoredFootprint.reference_period_end,
            StoredFootprint.status,
            func.coalesce(current.content_id, FootprintCredential.content_id).label("content_id"),
        )
        # Provenance: a footprint filed in a disclosure is vouched for by that period's current
        # disclosure (a restatement repeats or supersedes it); a stand-alone one by its own
        # credential.
        .outerjoin(carrier, carrier.id == StoredFootprint.disclosure_id)
        .outerjoin(
            DisclosureHead,
            and_(
                DisclosureHead.organization_id == carrier.organization_id,
                DisclosureHead.period_id == carrier.period_id,
            ),
        )
        .outerjoin(current, current.id == DisclosureHead.disclosure_id)
        .outerjoin(FootprintCredential, FootprintCredential.id == StoredFootprint.credential_id)
        .where(StoredFootprint.organization_id.in_(supplier_ids))
    ).all()
    superseded = {str(p) for row in rows for p in row.preceding_ids}
    result: dict[uuid.UUID, list[Footprint]] = defaultdict(list)
    for row in rows:
        if str(row.id) in superseded or row.status != "Active":
            continue
        result[row.organization_id].append(
            Footprint(
                id=str(row.id),
                product_ids=frozenset(row.product_ids),
                declared_unit=row.declared_unit,
                kgco2e_per_unit=row.pcf_excluding_biogenic,
                created=row.created.isoformat(),
                reference_end=row.reference_period_end,
                content_id=row.content_id,
            )
        )
    return result
