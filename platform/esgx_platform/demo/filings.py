"""Plausible quarterly disclosures for the demo suppliers, computed the way a supplier would.

Figures follow the domain brief: location-based Scope 2 uses the supplier province's 2023 grid
factor, market-based Scope 2 the 2023 residual mix (0.6096) on non-renewable electricity;
allocation to the lead factory is economic (the factory's spend over the supplier's revenue).
Every number is derived from a seeded generator, so a re-run produces the same disclosures.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from esgx_platform.demo.world import SUPPLIERS, DemoSupplier
from esgx_platform.factors.grid import RESIDUAL_MIX_2023, location_factor_2023
from esgx_platform.periods.quarters import Quarter

CENT = Decimal("0.01")
# Every demo supplier sells its output at CNY 70 a piece on average: its pieces made are its
# revenue / 70, and its product footprint is per piece.
PIECE_PRICE_CNY = 70
# tCO2e per CNY of revenue bought in, spend-based and illustrative (not an EEIO table).
ILLUSTRATIVE_SPEND_FACTOR = {
    1: "0.00028",
    2: "0.00022",
    3: "0.00045",
    4: "0.00035",
    5: "0.00060",
    6: "0.00012",
    7: "0.00010",
    8: "0.00008",
}


def stable_number(text: str) -> int:
    """A number derived from text, the same in every process (unlike hash())."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Profile:
    """A supplier's stable traits, drawn once from its name."""

    customer_share: Decimal  # the lead factory's share of the supplier's revenue
    mwh_per_cny_million: Decimal
    fuel_ratio: Decimal  # total energy / electricity
    renewable_share: Decimal
    trend_per_year: Decimal  # relative change of intensity per year
    pds: Decimal
    verified: bool
    target: str  # none | committed | validated
    footprints: bool
    offsets: bool


def profile(item: DemoSupplier) -> Profile:
    rng = random.Random(f"profile:{item.name_en}")  # noqa: S311 - demo figures, not security

    def dec(lo: float, hi: float, places: int = 3) -> Decimal:
        return Decimal(str(round(rng.uniform(lo, hi), places)))

    return Profile(
        customer_share=dec(0.18, 0.45),
        mwh_per_cny_million=dec(18, 110, 2),
        fuel_ratio=dec(1.08, 1.45),
        renewable_share=dec(0, 0.35),
        trend_per_year=dec(-0.09, 0.01),
        pds=dec(20, 85, 1),
        verified=rng.random() < 0.4,
        target=rng.choice(["none", "committed", "committed", "validated"]),
        footprints=item.category == 1 and rng.random() < 0.5,
        offsets=rng.random() < 0.25,
    )


def filing_time(quarter: Quarter, item: DemoSupplier, late: bool) -> datetime:
    """When the supplier filed: a few days before the deadline, or some days after it."""
    rng = random.Random(f"filed:{item.name_en}:{quarter.key}")  # noqa: S311
    deadline = quarter.default_deadline()
    shift = timedelta(days=rng.randint(2, 12)) if late else -timedelta(days=rng.randint(1, 25))
    return datetime.combine((deadline + shift).date(), time(rng.randint(1, 9), 0), tzinfo=UTC)


def subject(
    item: DemoSupplier,
    quarter: Quarter,
    spend: Decimal,
    customer_urn: str,
    supplier_urn: str,
    years_since_start: Decimal,
    adjust: Decimal = Decimal(1),
) -> dict[str, Any]:
    """The credential subject of one quarter's disclosure (`adjust` scales the electricity
    reading, for the demo's restatement)."""
    p = profile(item)
    rng = random.Random(f"q:{item.name_en}:{quarter.key}")  # noqa: S311
    revenue = q2(spend / p.customer_share)
    drift = (1 + p.trend_per_year * years_since_start) * Decimal(str(rng.uniform(0.96, 1.04)))
    electricity = q2(revenue / 1_000_000 * p.mwh_per_cny_million * drift * adjust)
    total_energy = q2(electricity * p.fuel_ratio)
    renewable = q2(electricity * p.renewable_share)
    factor, _ = location_factor_2023(item.province)
    scope1 = q2((total_energy - electricity) * Decimal("0.202") + Decimal(rng.randint(2, 40)))
    location = q2(electricity * factor)
    market = q2((electricity - renewable) * RESIDUAL_MIX_2023)
    cat1 = q2(revenue * Decimal(ILLUSTRATIVE_SPEND_FACTOR.get(item.category, "0.0002")))
    cat4 = q2(cat1 * Decimal("0.03"))
    allocable = scope1 + market + cat1 + cat4
    doc: dict[str, Any] = {
        "period": quarter.key,
        "boundary": "operationalControl",
        "gwpSet": "AR6",
        "scope1": {"tco2e": str(scope1)},
        "scope2": {"locationBasedTco2e": str(location), "marketBasedTco2e": str(market)},
        "energy": _energy(electricity, total_energy, renewable, quarter, item),
        "scope3": [
            {"category": 1, "tco2e": str(cat1), "method": "spendBased"},
            {"category": 4, "tco2e": str(cat4), "method": "averageData"},
        ],
        "activity": {
            "revenue": {"amount": str(revenue), "currency": "CNY"},
            "output": {"amount": str(int(revenue / PIECE_PRICE_CNY)), "unit": "piece"},
        },
        "allocations": [
            {
                "customer": customer_urn,
                "customerScope3Category": item.category,
                "basis": "economic",
                "customerQuantity": str(spend),
                "totalQuantity": str(revenue),
                "allocatedTco2e": str(q2(allocable * spend / revenue)),
                "productFootprintIds": [],
            }
        ],
        "dataQuality": {
            "primaryDataShare": str(p.pds),
            "technologicalDQR": "1.8",
            "geographicalDQR": "1.5",
            "temporalDQR": "1.3",
        },
        "verification": _verification(p, quarter),
        "targets": _targets(p, scope1 + market, quarter),
        "supplyChainEngagement": {
            "reportingShareBySpend": str(q2(p.pds / 2)),
            "targetsShareBySpend": str(q2(p.pds / 5)),
            "greenFactory": "provincial" if p.verified else "none",
            "takeBack": p.verified,
        },
    }
    if p.footprints:
        footprint = _footprint(
            item, quarter, supplier_urn, p, allocable, revenue, restated=adjust != 1
        )
        doc["productFootprints"] = [footprint]
        doc["allocations"][0]["productFootprintIds"] = [footprint["id"]]
    if p.offsets:
        doc["offsets"] = [_offset(item, quarter)]
    return doc


