"""Each metric's value, worked by hand from plain facts (Scope 1 + market-based Scope 2)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from esgx_platform.scoring.facts import Earlier, QuarterFacts, Rating
from esgx_platform.scoring.values import VALUES, Context, Value
from tests.platform.scoring.support import figures, ok, supplier

D = Decimal
CTX = Context(year=2025, currency="CNY", deadline_days=30)


def value(metric: str, *quarters: QuarterFacts, **kwargs: Any) -> Value:
    return VALUES[metric](supplier("S", *quarters, **kwargs), CTX)


def test_intensity_per_revenue() -> None:
    # Q1: 80 + 20 = 100 t on 1,000,000 CNY; Q2: 150 + 50 = 200 t on 3,000,000 CNY.
    # (100 + 200) t × 1,000,000 / 4,000,000 CNY = 75.00 t per million.
    v = value(
        "intensityRevenue",
        ok("2025-Q1"),
        ok("2025-Q2", scope1="150", scope2_market="50", revenue="3000000"),
    )
    assert v.value == D("75.00")
    assert "75.00 tCO2e per million" in v.detail.en and "每百万 75.00 tCO2e" in v.detail.zh


def test_intensity_per_revenue_needs_an_exchange_rate() -> None:
    v = value("intensityRevenue", ok(revenue_currency="USD", revenue=None))
    assert v.value is None
    assert v.detail.en == "no exchange rate from USD to CNY for 2025"


def test_intensity_per_unit_uses_the_latest_unit() -> None:
    # Q1 in pieces (ignored), Q2 100 t over 4,000 kilograms = 0.025000 t per kilogram.
    v = value(
        "intensityUnit", ok("2025-Q1"), ok("2025-Q2", output_amount="4000", output_unit="kilogram")
    )
    assert (v.value, v.group) == (D("0.025000"), "kilogram")


def test_year_on_year_change_of_intensity() -> None:
    # 2025-Q1: 100 t / 1,000,000 = 100 per million; 2024-Q1: 125 t / 1,000,000 = 125.
    # (100 − 125) / 125 × 100 = −20.00 %. 2025-Q2 has no 2024-Q2 and is left out of both.
    earlier = (Earlier("2024-Q1", "e1", D(125), D(1_000_000)),)
    v = value("yoyChange", ok("2025-Q1"), ok("2025-Q2", scope1="900"), earlier=earlier)
    assert v.value == D("-20.00")
    assert "over 1 quarter(s)" in v.detail.en


def test_year_on_year_without_an_earlier_year() -> None:
    assert value("yoyChange", ok()).value is None


def test_gap_to_the_path_from_the_earliest_complete_year() -> None:
    # Base: 2023 (the earliest year with Q1): 200 t. Path in 2025: 200 × (1 − 0.042 × 2) =
    # 183.2. Now 100 t: (100 − 183.2) / 200 × 100 = −41.60 points (well ahead of the path).
    earlier = (
        Earlier("2023-Q1", "e0", D(200), D(1_000_000)),
        Earlier("2024-Q1", "e1", D(125), D(1_000_000)),
    )
    v = value("pathGap", ok(), earlier=earlier)
    assert v.value == D("-41.60")
    # Base 2024 at 100 t: path 95.8; (100 − 95.8) / 100 × 100 = 4.20 points behind.
    v = value("pathGap", ok(), earlier=(Earlier("2024-Q1", "e1", D(100), None),))
    assert v.value == D("4.20")
    assert "path value of 95.80 (base 100 in 2024" in v.detail.en


def test_levels_and_shares() -> None:
    assert value("targetStatus", ok(target_status="validated")).value == D(2)
    assert value("targetStatus", ok(target_status="validated")).label == "validated"
    assert value("assurance", ok(verification="limited")).value == D(1)
    # 30 of 120 MWh renewable: 25.00 %.
    v = value("renewableShare", ok(electricity_mwh="120", renewable_mwh="30"))
    assert v.value == D("25.00")


def test_state_like_metrics_read_the_latest_quarter() -> None:
    v = value(
        "targetStatus",
        ok("2025-Q1", target_status="netZero"),
        ok("2025-Q2", target_status="committed"),
    )
    assert (v.value, v.label) == (D(1), "committed")


def test_primary_data_share_is_emission_weighted() -> None:
    # Q1: 100 t at 60 %; Q2: 300 t at 80 %. (100 × 60 + 300 × 80) / 400 = 75.00 %.
    v = value(
        "primaryDataShare",
        ok("2025-Q1"),
        ok("2025-Q2", scope1="280", primary_data_share="80"),
    )
    assert v.value == D("75.00")


def test_mean_dqr() -> None:
    # The quarters' mean ratings 2.0 and 3.0: 2.50.
    v = value("meanDqr", ok("2025-Q1"), ok("2025-Q2", mean_dqr="3.0"))
    assert v.value == D("2.50")


def test_timeliness_and_completeness() -> None:
    quarters = (
        ok(
            "2025-Q1",
            sections=(
                "scope3",
                "dataQuality",
                "targets",
                "productFootprints",
                "supplyChainEngagement",
            ),
        ),
        QuarterFacts("2025-Q2", "late", figures("q2", sections=("scope3", "targets"))),
        QuarterFacts("2025-Q3", "notDisclosed", None),
        ok("2025-Q4"),
    )
    # On time: Q1 and Q4 of 4 quarters = 50.00 %.
    assert value("timeliness", *quarters).value == D("50.00")
    # Quarters disclosed 3 of 4 = 75 %; sections 5 + 2 + 0 of 3 × 5 = 7 / 15 = 46.67 %;
    # the mean: (75 + 46.666…) / 2 = 60.83 %.
    v = value("completeness", *quarters)
    assert v.value == D("60.83")
    assert "Quarters disclosed 75.00 % (3 of 4)" in v.detail.en


def test_offset_quality() -> None:
    # 40 of 100 t claimed qualify: 40.00 %.
    v = value("offsetQuality", ok(offsets_tco2e="100", qualifying_offsets_tco2e="40"))
    assert v.value == D("40.00")
    # Claiming none is not marked down.
    v = value("offsetQuality", ok())
    assert v.value == D("100.00") and v.detail.en.startswith("No offsets claimed")


def test_external_ratings() -> None:
    rating = Rating(uuid.uuid4(), "B", "gold", "2025-06-01T00:00:00+00:00")
    # CDP D- 0, D 1, C- 2, C 3, B- 4, B 5, A- 6, A 7; EcoVadis none 0 … gold 3, platinum 4.
    assert value("cdpScore", rating=rating).value == D(5)
    assert value("ecovadisMedal", rating=rating).value == D(3)
    unrated = value("cdpScore")
    assert unrated.value is None and unrated.detail.en == "not rated by procurement"


def test_no_consent_means_no_values() -> None:
    quarters = (QuarterFacts("2025-Q1", "noConsent", None),)
    for metric in ("intensityRevenue", "renewableShare", "targetStatus", "offsetQuality"):
        v = value(metric, *quarters)
        assert v.value is None
        assert v.detail.en.startswith("no data-sharing consent")
    # Timeliness and completeness have a value all the same: 0 %.
    assert value("timeliness", *quarters).value == D("0.00")
    assert value("completeness", *quarters).value == D("0.00")
