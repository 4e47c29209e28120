"""Pricing purchases with product footprints: which footprint fits which quarter."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from esgx_platform.rollups.purchases import Footprint, Purchase, price

URN = "urn:esgx:product:battery-pack"
Q2_END = datetime(2025, 7, 1, tzinfo=UTC)  # PACT reference periods end exclusively


def footprint(ident: str, kg: str, ends: datetime | None, created: str = "2025-01-01") -> Footprint:
    return Footprint(
        id=ident,
        product_ids=frozenset({URN}),
        declared_unit="piece",
        kgco2e_per_unit=Decimal(kg),
        created=created,
        reference_end=ends,
    )


Q1 = footprint("q1", "10", datetime(2025, 4, 1, tzinfo=UTC))
Q2 = footprint("q2", "12", Q2_END)
Q3 = footprint("q3", "14", datetime(2025, 10, 1, tzinfo=UTC), created="2025-10-05")


def test_the_footprint_of_the_purchase_quarter_prices_it() -> None:
    # 1,000 pieces × 12 kgCO2e / 1000 = 12 t, from Q2's footprint, not the newer Q3 one.
    facts = price([Purchase(URN, Decimal(1000), "piece")], [Q1, Q2, Q3], Q2_END)
    assert (facts.tco2e, facts.footprint_ids, facts.complete) == (Decimal(12), ("q2",), True)


def test_an_earlier_footprint_serves_when_none_ends_in_the_quarter() -> None:
    # Only Q1 ended by Q2's end: 1,000 × 10 / 1000 = 10 t.
    facts = price([Purchase(URN, Decimal(1000), "piece")], [Q1, Q3], Q2_END)
    assert (facts.tco2e, facts.footprint_ids) == (Decimal(10), ("q1",))


def test_a_later_footprint_serves_when_no_earlier_one_exists() -> None:
    # Only Q3 exists: the supplier's own figure still beats an estimate: 1,000 × 14 / 1000.
    facts = price([Purchase(URN, Decimal(1000), "piece")], [Q3], Q2_END)
    assert (facts.tco2e, facts.footprint_ids) == (Decimal(14), ("q3",))


def test_another_unit_is_not_a_match() -> None:
    facts = price([Purchase(URN, Decimal(5), "kilogram")], [Q1, Q2], Q2_END)
    assert (facts.tco2e, facts.complete) == (Decimal(0), False)