def _energy(
    electricity: Decimal, total: Decimal, renewable: Decimal, quarter: Quarter, item: DemoSupplier
) -> dict[str, Any]:
    energy: dict[str, Any] = {
        "electricityMwh": str(electricity),
        "totalEnergyMwh": str(total),
        "renewableElectricityMwh": str(renewable),
    }
    if renewable > 0:
        onsite = q2(renewable * Decimal("0.3"))
        serial = f"GEC-{quarter.year}-{stable_number(item.name_en) % 10**6:06d}-{quarter.quarter}"
        energy["renewableInstruments"] = [
            {"type": "GEC", "mwh": str(renewable - onsite), "certificateIds": [serial]},
            {"type": "onsite", "mwh": str(onsite)},
        ]
    return energy


def _verification(p: Profile, quarter: Quarter) -> dict[str, Any]:
    if not p.verified:
        return {"level": "none"}
    statement = (quarter.ends_on + timedelta(days=3)).isoformat()  # before any filing
    return {
        "level": "limited",
        "provider": "Demo Verification Services Co., Ltd.",
        "standard": "ISO 14064-3",
        "statementDate": statement,
    }


def _targets(p: Profile, scope12: Decimal, quarter: Quarter) -> list[dict[str, Any]]:
    if p.target == "none":
        return []
    return [
        {
            "scope": "1+2",
            "type": "absolute",
            "baseYear": 2023,
            "baseTco2e": str(q2(scope12 * 4 * Decimal("1.08"))),
            "targetYear": 2030,
            "reductionPercent": "42.0",
            "status": p.target,
        }
    ]


def _footprint(
    item: DemoSupplier,
    quarter: Quarter,
    supplier_urn: str,
    p: Profile,
    allocable: Decimal,
    revenue: Decimal,
    *,
    restated: bool,
) -> dict[str, Any]:
    # kgCO2e per piece: allocable tonnes over the pieces made (output = revenue / 70).
    per_piece = (allocable * 1000 / (revenue / PIECE_PRICE_CNY)).quantize(Decimal("0.001"))
    start = datetime.combine(quarter.starts_on, time(0), tzinfo=UTC)
    end = datetime.combine(quarter.next().starts_on, time(0), tzinfo=UTC)
    original = _original_footprint_id(item, quarter)
    # PACT footprints never change: a corrected one is a new id naming the old one.
    pf_id = uuid.uuid5(original, "restated") if restated else original
    preceding = {"precedingPfIds": [str(original)]} if restated else {}
    return {
        **preceding,
        "id": str(pf_id),
        "specVersion": "3.0.3",
        "created": stamp(end + timedelta(days=5)),
        "status": "Active",
        "companyName": item.name_en,
        "companyIds": [supplier_urn],
        "productDescription": item.description,
        "productNameCompany": item.description,
        "productIds": [product_id(item, quarter)],
        "pcf": {
            "declaredUnitOfMeasurement": "piece",
            "declaredUnitAmount": "1",
            "productMassPerDeclaredUnit": "0.35",
            "referencePeriodStart": stamp(start),
            "referencePeriodEnd": stamp(end),
            "geographyCountry": "CN",
            "pcfExcludingBiogenicUptake": str(per_piece),
            "pcfIncludingBiogenicUptake": str(per_piece),
            "fossilGhgEmissions": str(per_piece),
            "fossilCarbonContent": "0",
            "ipccCharacterizationFactors": ["AR6"],
            "crossSectoralStandards": ["ISO14067"],
            "exemptedEmissionsPercent": "0.5",
            "primaryDataShare": str(p.pds),
        },
    }


def _original_footprint_id(item: DemoSupplier, quarter: Quarter) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"esgx-demo:{item.name_en}:{quarter.key}")


def product_id(item: DemoSupplier, quarter: Quarter) -> str:
    """The PACT productId of what the supplier made in the quarter: one per quarter (its
    production of that quarter, as a lot), so the lead factory's purchases of a quarter match
    that quarter's footprint, and a restated footprint keeps it."""
    return f"urn:pact:esgx.example:product-id:{_original_footprint_id(item, quarter).hex[:12]}"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _offset(item: DemoSupplier, quarter: Quarter) -> dict[str, Any]:
    # One block of serials per supplier and quarter: no two demo disclosures share a credit.
    block = (SUPPLIERS.index(item) + 1) * 1000 + quarter.quarter * 100
    retired = quarter.ends_on - timedelta(days=3)
    return {
        "programme": "CCER",
        "vintage": quarter.year - 1,
        "tco2e": "50.00",
        "serials": [f"CCER-{quarter.year - 1}-DEMO-{block + 1:07d}..{block + 50:07d}"],
        "retiredOn": retired.isoformat(),
    }
