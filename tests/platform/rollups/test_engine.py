"""The roll-up's pure core: method choice, totals and shares, with the arithmetic written out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal as D  # noqa: N817 - the worked examples read better

from esgx_platform.rollups.engine import by_supplier, choose, roll_up
from esgx_platform.rollups.facts import DisclosureFacts, Method, PurchaseFacts, SupplierQuarter
from esgx_platform.rollups.indicators import change_pct, intensity, responsibility_extension, tier2

DEADLINE = datetime(2025, 10, 30, 23, 59, 59, tzinfo=UTC)


def facts(**overrides: object) -> DisclosureFacts:
    values: dict[str, object] = {
        "content_id": "c" * 64,
        "version": 1,
        "filed_on_time": True,
        "verification_level": "none",
        "primary_data_share": None,
        "mean_dqr": None,
        "target_status": "none",
        "electricity_mwh": D(100),
        "renewable_mwh": D(0),
        "allocated_tco2e": None,
        "footprints_linked": False,
        "tier2_reporting_pct": None,
        "tier2_targets_pct": None,
        "green_factory": None,
    }
    values.update(overrides)
    return DisclosureFacts(**values)  # type: ignore[arg-type]


def row(name: str, **overrides: object) -> SupplierQuarter:
    values: dict[str, object] = {
        "relationship_id": uuid.uuid5(uuid.NAMESPACE_URL, name),
        "supplier_id": uuid.uuid5(uuid.NAMESPACE_DNS, name),
        "supplier_en": name,
        "supplier_zh": name,
        "province": None,
        "category": 1,
        "quarter": "2025-Q3",
        "deadline": DEADLINE,
        "due": True,
        "consent": True,
        "spend": None,
        "estimate_tco2e": None,
        "estimate_note": None,
        "disclosure": None,
        "purchases": None,
        "rejected": False,
    }
    values.update(overrides)
    return SupplierQuarter(**values)  # type: ignore[arg-type]


def example() -> list[SupplierQuarter]:
    return [
        # A: its verified allocation to us, 120.5 t (hybrid), primary data 60 %, limited assurance.
        row(
            "A",
            spend=D(1_000_000),
            disclosure=facts(
                content_id="a" * 64,
                allocated_tco2e=D("120.5"),
                primary_data_share=D(60),
                verification_level="limited",
                mean_dqr=D(2),
                target_status="validated",
                renewable_mwh=D(55),
            ),
        ),
        # B: 2,000 pieces × 5.25 kgCO2e per piece / 1000 = 10.5 t from its footprint: this is
        # more specific than its 30 t allocation, so the footprint wins.
        row(
            "B",
            spend=D(500_000),
            disclosure=facts(
                content_id="b" * 64,
                allocated_tco2e=D(30),
                primary_data_share=D(80),
                mean_dqr=D(3),
                filed_on_time=False,
            ),
            purchases=PurchaseFacts(D("10.5"), ("f1",), complete=True),
        ),
        # C: no consent, so its disclosure is not ours to use: a spend-based estimate.
        row("C", spend=D(250_000), consent=False, estimate_tco2e=D("45.123456")),
        # D: nothing filed, no spend recorded: missing.
        row("D", rejected=True),
    ]


def test_method_choice_most_specific_first() -> None:
    methods = [choose(r).method for r in example()]
    assert methods == [Method.HYBRID, Method.SUPPLIER_SPECIFIC, Method.SPEND_BASED, Method.MISSING]


def test_incomplete_purchases_fall_back_to_the_allocation() -> None:
    r = row(
        "E",
        disclosure=facts(allocated_tco2e=D(7)),
        purchases=PurchaseFacts(D(1), ("f1",), complete=False),
    )
    line = choose(r)
    assert (line.method, line.tco2e) == (Method.HYBRID, D(7))


def test_no_consent_never_uses_supplier_figures_even_if_present() -> None:
    r = row("F", consent=False, disclosure=facts(allocated_tco2e=D(9)), estimate_tco2e=None)
    line = choose(r)
    assert (line.method, line.tco2e, line.content_ids) == (Method.MISSING, D(0), ())


def test_totals_shares_and_quality() -> None:
    total = roll_up("2025-Q3", example()).total.summary()
    # 120.5 + 10.5 + 45.123456 + 0 = 176.123456 t
    assert total["tco2e"] == D("176.123456")
    assert total["byMethod"] == {
        "hybrid": D("120.5"),
        "missing": D(0),
        "spend_based": D("45.123456"),
        "supplier_specific": D("10.5"),
    }
    # supplier data = 120.5 + 10.5 = 131 t; 131 × 100 / 176.123456 = 74.37964... %
    assert round(total["supplierDataPct"], 4) == D("74.3796")  # type: ignore[call-overload]
    # emission-weighted PDS = (120.5 × 60 + 10.5 × 80) / 131 = 8070 / 131 = 61.6031 %
    assert round(total["primaryDataPct"], 4) == D("61.6031")  # type: ignore[call-overload]
    # mean DQR over the two supplier-data lines: (2 + 3) / 2 = 2.5
    assert total["meanDqr"] == D("2.5")
    assert total["byAssurance"] == {
        "estimate": D("45.123456"),
        "limited": D("120.5"),
        "missing": D(0),
        "none": D("10.5"),
    }
    # spend with supplier data: 1,000,000 + 500,000 of 1,750,000 = 85.71 %
    assert round(total["coverageBySpendPct"], 2) == D("85.71")  # type: ignore[call-overload]
    assert total["contentIds"] == ["a" * 64, "b" * 64]


def test_quarters_add_up_to_the_year() -> None:
    q3 = example()
    q4 = [
        row(r.supplier_en, **{**_fields(r), "quarter": "2025-Q4", "spend": D(10)})
        for r in example()
    ]
    year = roll_up("2025", q3 + q4)
    quarters = [roll_up("2025-Q3", q3), roll_up("2025-Q4", q4)]
    assert year.total.tco2e == sum((q.total.tco2e for q in quarters), D(0))
    for category, tally in year.categories.items():
        assert tally.tco2e == sum(q.categories[category].tco2e for q in quarters)
    # 176.123456 × 2 quarters
    assert year.total.tco2e == D("352.246912")


def _fields(r: SupplierQuarter) -> dict[str, object]:
    return {k: getattr(r, k) for k in r.__dataclass_fields__ if k != "supplier_en"}


def test_responsibility_extension_shares() -> None:
    suppliers = by_supplier(roll_up("2025-Q3", example()).lines)
    shares = responsibility_extension(suppliers, renewable_threshold_pct=D(50))
    # On time: only A (B filed after the deadline; C withheld consent; D filed nothing).
    on_time = shares["onTime"]
    assert (on_time.count, on_time.of, on_time.by_count) == (1, 4, D(25))
    # by spend: 1,000,000 / 1,750,000 = 57.14 %; by emissions: 120.5 / 176.123456 = 68.42 %
    assert round(on_time.by_spend, 2) == D("57.14")  # type: ignore[arg-type]
    assert round(on_time.by_emissions, 2) == D("68.42")  # type: ignore[arg-type]
    assert shares["assured"].count == 1  # A: limited assurance
    assert shares["withTargets"].count == 1  # A: validated
    # A: 55 MWh renewable of 100 MWh = 55 % ≥ 50 %
    assert shares["renewableAboveThreshold"].count == 1
    assert shares["withFootprints"].count == 1  # B, priced from its footprint


def test_tier2_is_spend_weighted() -> None:
    rows = [
        row(
            "A", spend=D(300), disclosure=facts(tier2_reporting_pct=D(40), green_factory="national")
        ),
        row("B", spend=D(100), disclosure=facts(tier2_reporting_pct=D(80))),
    ]
    result = tier2(by_supplier(roll_up("2025-Q3", rows).lines))
    # (300 × 40 + 100 × 80) / 400 = 20,000 / 400 = 50 %
    assert result["reportingPctBySpend"] == D(50)
    assert result["targetsPctBySpend"] is None
    assert result["greenFactories"] == 1


def test_intensity_and_change() -> None:
    # 176.123456 t over 1,750,000 CNY = 100.6420 t per million
    assert round(intensity(D("176.123456"), D(1_750_000)), 4) == D("100.6420")  # type: ignore[arg-type]
    assert intensity(D(5), D(0)) is None
    # from 200 t to 176 t: (176 − 200) × 100 / 200 = −12 %
    assert change_pct(D(176), D(200)) == D(-12)
    assert change_pct(D(1), D(0)) is None
