"""Purchased quantities priced with the supplier's product footprints (PCF × quantity)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.intake.models import StoredFootprint
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


@dataclass(frozen=True)
class Purchase:
    product_id: str
    quantity: Decimal
    unit: str


def price(purchases: Sequence[Purchase], footprints: Sequence[Footprint]) -> PurchaseFacts:
    """Σ quantity × kgCO2e per declared unit / 1000, using for each product the newest
    current footprint with the same declared unit. Incomplete when any line has none."""
    total, used, complete = Decimal(0), [], True
    for p in purchases:
        match = max(
            (f for f in footprints if p.product_id in f.product_ids and f.declared_unit == p.unit),
            key=lambda f: f.created,
            default=None,
        )
        if match is None:
            complete = False
            continue
        total += p.quantity * match.kgco2e_per_unit / KG_PER_TONNE
        used.append(match.id)
    return PurchaseFacts(tco2e=total, footprint_ids=tuple(sorted(set(used))), complete=complete)


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
    return {key: price(items, prints.get(suppliers[key], [])) for key, items in grouped.items()}


def current_footprints(
    session: Session, supplier_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[Footprint]]:
    """Each supplier's footprints that no later footprint of theirs supersedes."""
    rows = session.execute(
        select(
            StoredFootprint.id,
            StoredFootprint.organization_id,
            StoredFootprint.product_ids,
            StoredFootprint.preceding_ids,
            StoredFootprint.declared_unit,
            StoredFootprint.pcf_excluding_biogenic,
            StoredFootprint.created,
            StoredFootprint.status,
        ).where(StoredFootprint.organization_id.in_(supplier_ids))
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
            )
        )
    return result
