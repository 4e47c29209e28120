"""The demo lead factory files its own operations' quarters through the intake pipeline.

The zero-carbon factory assessment judges the factory's own Scope 1 and 2, renewable electricity,
targets and offsets per calendar year, so the demo factory files them exactly as its suppliers
file theirs: its private key in a file beside theirs (named by its credit code), signed
`EmissionDisclosure` credentials, the same schema, rules, log and receipts, with the clock set to
a filing time shortly after each quarter. An own-operations disclosure allocates nothing to
anyone. The filings are steps in the suppliers' time-ordered run (`seed_filings`), so the log's
times never go backwards.

The figures follow the domain brief's pilot, an electronics assembly plant in Tianjin: about
20,000 m² of rooftop PV making about 2.63 GWh a year, waste-heat recovery of about 1.12 GWh a
year, green certificates (GEC) bought so the renewable share rises every quarter, and CCER
credits retired against a growing share of the residual Scope 1+2. The target's base year is the
first complete calendar year filed (2024 in a demo seeded in late 2026, of 2023-Q4 to 2026-Q3);
credits cover part of the residual before and during it and all of it from the first quarter of
the next year on, so the factory can reach "zero-carbon". Every figure is computed, none is
random.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from esgx_platform.db import utcnow
from esgx_platform.demo.filings import q2
from esgx_platform.demo.seed_filings import Step, demo_key, has_filed, register_demo_key
from esgx_platform.disclosures.gwp import GWP100
from esgx_platform.disclosures.model import GwpSet
from esgx_platform.factors.grid import PROVINCIAL_2023, RESIDUAL_MIX_2023
from esgx_platform.intake.credentials import Submitter
from esgx_platform.intake.pipeline import submit_disclosure
from esgx_platform.intake.receipts import LogSigner
from esgx_platform.keys.services import list_keys
from esgx_platform.organizations.models import Organization
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter
from signing import build_credential, public_jwk, sign

# The factory files 18 days after each quarter (its deadline is 30 days after); its auditor's
# statement is dated 14 days after and the quarter's credits are retired 12 days after, well
# within the 12 months ISO 14068-1 allows.
FILED_AFTER = timedelta(days=18)
STATEMENT_AFTER = timedelta(days=14)
RETIRED_AFTER = timedelta(days=12)
VERIFIER = "Haihe Carbon Assurance Co., Ltd. (invented for the demo)"
CCER_REGISTRY = "National GHG voluntary emission reduction registry (CCER)"

TIANJIN_2023 = PROVINCIAL_2023["TJ"]  # 0.6796 tCO2/MWh, location-based
NATURAL_GAS_TCO2_PER_MWH = Decimal("0.2020")  # IPCC 2006 default 56.1 tCO2/TJ x 0.0036 TJ/MWh
HFC134A_AR6 = GWP100[GwpSet.AR6]["HFC-134a"]  # 1530

# Rooftop PV by quarter of the year, MWh: 552.30 + 762.70 + 736.40 + 578.60 = 2630.00 a year
# (about 0.66 GWh a quarter), all used on site.
ONSITE_PV_MWH = {1: "552.30", 2: "762.70", 3: "736.40", 4: "578.60"}
# Electricity used by quarter of the year, MWh (summer cooling); smart scheduling and
# low-temperature solder paste then save 0.3 % more each quarter.
ELECTRICITY_MWH = {1: "9210.00", 2: "9480.00", 3: "9960.00", 4: "9390.00"}
# Pieces made by quarter of the year (the autumn peak), sold at CNY 4,380 each on average.
OUTPUT_PIECES = {1: 418_000, 2: 452_000, 3: 489_000, 4: 471_000}
PRICE_CNY = Decimal(4380)
# Share of the residual Scope 1+2 (market-based) covered by credits retired for the quarter:
# 20 % before the base year, rising by quarter of the base year, all of it from the first
# quarter of the year after the base year on.
OFFSET_SHARE_BEFORE_BASE_YEAR = Decimal("0.20")
OFFSET_SHARE_IN_BASE_YEAR = {
    1: Decimal("0.35"),
    2: Decimal("0.45"),
    3: Decimal("0.55"),
    4: Decimal("0.70"),
}
# One block of CCER serials per quarter: credits n*10,000+1 onwards in quarter n of the year.
CREDITS_PER_BLOCK = 9_999


@dataclass(frozen=True)
class OwnQuarter:
    """One quarter of the factory's own operations (MWh, tonnes, CNY)."""

    electricity: Decimal
    onsite: Decimal
    gec: Decimal
    gas: Decimal
    co2: Decimal
    hfc134a: Decimal  # tonnes of gas leaked from chillers
    output: int

    @property
    def grid(self) -> Decimal:
        return self.electricity - self.onsite

    @property
    def scope1(self) -> Decimal:
        return q2(self.co2 + self.hfc134a * HFC134A_AR6)

    @property
    def location(self) -> Decimal:
        return q2(self.grid * TIANJIN_2023)

    @property
    def market(self) -> Decimal:
        # GECs carry a zero factor; the grid electricity they do not cover takes the residual mix.
        return q2((self.grid - self.gec) * RESIDUAL_MIX_2023)


