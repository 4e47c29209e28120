"""Figures derived from a disclosure: Scope 1+2, allocable emissions, allocations, intensity.

Pure functions over `Disclosure`; the rules, roll-ups and rankings all use these so a number
means the same thing everywhere. Scope 1+2 uses **market-based** Scope 2, as allocation does
(GHG Protocol: a customer's Scope 3 takes the supplier's market-based figure).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

from esgx_platform.disclosures.model import Allocation, Disclosure
from esgx_platform.ghg import UPSTREAM_CATEGORIES

TONNE_FLOOR = Decimal("0.01")  # the smallest difference the wire's usual two decimals can show
RELATIVE_TOLERANCE = Decimal("0.005")  # allocations: 0.5 % of the expected figure
CNY_MILLION = Decimal(1_000_000)


def scope12_total(d: Disclosure) -> Decimal:
    """Scope 1 plus market-based Scope 2, in tCO2e."""
    return d.scope1.tco2e + d.scope2.market_based_tco2e


def upstream_scope3(d: Disclosure) -> Decimal:
    """The supplier's own upstream Scope 3 (categories 1-8), in tCO2e."""
    return sum(
        (entry.tco2e for entry in d.scope3 if entry.category in UPSTREAM_CATEGORIES), Decimal(0)
    )


def allocable_tco2e(d: Disclosure) -> Decimal:
    """Emissions a supplier may allocate to customers: S1 + market-based S2 + upstream S3.

    Downstream Scope 3 (categories 9-15) is never allocable: the customer's own inventory
    already holds those emissions, so passing them up would double count.
    """
    return scope12_total(d) + upstream_scope3(d)


def expected_allocation(d: Disclosure, allocation: Allocation) -> Decimal:
    """customerQuantity / totalQuantity x allocable, unrounded.

    Raises ValueError when totalQuantity is not positive (the schema never lets that through).
    """
    if allocation.total_quantity <= 0:
        raise ValueError("totalQuantity must be positive")
    return allocable_tco2e(d) * allocation.customer_quantity / allocation.total_quantity


def allocation_tolerance(expected: Decimal) -> Decimal:
    """How far a declared allocation may be from the expected one: 0.5 %, at least 0.01 t."""
    return max(TONNE_FLOOR, abs(expected) * RELATIVE_TOLERANCE)


def intensity_per_cny_million(d: Disclosure) -> Decimal | None:
    """Scope 1+2 in tCO2e per CNY million of revenue; None unless revenue is positive CNY.

    Other currencies are not converted: an exchange rate would make the figure depend on a
    rate table and date, and the category ranges it is compared with are in CNY.
    """
    revenue = d.activity.revenue
    if revenue.currency != "CNY" or revenue.amount <= 0:
        return None
    return scope12_total(d) / (revenue.amount / CNY_MILLION)


def half_unit(value: Decimal) -> Decimal:
    """Half a unit in the last place the figure was written with: "812.40" -> 0.005.

    A figure rounded to that place can be off by this much, so sums of rounded figures are
    compared with the sum of these slacks ("within rounding").
    """
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN or infinity never pass the schema
        return Decimal(0)
    return Decimal(5).scaleb(exponent - 1)


def rounding_slack(*values: Decimal, weights: tuple[Decimal, ...] = ()) -> Decimal:
    """Σ half_unit(value) x weight (weight 1 by default), at least 0.01 (t or MWh)."""
    factors = weights or (Decimal(1),) * len(values)
    slack = sum((half_unit(v) * w for v, w in zip(values, factors, strict=True)), Decimal(0))
    return max(TONNE_FLOOR, slack)


def shown(value: Decimal, places: int = 2) -> str:
    """A computed figure for a message, rounded half-up to `places` decimals."""
    with localcontext() as context:
        context.prec = 60  # quantizing a large figure must not overflow the default precision
        return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
