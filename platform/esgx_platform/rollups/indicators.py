"""Responsibility-extension indicators over the suppliers of a period (pure functions).

Each indicator is a share of suppliers by count, by spend and by allocated emissions. For a
year, state-like facts (assurance, targets, renewable share, footprints, tier 2) come from each
supplier's latest quarter, and "on time" means every quarter of the period judged so far was
filed on time (a quarter not yet due is left out; a supplier with nothing due yet is not counted).
Suppliers that withheld consent count in the denominator and never in the numerator: the
factory cannot claim what it cannot see.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from esgx_platform.rollups.engine import ASSURED, ZERO, SupplierPeriod, filed_on_time, ratio, share
from esgx_platform.rollups.facts import Method

WITH_TARGETS = frozenset({"committed", "validated", "netZero"})
MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class Shares:
    count: int
    of: int
    by_count: Decimal | None
    by_spend: Decimal | None
    by_emissions: Decimal | None

    def as_json(self) -> dict[str, object]:
        return {
            "count": self.count,
            "of": self.of,
            "byCountPct": self.by_count,
            "bySpendPct": self.by_spend,
            "byEmissionsPct": self.by_emissions,
        }


def shares(suppliers: Sequence[SupplierPeriod], test: Callable[[SupplierPeriod], bool]) -> Shares:
    passing = [s for s in suppliers if test(s)]
    return Shares(
        count=len(passing),
        of=len(suppliers),
        by_count=share(Decimal(len(passing)), Decimal(len(suppliers))),
        by_spend=share(_sum(passing, "spend"), _sum(suppliers, "spend")),
        by_emissions=share(_sum(passing, "tco2e"), _sum(suppliers, "tco2e")),
    )


def _sum(suppliers: Sequence[SupplierPeriod], what: str) -> Decimal:
    return sum((getattr(s, what) for s in suppliers), ZERO)


def on_time(s: SupplierPeriod) -> bool:
    return filed_on_time(s.lines) is True


def assured(s: SupplierPeriod) -> bool:
    d = s.latest_disclosure
    return d is not None and d.verification_level in ASSURED


def has_targets(s: SupplierPeriod) -> bool:
    d = s.latest_disclosure
    return d is not None and d.target_status in WITH_TARGETS


def renewable_share(s: SupplierPeriod) -> Decimal | None:
    d = s.latest_disclosure
    return None if d is None else share(d.renewable_mwh, d.electricity_mwh)


def gives_footprints(s: SupplierPeriod) -> bool:
    d = s.latest_disclosure
    specific = any(line.method is Method.SUPPLIER_SPECIFIC for line in s.lines)
    return specific or (d is not None and d.footprints_linked)


def responsibility_extension(
    suppliers: Sequence[SupplierPeriod], *, renewable_threshold_pct: Decimal
) -> dict[str, Shares]:
    def renewable_ok(s: SupplierPeriod) -> bool:
        pct = renewable_share(s)
        return pct is not None and pct >= renewable_threshold_pct

    return {
        "onTime": shares(suppliers, on_time),
        "assured": shares(suppliers, assured),
        "withTargets": shares(suppliers, has_targets),
        "renewableAboveThreshold": shares(suppliers, renewable_ok),
        "withFootprints": shares(suppliers, gives_footprints),
    }


def tier2(suppliers: Sequence[SupplierPeriod]) -> dict[str, object]:
    """Suppliers' own supply-chain engagement: spend-weighted means of what they state."""
    weighted: dict[str, Decimal] = {"reporting": ZERO, "targets": ZERO}
    weights: dict[str, Decimal] = {"reporting": ZERO, "targets": ZERO}
    green = 0
    for s in suppliers:
        d = s.latest_disclosure
        if d is None:
            continue
        for key, value in (("reporting", d.tier2_reporting_pct), ("targets", d.tier2_targets_pct)):
            if value is not None:
                weighted[key] += value * s.spend
                weights[key] += s.spend
        green += d.green_factory not in (None, "none")
    return {
        "reportingPctBySpend": ratio(weighted["reporting"], weights["reporting"]),
        "targetsPctBySpend": ratio(weighted["targets"], weights["targets"]),
        "greenFactories": green,
    }


def intensity(tco2e: Decimal, spend: Decimal) -> Decimal | None:
    """Allocated tCO2e per million of spend (reporting currency)."""
    return None if not spend else tco2e * MILLION / spend


def change_pct(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Year-on-year change in percent (negative is a reduction); None without a base."""
    if current is None or not previous:
        return None
    return (current - previous) * Decimal(100) / previous
