"""SBTi linear absolute-reduction pathway: yearly targets, on-track test, progress, chart points."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
# The 1.5 °C-aligned minimum for Scope 1+2: 4.2 % of base-year emissions a year, linear.
DEFAULT_RATE = Decimal("0.042")


@dataclass(frozen=True)
class PathPoint:
    year: int
    target_tco2e: Decimal


@dataclass(frozen=True)
class PathwayStatus:
    year: int
    emissions_tco2e: Decimal
    path_tco2e: Decimal  # the pathway's value for `year`
    target_tco2e: Decimal  # the emissions aimed at in the target year
    on_track: bool
    progress_pct: Decimal | None  # None when the target asks for no reduction

    def metrics(self) -> dict[str, Decimal | None]:
        """The assessment metrics this status provides, by their registry names."""
        return {
            "sbti_on_track": ONE if self.on_track else ZERO,
            "sbti_progress_pct": self.progress_pct,
        }


def path_value(
    *, base_tco2e: Decimal, base_year: int, year: int, rate: Decimal = DEFAULT_RATE
) -> Decimal:
    """T_y = E_base × (1 − r × (y − y_base)), floored at 0 (a path cannot go below zero
    emissions). Raises ValueError for a year before the base year, negative base emissions or
    a rate outside (0, 1]."""
    _check(base_tco2e, rate)
    if year < base_year:
        raise ValueError(f"year {year} is before the base year {base_year}")
    return max(base_tco2e * (ONE - rate * (year - base_year)), ZERO)


def on_track(*, emissions_tco2e: Decimal, path_tco2e: Decimal) -> bool:
    """On track when the year's emissions are at or below the pathway's value."""
    return emissions_tco2e <= path_tco2e


def progress_pct(
    *, base_tco2e: Decimal, emissions_tco2e: Decimal, target_tco2e: Decimal
) -> Decimal | None:
    """(E_base − E_y) / (E_base − E_target) × 100: negative when emissions grew, above 100 when
    the target is beaten; None when the target equals the base (no reduction to measure)."""
    planned = base_tco2e - target_tco2e
    if planned == 0:
        return None
    return (base_tco2e - emissions_tco2e) / planned * HUNDRED


def pathway(
    *, base_tco2e: Decimal, base_year: int, target_year: int, rate: Decimal = DEFAULT_RATE
) -> tuple[PathPoint, ...]:
    """The path's value for every year from the base year to the target year, both included,
    for charting. Raises ValueError as `path_value` does, or for a target before the base."""
    if target_year < base_year:
        raise ValueError(f"target year {target_year} is before the base year {base_year}")
    return tuple(
        PathPoint(y, path_value(base_tco2e=base_tco2e, base_year=base_year, year=y, rate=rate))
        for y in range(base_year, target_year + 1)
    )


def pathway_status(
    *,
    base_tco2e: Decimal,
    base_year: int,
    year: int,
    emissions_tco2e: Decimal,
    target_year: int,
    target_tco2e: Decimal | None = None,
    rate: Decimal = DEFAULT_RATE,
) -> PathwayStatus:
    """Where `emissions_tco2e` in `year` stands against the path; progress is measured
    towards `target_tco2e` (the company's own target) or, by default, the path's value in the
    target year. Raises ValueError as `pathway` does."""
    if target_year < base_year:
        raise ValueError(f"target year {target_year} is before the base year {base_year}")
    path = path_value(base_tco2e=base_tco2e, base_year=base_year, year=year, rate=rate)
    if target_tco2e is None:
        target_tco2e = path_value(
            base_tco2e=base_tco2e, base_year=base_year, year=target_year, rate=rate
        )
    return PathwayStatus(
        year=year,
        emissions_tco2e=emissions_tco2e,
        path_tco2e=path,
        target_tco2e=target_tco2e,
        on_track=on_track(emissions_tco2e=emissions_tco2e, path_tco2e=path),
        progress_pct=progress_pct(
            base_tco2e=base_tco2e, emissions_tco2e=emissions_tco2e, target_tco2e=target_tco2e
        ),
    )


def _check(base_tco2e: Decimal, rate: Decimal) -> None:
    if base_tco2e < 0:
        raise ValueError("base-year emissions must not be negative")
    if not ZERO < rate <= ONE:
        raise ValueError("the annual reduction rate must be above 0 and at most 1")
