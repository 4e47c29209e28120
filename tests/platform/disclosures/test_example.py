"""The worked example of docs/disclosure-model.md parses, adds up and passes every rule."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from esgx_platform.disclosures.figures import upstream_scope3
from esgx_platform.disclosures.model import AllocationBasis, GasUnit, GwpSet, InstrumentType
from esgx_platform.disclosures.rules import (
    allocable_tco2e,
    check_rules,
    expected_allocation,
    intensity_per_cny_million,
    scope12_total,
    validate_disclosure,
)
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.periods.quarters import Quarter
from tests.platform.disclosures.support import (
    CUSTOMER,
    FOOTPRINT_ID,
    example_context,
    example_subject,
)

CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def test_example_parses_to_typed_decimals() -> None:
    d = parse_disclosure(example_subject())
    assert d.period == Quarter(2025, 3)
    assert d.gwp_set is GwpSet.AR6
    assert d.scope1.tco2e == Decimal("812.40")
    assert str(d.scope1.tco2e) == "812.40"  # the written precision is kept
    assert d.scope1.by_gas_unit is GasUnit.CO2E
    assert [g.gas for g in d.scope1.by_gas] == ["CO2", "CH4", "N2O"]
    assert d.energy.renewable_instruments[0].type is InstrumentType.GEC
    assert d.energy.renewable_instruments[1].certificate_ids == ()
    allocation = d.allocations[0]
    assert allocation.customer == CUSTOMER
    assert allocation.basis is AllocationBasis.ECONOMIC
    assert allocation.product_footprint_ids == (FOOTPRINT_ID,)
    assert d.offsets[0].retired_on == date(2025, 9, 30)
    assert d.supply_chain_engagement is not None
    assert d.supply_chain_engagement.take_back is True
    assert d.product_footprints == ()
    assert d.restates is None
    hash(d)  # frozen all the way down: tuples, Decimals, enums and dates only


def test_example_arithmetic() -> None:
    d = parse_disclosure(example_subject())
    # Location-based Scope 2 = 4994.70 MWh x 0.5306 (China 2023 national average).
    # 4994.70 x 0.5306 = 2650.18782, which rounds to 2650.19: the document's 2650.20 is one cent
    # off. The platform does not recompute Scope 2 from grid factors, so it checks nothing here;
    # the test records the difference instead of hiding it.
    location = Decimal("4994.70") * Decimal("0.5306")
    assert location == Decimal("2650.18782")
    assert _cents(location) == Decimal("2650.19")
    assert d.scope2.location_based_tco2e - _cents(location) == CENT
    # Market-based = (4994.70 - 1250.00) MWh x 0.6096 (2023 residual factor) = 2282.77.
    market = (d.energy.electricity_mwh - d.energy.renewable_electricity_mwh) * Decimal("0.6096")
    assert market == Decimal("2282.769120")
    assert _cents(market) == d.scope2.market_based_tco2e == Decimal("2282.77")
    # By gas (CO2e): 790.10 + 4.30 + 18.00 = 812.40. Instruments: 1000.00 + 250.00 = 1250.00.
    assert sum(g.amount for g in d.scope1.by_gas) == d.scope1.tco2e
    assert sum(i.mwh for i in d.energy.renewable_instruments) == Decimal("1250.00")
    # Allocable = 812.40 + 2282.77 + 15230.00 + 420.50 = 18745.67 (categories 1 and 4 upstream).
    assert upstream_scope3(d) == Decimal("15650.50")
    assert scope12_total(d) == Decimal("3095.17")
    assert allocable_tco2e(d) == Decimal("18745.67")
    # Share by revenue = 21,625,000 / 86,500,000 = 0.25; 18745.67 x 0.25 = 4686.4175 -> 4686.42.
    allocation = d.allocations[0]
    assert allocation.customer_quantity / allocation.total_quantity == Decimal("0.25")
    assert expected_allocation(d, allocation) == Decimal("4686.4175")
    assert _cents(expected_allocation(d, allocation)) == allocation.allocated_tco2e
    # Intensity: 3095.17 t / 86.5 CNY million = 35.78 tCO2e per CNY million.
    intensity = intensity_per_cny_million(d)
    assert intensity is not None
    assert _cents(intensity) == Decimal("35.78")


def test_example_passes_every_rule_without_warnings() -> None:
    outcome = check_rules(parse_disclosure(example_subject()), example_context())
    assert outcome.errors == ()
    assert outcome.warnings == ()
    assert outcome.accepted


def test_validate_disclosure_returns_the_disclosure() -> None:
    checked = validate_disclosure(example_subject(), example_context())
    assert checked.disclosure.period.key == "2025-Q3"
    assert checked.warnings == ()
