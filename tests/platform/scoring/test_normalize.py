"""Normalization worked examples: the linear clamp and the percentile with ties averaged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from esgx_platform.scoring.metrics import Direction
from esgx_platform.scoring.normalize import linear_clamp, percentiles

D = Decimal


@pytest.mark.parametrize(
    ("value", "worst", "best", "points"),
    [
        # Higher is better, 10 → 0 points, 60 → 100 points: 25 is (25 − 10) / 50 = 30 %.
        ("25", "10", "60", "30"),
        # Clamped at both ends.
        ("80", "10", "60", "100"),
        ("5", "10", "60", "0"),
        # Lower is better (best below worst): DQR 2.5 between 5 and 1 is (2.5 − 5) / (1 − 5)
        # = 62.5 %.
        ("2.5", "5", "1", "62.5"),
        # The path gap: 4.2 points behind, between 8.4 (0) and 0 (100), is half way.
        ("4.2", "8.4", "0", "50"),
        ("-3", "8.4", "0", "100"),
    ],
)
def test_linear_clamp(value: str, worst: str, best: str, points: str) -> None:
    assert linear_clamp(D(value), worst=D(worst), best=D(best)) == D(points)


def test_linear_clamp_refuses_an_empty_range() -> None:
    with pytest.raises(ValueError, match="differ"):
        linear_clamp(D(1), worst=D(2), best=D(2))


def test_percentile_with_ties_averaged() -> None:
    # Intensities (less is better) 100, 200, 200, 400: from the worst, 400 has rank 1, the two
    # 200s share ranks 2 and 3 (average 2.5), 100 has rank 4. Score = (rank − 1) / (n − 1)
    # × 100: 400 → 0, 200 → 1.5 / 3 × 100 = 50, 100 → 3 / 3 × 100 = 100.
    got = percentiles({"a": D(100), "b": D(200), "c": D(200), "d": D(400)}, Direction.LOWER)
    assert got == {"a": D(100), "b": D(50), "c": D(50), "d": D(0)}


def test_percentile_when_more_is_better() -> None:
    # Renewable shares 10, 20, 30: 10 is the worst (rank 1 → 0), 30 the best (rank 3 → 100).
    got = percentiles({"x": D(10), "y": D(20), "z": D(30)}, Direction.HIGHER)
    assert got == {"x": D(0), "y": D(50), "z": D(100)}


def test_percentile_of_three_with_a_tie_at_the_top() -> None:
    # 5, 5, 9 (less is better): 9 is rank 1 → 0; the 5s share ranks 2 and 3 → 2.5,
    # (2.5 − 1) / 2 × 100 = 75.
    got = percentiles({"p": D(5), "q": D(5), "r": D(9)}, Direction.LOWER)
    assert got == {"p": D(75), "q": D(75), "r": D(0)}


def test_a_lone_value_or_all_equal_is_neutral() -> None:
    assert percentiles({"only": D(7)}, Direction.LOWER) == {"only": D(50)}
    # All tied: every rank averages to (n + 1) / 2, so (n − 1) / 2 / (n − 1) × 100 = 50.
    assert percentiles({"a": D(3), "b": D(3), "c": D(3)}, Direction.HIGHER) == dict.fromkeys(
        "abc", D(50)
    )
    assert percentiles({}, Direction.HIGHER) == {}
