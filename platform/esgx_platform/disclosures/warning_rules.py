"""Warnings about a disclosure: stored and shown to reviewers, never a reason to reject it.

Decisions:
- Year-on-year compares `scope12_total` (market-based Scope 2) with the same quarter last year;
  a change of more than 30 % either way warns, as does any emission after a zero last year.
- Intensity is `intensity_per_cny_million`; other currencies are skipped, not converted. "Outside
  the IQR x 3" is read as Tukey's far-out fences: below Q1 - 3 x IQR or above Q3 + 3 x IQR.
- Scope 2 methods "differ" beyond the rounding of the two figures.
- Data-quality ratings worse than 3 warn for the disclosure's own and each product footprint's.
- A verification statement is stale when dated more than 18 months before the end of the
  disclosed quarter, not before today: the warning then belongs to the document and stays the
  same whenever it is re-checked, and a statement made after the quarter (usual) never warns.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from esgx_platform.disclosures import rule_messages as msg
from esgx_platform.disclosures.figures import (
    intensity_per_cny_million,
    rounding_slack,
    scope12_total,
    shown,
)
from esgx_platform.disclosures.loading import path
from esgx_platform.disclosures.model import Disclosure, VerificationLevel
from esgx_platform.errors import FieldError
from esgx_platform.i18n import Text

if TYPE_CHECKING:
    from esgx_platform.disclosures.rules import RuleContext

YOY_THRESHOLD = Decimal("0.30")
FENCE = Decimal(3)
WORST_ACCEPTABLE_DQR = Decimal(3)
STALE_AFTER_MONTHS = 18
_DQRS = (
    ("technologicalDQR", "technological_dqr"),
    ("geographicalDQR", "geographical_dqr"),
    ("temporalDQR", "temporal_dqr"),
)


def _year_on_year(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    prior = context.previous_year
    if prior is None:
        return
    now, before = scope12_total(d), prior.scope12_tco2e
    if before <= 0:
        if now > 0:
            yield FieldError(path(), msg.YOY_FROM_ZERO.format(now=now))
        return
    change = (now - before) / before
    if abs(change) <= YOY_THRESHOLD:
        return
    note = _intensity_note(d, prior.intensity_per_cny_million)
    figures = {"change": shown(change * 100, 1), "before": before, "now": now}
    yield FieldError(
        path(),
        Text(
            msg.YOY_CHANGE.en.format(**figures, intensity=note.en),
            msg.YOY_CHANGE.zh.format(**figures, intensity=note.zh),
        ),
    )


def _intensity_note(d: Disclosure, before: Decimal | None) -> Text:
    """How intensity moved, so a reviewer sees at once whether growth explains the change."""
    now = intensity_per_cny_million(d)
    if now is None or before is None or before <= 0:
        return Text("", "")
    return msg.YOY_INTENSITY.format(change=shown((now - before) / before * 100, 1))


def _intensity_outlier(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    value = intensity_per_cny_million(d)
    if value is None or context.category_intensity_iqr is None:
        return
    q1, q3 = context.category_intensity_iqr
    low, high = q1 - FENCE * (q3 - q1), q3 + FENCE * (q3 - q1)
    if low <= value <= high:
        return
    yield FieldError(
        path(),
        msg.INTENSITY_OUTLIER.format(value=shown(value), low=shown(low), high=shown(high)),
    )


def _scope2_methods(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    location, market = d.scope2.location_based_tco2e, d.scope2.market_based_tco2e
    if d.energy.renewable_instruments:
        return
    if abs(location - market) > rounding_slack(location, market):
        yield FieldError(path("scope2", "marketBasedTco2e"), msg.SCOPE2_WITHOUT_INSTRUMENTS)


def _data_quality(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    sections: list[tuple[tuple[str | int, ...], object | None]] = [
        (("dataQuality",), d.data_quality),
        *(
            (("productFootprints", i, "pcf", "dqi"), footprint.pcf.dqi)
            for i, footprint in enumerate(d.product_footprints)
        ),
    ]
    for steps, ratings in sections:
        if ratings is None:
            continue
        for wire, attribute in _DQRS:
            value: Decimal | None = getattr(ratings, attribute)
            if value is not None and value > WORST_ACCEPTABLE_DQR:
                yield FieldError(path(*steps, wire), msg.POOR_DQR.format(value=value))


def _stale_verification(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    verification = d.verification
    if verification is None or verification.level is VerificationLevel.NONE:
        return
    statement = verification.statement_date
    end = d.period.ends_on
    if statement is not None and statement < months_before(end, STALE_AFTER_MONTHS):
        yield FieldError(
            path("verification", "statementDate"), msg.STALE_VERIFICATION.format(end=end)
        )


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier, clamped to that month's last day."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


WARNING_CHECKS: tuple[Callable[[Disclosure, RuleContext], Iterator[FieldError]], ...] = (
    _year_on_year,
    _intensity_outlier,
    _scope2_methods,
    _data_quality,
    _stale_verification,
)
