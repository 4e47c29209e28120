"""Spend-based estimates: spend converted to the factor table's currency and price year.

Following the usual EEIO practice (e.g. the US EPA supply-chain factors' guidance): convert the
spend to the factor's currency at the spend year's average rate, then move it from spend-year to
price-year prices with the factor currency's price index, then multiply by the factor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from esgx_platform.i18n import Text

TONNE_PLACES = Decimal("0.000001")
KG_PER_TONNE = Decimal(1000)


@dataclass(frozen=True)
class FactorTable:
    """One spend-factor table version, as plain data."""

    name: str
    version: str
    currency: str
    price_year: int
    # sector code -> kgCO2e per unit of `currency` at `price_year` prices
    factors: dict[str, Decimal]
    illustrative: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


@dataclass(frozen=True)
class Conversions:
    """Annual average exchange rates and price indices, as plain data."""

    # (currency, quote currency, year) -> units of quote currency per unit of currency
    rates: dict[tuple[str, str, int], Decimal] = field(default_factory=dict)
    # (currency, year) -> index value (any base; only ratios are used)
    indices: dict[tuple[str, int], Decimal] = field(default_factory=dict)

    def rate(self, currency: str, quote: str, year: int) -> Decimal | None:
        """Units of `quote` per unit of `currency` in `year`; the inverse rate serves too."""
        if currency == quote:
            return Decimal(1)
        direct = self.rates.get((currency, quote, year))
        if direct is not None:
            return direct
        inverse = self.rates.get((quote, currency, year))
        return None if inverse is None or inverse == 0 else Decimal(1) / inverse

    def convert(self, amount: Decimal, currency: str, quote: str, year: int) -> Decimal | None:
        rate = self.rate(currency, quote, year)
        return None if rate is None else amount * rate

    def reprice(
        self, amount: Decimal, currency: str, from_year: int, to_year: int
    ) -> Decimal | None:
        """`amount` at `from_year` prices expressed at `to_year` prices."""
        if from_year == to_year:
            return amount
        start = self.indices.get((currency, from_year))
        end = self.indices.get((currency, to_year))
        if start is None or end is None or start == 0:
            return None
        return amount * end / start


@dataclass(frozen=True)
class Estimate:
    tco2e: Decimal | None
    # Why no estimate could be made (None when there is one).
    reason: Text | None = None


NO_TABLE = Text(
    "No spend-factor table is chosen for this lead factory.", "该龙头工厂尚未选择支出排放因子表。"
)
NO_SECTOR = Text(
    "The relationship has no spend sector, or the table has no factor for it.",
    "该供应关系未指定支出行业，或因子表中没有该行业的因子。",
)
NO_SPEND = Text("No spend is recorded for this quarter.", "该季度未记录采购额。")
NO_RATE = Text("No exchange rate for {c} to {q} in {y}.", "缺少 {y} 年 {c} 兑 {q} 的汇率。")
NO_INDEX = Text("No price index for {c} in {a} and {b}.", "缺少 {c} 在 {a} 年和 {b} 年的价格指数。")


def spend_estimate(
    amount: Decimal,
    currency: str,
    year: int,
    sector: str | None,
    table: FactorTable | None,
    conversions: Conversions,
) -> Estimate:
    """tCO2e for `amount` spent in `year` on `sector`, or why it cannot be estimated."""
    if table is None:
        return Estimate(None, NO_TABLE)
    factor = table.factors.get(sector) if sector else None
    if factor is None:
        return Estimate(None, NO_SECTOR)
    converted = conversions.convert(amount, currency, table.currency, year)
    if converted is None:
        return Estimate(None, NO_RATE.format(c=currency, q=table.currency, y=year))
    repriced = conversions.reprice(converted, table.currency, year, table.price_year)
    if repriced is None:
        return Estimate(None, NO_INDEX.format(c=table.currency, a=year, b=table.price_year))
    tonnes = (repriced * factor / KG_PER_TONNE).quantize(TONNE_PLACES, rounding=ROUND_HALF_UP)
    return Estimate(tonnes)
