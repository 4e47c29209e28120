"""Spend-based estimates: worked examples with the arithmetic spelt out, and every reason why
no estimate can be made."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from esgx_platform.factors.services import (
    import_exchange_rates,
    import_price_indices,
    load_conversions,
    load_factor_table,
)
from esgx_platform.factors.spend import (
    NO_INDEX,
    NO_RATE,
    NO_SECTOR,
    NO_TABLE,
    Conversions,
    Estimate,
    FactorTable,
    spend_estimate,
)
from tests.platform.factors.helpers import spend_table

USD_2022 = FactorTable(
    name="Test factors",
    version="v1",
    currency="USD",
    price_year=2022,
    factors={"pcb": Decimal("0.25"), "glass": Decimal("1.05")},
)
CNY_2023 = FactorTable(
    name="Demo", version="2023.1", currency="CNY", price_year=2023, factors={"pcb": Decimal("0.62")}
)
CONVERSIONS = Conversions(
    rates={("CNY", "USD", 2025): Decimal("0.14")},
    indices={("USD", 2022): Decimal(100), ("USD", 2025): Decimal(108)},
)


def test_convert_then_reprice_then_multiply() -> None:
    # 1,000,000 CNY spent in 2025 on printed circuit boards; the table is in USD at 2022 prices.
    #   1,000,000 CNY × 0.14 USD/CNY (2025 average)       = 140,000 USD at 2025 prices
    #   140,000 × 100 / 108 (USD index 2022 / 2025)        = 129,629.6296… USD at 2022 prices
    #   129,629.6296… USD × 0.25 kgCO2e/USD                = 32,407.4074… kgCO2e
    #   / 1000                                             = 32.407407 tCO2e (6 places)
    result = spend_estimate(Decimal(1_000_000), "CNY", 2025, "pcb", USD_2022, CONVERSIONS)
    assert result == Estimate(Decimal("32.407407"))


def test_the_inverse_rate_serves_when_only_it_is_stored() -> None:
    # Only USD→CNY 2025 = 7.2 is stored, so CNY→USD is 1 / 7.2.
    #   720,000 CNY / 7.2 CNY/USD = 100,000 USD (2025 = price year: no repricing)
    #   100,000 USD × 0.25 kgCO2e/USD = 25,000 kg = 25.000000 t
    table = FactorTable("T", "v1", "USD", 2025, {"pcb": Decimal("0.25")})
    conversions = Conversions(rates={("USD", "CNY", 2025): Decimal("7.2")})
    result = spend_estimate(Decimal(720_000), "CNY", 2025, "pcb", table, conversions)
    assert result == Estimate(Decimal("25.000000"))


def test_same_currency_and_year_needs_no_conversion() -> None:
    # 500,000 CNY × 0.62 kgCO2e/CNY = 310,000 kg = 310.000000 t; no rate or index needed.
    result = spend_estimate(Decimal(500_000), "CNY", 2023, "pcb", CNY_2023, Conversions())
    assert result == Estimate(Decimal("310.000000"))


def test_repricing_within_one_currency() -> None:
    # 1,000,000 CNY spent in 2025; the table is CNY at 2023 prices; index 2023 = 100, 2025 = 98.9.
    #   1,000,000 × 100 / 98.9 = 1,011,122.3458… CNY at 2023 prices
    #   × 0.62 kgCO2e/CNY = 626,895.8544… kg = 626.895854 t
    conversions = Conversions(indices={("CNY", 2023): Decimal(100), ("CNY", 2025): Decimal("98.9")})
    result = spend_estimate(Decimal(1_000_000), "CNY", 2025, "pcb", CNY_2023, conversions)
    assert result == Estimate(Decimal("626.895854"))


def test_reasons_when_no_estimate_can_be_made() -> None:
    amount = Decimal(1000)
    assert spend_estimate(amount, "CNY", 2025, "pcb", None, CONVERSIONS) == Estimate(None, NO_TABLE)
    assert spend_estimate(amount, "CNY", 2025, None, USD_2022, CONVERSIONS).reason == NO_SECTOR
    assert spend_estimate(amount, "CNY", 2025, "steel", USD_2022, CONVERSIONS).reason == NO_SECTOR
    no_rate = spend_estimate(amount, "CNY", 2024, "pcb", USD_2022, CONVERSIONS)
    assert no_rate == Estimate(None, NO_RATE.format(c="CNY", q="USD", y=2024))
    assert no_rate.reason is not None
    assert no_rate.reason.en == "No exchange rate for CNY to USD in 2024."
    assert no_rate.reason.zh == "缺少 2024 年 CNY 兑 USD 的汇率。"
    only_rate = Conversions(rates=CONVERSIONS.rates)
    no_index = spend_estimate(amount, "CNY", 2025, "pcb", USD_2022, only_rate)
    assert no_index.tco2e is None and no_index.reason is not None
    assert no_index.reason == NO_INDEX.format(c="USD", a=2025, b=2022)
    assert no_index.reason.en == "No price index for USD in 2025 and 2022."
    assert no_index.reason.zh == "缺少 USD 在 2025 年和 2022 年的价格指数。"


def test_the_worked_example_from_imported_data(session: Session) -> None:
    table = spend_table(session)  # USD, 2022 prices, pcb 0.25 kgCO2e/USD
    import_exchange_rates(
        session, "currency,quote_currency,year,rate\nCNY,USD,2025,0.14\n", source="Test"
    )
    import_price_indices(session, "currency,year,index\nUSD,2022,100\nUSD,2025,108\n", source="T")
    loaded = load_factor_table(session, table.id)
    result = spend_estimate(
        Decimal(1_000_000), "CNY", 2025, "pcb", loaded, load_conversions(session)
    )
    assert result == Estimate(Decimal("32.407407"))
