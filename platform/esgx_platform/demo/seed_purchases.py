"""The demo lead factory records the pieces it buys from three suppliers that file footprints.

With the supplier's product footprint (kgCO2e per piece) the roll-up then prices those quarters
supplier-specifically (pieces x footprint) rather than with the supplier's allocation. The
pieces are the quarter's spend at the suppliers' average price of CNY 70 a piece (see
`filings.py`), so both figures agree to rounding: spend / 70 pieces x allocable x 1000 x 70 /
revenue kg = allocable x spend / revenue t, the allocation to the factory.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.demo.filings import PIECE_PRICE_CNY, product_id
from esgx_platform.demo.world import SUPPLIERS
from esgx_platform.disclosures.model import DeclaredUnit
from esgx_platform.organizations.models import Organization, RelationshipSpend, SupplyRelationship
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter
from esgx_platform.rollups.purchase_services import record_purchase

# Suppliers that file product footprints and share their data with the lead factory (none of
# them has a scripted story: restatement, rejection or a missing quarter).
PURCHASED_FROM = (
    "Huizhou Xinyuan Battery Co., Ltd.",
    "Hefei Xinchen Semiconductor Co., Ltd.",
    "Wuhan Guanggu Power Supply Technology Co., Ltd.",
)


def seed_purchases(
    session: Session,
    lead: Organization,
    suppliers: dict[str, Organization],
    periods: list[ReportingPeriod],
) -> None:
    """Record every quarter's pieces bought from the `PURCHASED_FROM` suppliers: the quarter's
    spend / CNY 70, in whole pieces. Recording the same figures again changes nothing."""
    items = {item.name_en: item for item in SUPPLIERS}
    for name in PURCHASED_FROM:
        rel = session.scalars(
            select(SupplyRelationship).where(
                SupplyRelationship.lead_factory_id == lead.id,
                SupplyRelationship.supplier_id == suppliers[name].id,
            )
        ).one()
        rows = session.execute(
            select(RelationshipSpend.period_id, RelationshipSpend.amount).where(
                RelationshipSpend.relationship_id == rel.id
            )
        )
        spends = {period_id: amount for period_id, amount in rows}
        for period in periods:
            pieces = (spends[period.id] / PIECE_PRICE_CNY).quantize(Decimal(1), ROUND_HALF_UP)
            record_purchase(
                session,
                rel,
                period,
                product_id=product_id(items[name], Quarter.parse(period.key)),
                quantity=pieces,
                unit=DeclaredUnit.PIECE.value,
            )