def own_quarter(quarter: Quarter, number: int) -> OwnQuarter:
    """The figures of the `number`-th filed quarter (0 = the first)."""
    n = Decimal(number)
    electricity = q2(Decimal(ELECTRICITY_MWH[quarter.quarter]) * (1 - Decimal("0.003") * n))
    onsite = Decimal(ONSITE_PV_MWH[quarter.quarter])
    # GECs (one per MWh) cover 10 % of the grid electricity in the first quarter, 4 points
    # more each quarter (at most 90 %, should the demo be seeded over more quarters): over
    # twelve quarters Scope 1+2 stays within 30 % of the same quarter a year before, so the
    # year-on-year plausibility warning never fires.
    gec = whole((electricity - onsite) * min(Decimal("0.10") + Decimal("0.04") * n, Decimal("0.9")))
    # Waste-heat recovery (about 1.12 GWh of heat a year, about 280 MWh a quarter at full
    # capacity) comes on line in stages: 1.5 % less natural gas each quarter.
    gas = q2(Decimal(1600) * Decimal("0.985") ** number)
    return OwnQuarter(
        electricity=electricity,
        onsite=onsite,
        gec=gec,
        gas=gas,
        co2=q2(gas * NATURAL_GAS_TCO2_PER_MWH),
        # Chiller leak checks bring the HFC-134a top-ups down from 26 kg a quarter by 1 kg
        # a quarter (to no less than 10 kg).
        hfc134a=max(Decimal("0.026") - Decimal("0.001") * n, Decimal("0.010")),
        output=int(OUTPUT_PIECES[quarter.quarter] * (1 + Decimal("0.01") * n)),
    )


INITIATIVES = [
    {
        # 2630 MWh a year x 0.6096 (residual mix it no longer buys) = 1603.25 t.
        "description": "Rooftop photovoltaics, about 20,000 m2, about 2.63 GWh a year",
        "expectedTco2ePerYear": "1603.25",
        "status": "completed",
    },
    {
        # 1120 MWh of gas a year not burnt x 0.2020 = 226.24 t.
        "description": "Waste-heat recovery (compressors, reflow ovens), about 1.12 GWh a year",
        "expectedTco2ePerYear": "226.24",
        "status": "inProgress",
    },
    {
        "description": "Smart scheduling, low-temperature solder paste, cryogenic nitrogen",
        "status": "inProgress",
    },
]


