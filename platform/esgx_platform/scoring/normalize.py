"""Turning metric values into 0–100 points: a linear clamp, or a percentile with ties averaged."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import TypeVar

from esgx_platform.scoring.metrics import Direction

K = TypeVar("K", bound=Hashable)
ZERO = Decimal(0)
HUNDRED = Decimal(100)
NEUTRAL = Decimal(50)


def linear_clamp(value: Decimal, *, worst: Decimal, best: Decimal) -> Decimal:
    """100 × (value − worst) / (best − worst), clamped to 0–100; works either way round
    (best below worst when less is better). Raises ValueError when worst equals best."""
    if worst == best:
        raise ValueError("worst and best must differ")
    raw = (value - worst) * HUNDRED / (best - worst)
    return min(max(raw, ZERO), HUNDRED)


def percentiles(values: Mapping[K, Decimal], direction: Direction) -> dict[K, Decimal]:
    """Each key's percentile among `values`, 0 (worst) to 100 (best).

    Ranks count from the worst (1) to the best (n); tied values share the average of the ranks
    they span; the score is (rank − 1) / (n − 1) × 100. A single value, or all values equal,
    scores a neutral 50: there is nothing to be better or worse than.
    """
    n = len(values)
    if n == 0:
        return {}
    if n == 1:
        return dict.fromkeys(values, NEUTRAL)
    # Worst first: the highest value when less is better, the lowest when more is better.
    ordered = sorted(values.values(), reverse=direction is Direction.LOWER)
    counts = Counter(ordered)
    first: dict[Decimal, int] = {}
    for index, value in enumerate(ordered):
        first.setdefault(value, index + 1)
    # The average of ranks first .. first + count − 1.
    mid = {v: Decimal(first[v]) + Decimal(counts[v] - 1) / 2 for v in counts}
    return {k: (mid[v] - 1) * HUNDRED / (n - 1) for k, v in values.items()}
