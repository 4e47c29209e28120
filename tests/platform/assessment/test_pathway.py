"""SBTi linear pathway: yearly values, on-track test, progress and chart series."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from esgx_platform.assessment.pathway import (
    on_track,
    path_value,
    pathway,
    pathway_status,
    progress_pct,
)

D = Decimal


def test_path_value_worked_example() -> None:
    # 1000 t in 2020 at 4.2 %/year: 2025 → 1000 × (1 − 0.042 × 5) = 1000 × 0.79 = 790
    assert path_value(base_tco2e=D(1000), base_year=2020, year=2025) == D(790)
    assert path_value(base_tco2e=D(1000), base_year=2020, year=2020) == D(1000)
    # A custom rate: 7 % a year for 3 years → 1000 × (1 − 0.21) = 790 as well
    assert path_value(base_tco2e=D(1000), base_year=2020, year=2023, rate=D("0.07")) == D(790)


def test_path_never_goes_below_zero() -> None:
    # 2044: 1000 × (1 − 0.042 × 24) = 1000 × −0.008 = −8 → 0
    assert path_value(base_tco2e=D(1000), base_year=2020, year=2044) == D(0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"year": 2019}, "before the base year"),
        ({"base_tco2e": D(-1)}, "must not be negative"),
        ({"rate": D(0)}, "rate must be above 0"),
        ({"rate": D("1.5")}, "at most 1"),
    ],
)
def test_path_value_refuses_bad_input(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"base_tco2e": D(1000), "base_year": 2020, "year": 2025}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        path_value(**arguments)


def test_series_for_charting() -> None:
    points = pathway(base_tco2e=D(1000), base_year=2020, target_year=2030)
    assert [p.year for p in points] == list(range(2020, 2031))
    # 42 t a year: 1000, 958, 916, … , 2030 → 1000 × (1 − 0.42) = 580
    assert [p.target_tco2e for p in points[:3]] == [D(1000), D(958), D(916)]
    assert points[-1].target_tco2e == D(580)
    with pytest.raises(ValueError, match="before the base year"):
        pathway(base_tco2e=D(1000), base_year=2020, target_year=2019)


@pytest.mark.parametrize(
    ("emissions", "expected"), [("780", True), ("790", True), ("790.01", False)]
)
def test_on_track_means_at_or_below_the_path(emissions: str, expected: bool) -> None:
    assert on_track(emissions_tco2e=D(emissions), path_tco2e=D(790)) is expected


def test_progress_worked_examples() -> None:
    # (1000 − 790) / (1000 − 500) × 100 = 210 / 500 × 100 = 42
    assert progress_pct(base_tco2e=D(1000), emissions_tco2e=D(790), target_tco2e=D(500)) == 42
    # emissions grew to 1100: (1000 − 1100) / 500 × 100 = −20
    assert progress_pct(base_tco2e=D(1000), emissions_tco2e=D(1100), target_tco2e=D(500)) == -20
    # target already beaten: (1000 − 400) / 500 × 100 = 120
    assert progress_pct(base_tco2e=D(1000), emissions_tco2e=D(400), target_tco2e=D(500)) == 120


def test_progress_without_a_planned_reduction_is_none() -> None:
    assert progress_pct(base_tco2e=D(1000), emissions_tco2e=D(900), target_tco2e=D(1000)) is None


def test_status_defaults_the_target_to_the_path_in_the_target_year() -> None:
    status = pathway_status(
        base_tco2e=D(1000), base_year=2020, year=2025, emissions_tco2e=D(790), target_year=2030
    )
    # target 2030 = 580; progress = (1000 − 790) / (1000 − 580) × 100 = 210 / 420 × 100 = 50
    assert status.path_tco2e == D(790)
    assert status.target_tco2e == D(580)
    assert status.on_track
    assert status.progress_pct == D(50)
    assert status.metrics() == {"sbti_on_track": D(1), "sbti_progress_pct": D(50)}


def test_status_with_the_company_target() -> None:
    status = pathway_status(
        base_tco2e=D(1000),
        base_year=2020,
        year=2025,
        emissions_tco2e=D(800),
        target_year=2030,
        target_tco2e=D(500),  # −50 % by 2030
    )
    # path 790 < 800: off track; progress (1000 − 800) / (1000 − 500) × 100 = 40
    assert not status.on_track
    assert status.progress_pct == D(40)
    assert status.metrics()["sbti_on_track"] == D(0)