def own_subject(quarter: Quarter, number: int, base: BaseYear) -> dict[str, Any]:
    """The credential subject of the factory's own disclosure for one quarter.

    Worked through for the first quarter if it is a Q4 (2023-Q4 in a demo seeded in late 2026):
    electricity 9390.00 MWh, of which PV 578.60, so grid 8811.40 MWh; GECs 10 % = 881.14, so
    882 certificates (MWh); renewable 578.60 + 882 = 1460.60 MWh (15.6 %). Location-based
    Scope 2 = 8811.40 x 0.6796 = 5988.23 t; market-based = (8811.40 - 882) x 0.6096 = 4833.76 t.
    Natural gas 1600.00 MWh x 0.2020 = 323.20 t CO2, HFC-134a 0.026 t x 1530 = 39.78 t, so
    Scope 1 = 362.98 t; residual Scope 1+2 = 5196.74 t; before the base year 20 % of it =
    1039.35 t, offset with 1040 whole credits. The base year 2024 (the second to fifth
    quarters) emits 4880.48 + 4679.33 + 4686.83 + 4261.72 = 18508.36 t, of which credits cover
    35, 45, 55 and 70 % by quarter; 2025 emits 14807.20 t (20.0 % less), all of it offset, as
    is 2026. By the twelfth quarter (2026-Q3) renewables reach 57.5 % of the electricity.
    """
    q = own_quarter(quarter, number)
    residual = q.scope1 + q.market
    return {
        "period": quarter.key,
        "boundary": "operationalControl",
        "gwpSet": "AR6",
        "scope1": {
            "tco2e": str(q.scope1),
            "byGas": {"CO2": str(q.co2), "HFC-134a": str(q.hfc134a)},
            "byGasUnit": "tgas",
            "byGasGwpSet": "AR6",
        },
        "scope2": {"locationBasedTco2e": str(q.location), "marketBasedTco2e": str(q.market)},
        "energy": {
            "electricityMwh": str(q.electricity),
            "totalEnergyMwh": str(q.electricity + q.gas),
            "renewableElectricityMwh": str(q.onsite + q.gec),
            "renewableInstruments": [
                {"type": "onsite", "mwh": str(q.onsite)},
                {
                    "type": "GEC",
                    "mwh": str(q.gec),
                    "certificateIds": [f"GEC-{quarter.key}-JGTJ-000001..{int(q.gec):06d}"],
                },
            ],
        },
        "activity": {
            "revenue": {"amount": str(q2(q.output * PRICE_CNY)), "currency": "CNY"},
            "output": {"amount": str(q.output), "unit": "piece"},
        },
        "targets": [
            {
                "scope": "1+2",
                "type": "absolute",
                "baseYear": base.year,
                "baseTco2e": str(base.tco2e),
                "targetYear": 2030,
                "reductionPercent": "42.0",
                "status": "validated",
            }
        ],
        "offsets": [_offset(quarter, residual * offset_share(quarter, base.year))],
        "initiatives": [dict(item) for item in INITIATIVES],
        "dataQuality": {
            "primaryDataShare": "96.0",
            "technologicalDQR": "1.2",
            "geographicalDQR": "1.0",
            "temporalDQR": "1.0",
        },
        "verification": {
            # Limited assurance up to the end of the base year, reasonable assurance after it.
            "level": "limited" if quarter.year <= base.year else "reasonable",
            "provider": VERIFIER,
            "standard": "ISO 14064-3",
            "statementDate": (quarter.ends_on + STATEMENT_AFTER).isoformat(),
        },
        "supplyChainEngagement": {"greenFactory": "national"},
    }


def offset_share(quarter: Quarter, base_year: int) -> Decimal:
    """The share of the quarter's residual Scope 1+2 that its retired credits cover."""
    if quarter.year > base_year:
        return Decimal(1)
    if quarter.year < base_year:
        return OFFSET_SHARE_BEFORE_BASE_YEAR
    return OFFSET_SHARE_IN_BASE_YEAR[quarter.quarter]


def _offset(quarter: Quarter, tonnes: Decimal) -> dict[str, Any]:
    """Whole CCER credits (one a tonne) covering `tonnes`, issued the year before, from a block
    of serials no other demo filer uses (suppliers use the DEMO prefix): the vintage in the
    prefix and the quarter in the numbers make the block of each quarter of each year its own."""
    count = int(whole(tonnes))
    if count > CREDITS_PER_BLOCK:
        raise ValueError(f"{count} credits do not fit in one quarter's block of serials")
    vintage = quarter.year - 1
    first = quarter.quarter * 10_000 + 1
    return {
        "programme": "CCER",
        "registry": CCER_REGISTRY,
        "serials": [f"CCER-{vintage}-JGTJ-{first:07d}..{first + count - 1:07d}"],
        "vintage": vintage,
        "tco2e": str(count),
        "retiredOn": (quarter.ends_on + RETIRED_AFTER).isoformat(),
    }


def whole(value: Decimal) -> Decimal:
    """Rounded up to a whole unit (certificates and credits come one per MWh or tonne)."""
    return value.quantize(Decimal(1), rounding=ROUND_CEILING)


@dataclass(frozen=True)
class BaseYear:
    """The target's base year and its Scope 1+2 (market-based), tonnes."""

    year: int
    tco2e: Decimal


def base_year(quarters: list[Quarter]) -> BaseYear:
    """The first calendar year all four of whose quarters are filed, and its Scope 1+2
    (market-based): the sum of those four quarters. ValueError when no year is complete."""
    filed = set(quarters)
    for year in sorted({q.year for q in quarters}):
        if all(Quarter(year, n) in filed for n in range(1, 5)):
            figures = [own_quarter(q, n) for n, q in enumerate(quarters) if q.year == year]
            return BaseYear(year, sum((f.scope1 + f.market for f in figures), Decimal(0)))
    raise ValueError("the lead factory's own operations need a complete calendar year")


@dataclass
class OwnFilings:
    """The factory's own filings as steps of the demo's time-ordered run (`seed_filings`);
    `accepted` counts those filed once the steps have run."""

    steps: list[Step] = field(default_factory=list)
    accepted: int = 0


def own_operations_steps(
    session: Session,
    *,
    lead: Organization,
    periods: list[ReportingPeriod],
    key_dir: Path,
    signer: LogSigner,
    now: datetime,
) -> OwnFilings:
    """The steps that register the lead factory's key (unless registered) and file its own
    disclosures for `periods`; none when it has filed before. A refusal raises the pipeline's
    EsgxError: the demo's own figures must validate."""
    own = OwnFilings()
    if has_filed(session, lead):
        return own
    quarters = [Quarter.parse(p.key) for p in periods]
    base = base_year(quarters)
    latest = now - timedelta(hours=1)
    times = [min(_filing_time(q), latest) for q in quarters]
    key = demo_key(key_dir, lead, "Ed25519")
    kid = public_jwk(key)["kid"]
    if all(k.kid != kid for k in list_keys(session, organization=lead)):
        own.steps.append(
            Step(
                min(times[0] - timedelta(days=3), latest),
                0,
                lambda: register_demo_key(
                    session, lead, key, label="demo key (kept by the lead factory)"
                ),
            )
        )
    submitter = Submitter({lead.id}, None, "demo")

    def filing(subject: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            credential = build_credential(subject=subject, issuer=lead.urn, valid_from=utcnow())
            jws = sign(credential=credential, private_key=key)
            submit_disclosure(
                session, jws=jws, submitter=submitter, signer=signer, with_receipt=False
            )
            own.accepted += 1

        return run

    for number, (quarter, at) in enumerate(zip(quarters, times, strict=True)):
        own.steps.append(Step(at, 2, filing(own_subject(quarter, number, base))))
    return own


def _filing_time(quarter: Quarter) -> datetime:
    return datetime.combine(quarter.ends_on + FILED_AFTER, time(6, 30), tzinfo=UTC)
