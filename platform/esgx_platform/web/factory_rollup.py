"""Read models for the lead factory's roll-up pages: periods, quarter series, drill-down rows."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.db import utcnow
from esgx_platform.intake.models import FootprintCredential, StoredDisclosure
from esgx_platform.jobs.deadlines import overdue_quarters
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter
from esgx_platform.periods.services import list_periods
from esgx_platform.rollups.engine import (
    Line,
    SupplierPeriod,
    filed_on_time,
    roll_up,
    share,
    status_of,
)
from esgx_platform.rollups.services import RollupReport, compute_rollup, parse_period
from esgx_platform.tenancy import Purpose, TenantScope

ZERO = Decimal(0)
# The roll-up's status lists, in the order shown: what is wrong first, then who has not filed
# a quarter whose deadline has not passed yet.
STATUSES = ("notDisclosed", "late", "rejected", "noConsent", "notDue")


@dataclass(frozen=True)
class YearOption:
    year: int
    quarters: list[str]
    complete: bool


@dataclass(frozen=True)
class QuarterFigures:
    """One quarter's roll-up, as the charts need it."""

    key: str
    summary: dict[str, Any]
    categories: dict[int, Decimal]


@dataclass
class StatusEntry:
    supplier_id: uuid.UUID
    name_en: str
    name_zh: str
    quarters: list[str] = field(default_factory=list)
    # Of those quarters, the ones still without a filing after the factory's deadline.
    overdue: list[str] = field(default_factory=list)
    # Each quarter's deadline (shown beside a quarter that is not yet due).
    deadlines: dict[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class CategoryRow:
    category: int
    summary: dict[str, Any]
    share_pct: Decimal | None
    suppliers: int


@dataclass(frozen=True)
class Dashboard:
    report: RollupReport
    total: dict[str, Any]
    categories: list[CategoryRow]
    quarters: list[QuarterFigures]
    status: dict[str, list[StatusEntry]]


def year_options(session: Session, today: date) -> list[YearOption]:
    """Years with reporting periods, newest first; complete when all four quarters exist and
    the last has ended."""
    by_year: dict[int, list[ReportingPeriod]] = defaultdict(list)
    for period in list_periods(session):
        by_year[period.year].append(period)
    return [
        YearOption(
            year,
            [p.key for p in periods],
            len(periods) == 4 and periods[-1].ends_on < today,
        )
        for year, periods in sorted(by_year.items(), reverse=True)
    ]


def default_period(options: Sequence[YearOption]) -> str | None:
    """The latest complete year, else the latest year that has any quarter."""
    for option in options:
        if option.complete:
            return str(option.year)
    return str(options[0].year) if options else None


def chart_quarters(options: Sequence[YearOption], period: str) -> list[str]:
    """The quarters the charts show: a year's quarters, or for a quarter the four quarters up
    to it (those that exist)."""
    year, quarter = parse_period(period)
    existing = {q for option in options for q in option.quarters}
    if quarter is None:
        return sorted(q for q in existing if q.startswith(f"{year}-"))
    wanted = [Quarter(year, quarter)]
    while len(wanted) < 4:
        wanted.append(wanted[-1].previous())
    return [q.key for q in reversed(wanted) if q.key in existing]


def dashboard(
    session: Session, lead_factory_id: uuid.UUID, period: str, quarters: Sequence[str]
) -> Dashboard:
    """The period's roll-up (compared with a year before) and each charted quarter's own."""
    report = compute_rollup(session, lead_factory_id=lead_factory_id, period=period)
    total = report.rollup.total.summary()
    return Dashboard(
        report=report,
        total=total,
        categories=category_rows(report),
        quarters=[quarter_figures(session, lead_factory_id, q, report) for q in quarters],
        status=status_lists(report.rollup.lines, deadline_days_of(report), utcnow()),
    )


def quarter_figures(
    session: Session, lead_factory_id: uuid.UUID, key: str, report: RollupReport
) -> QuarterFigures:
    if key in report.quarters:
        # A quarter of the period shown: fold its lines again rather than query once more.
        rollup = roll_up(key, [ln.row for ln in report.rollup.lines if ln.row.quarter == key])
    else:
        rollup = compute_rollup(
            session, lead_factory_id=lead_factory_id, period=key, compare=False
        ).rollup
    return QuarterFigures(
        key, rollup.total.summary(), {c: t.tco2e for c, t in rollup.categories.items()}
    )


def category_rows(report: RollupReport) -> list[CategoryRow]:
    total = report.rollup.total.tco2e
    counts: dict[int, int] = defaultdict(int)
    for supplier in report.suppliers:
        counts[supplier.latest.row.category] += 1
    return [
        CategoryRow(category, tally.summary(), share(tally.tco2e, total), counts[category])
        for category, tally in sorted(report.rollup.categories.items())
    ]


def status_lists(
    lines: Iterable[Line], deadline_days: int, now: datetime
) -> dict[str, list[StatusEntry]]:
    """Suppliers missing, late, rejected, without consent or with a quarter not yet due, each
    with its quarters (the same rules as the roll-up report's status lists) and which of them
    are overdue."""
    found: dict[str, dict[uuid.UUID, StatusEntry]] = {key: {} for key in STATUSES}
    for line in lines:
        r = line.row
        key = status_of(r)
        if key is None:
            continue
        entry = found[key].setdefault(
            r.supplier_id, StatusEntry(r.supplier_id, r.supplier_en, r.supplier_zh)
        )
        entry.quarters.append(r.quarter)
        entry.deadlines[r.quarter] = r.deadline
    for key, entries in found.items():
        for entry in entries.values():
            entry.quarters.sort()
            entry.overdue = overdue_quarters(((q, key) for q in entry.quarters), deadline_days, now)
    return {key: sorted(v.values(), key=lambda e: e.name_en) for key, v in found.items()}


def deadline_days_of(report: RollupReport) -> int:
    """The factory's deadline (days after quarter end) the report was computed with."""
    days = report.settings["deadlineDays"]
    assert isinstance(days, int)
    return days


def overdue_in(lines: Iterable[Line], deadline_days: int, now: datetime) -> set[str]:
    """The quarters of these lines with no filing after the factory's deadline."""
    return set(
        overdue_quarters(((ln.row.quarter, status_of(ln.row)) for ln in lines), deadline_days, now)
    )


def category_suppliers(report: RollupReport, category: int) -> list[SupplierPeriod]:
    """The category's suppliers in the period, largest emissions first."""
    return [s for s in report.suppliers if s.latest.row.category == category]


def supplier_period(report: RollupReport, relationship_id: uuid.UUID) -> SupplierPeriod | None:
    return next((s for s in report.suppliers if s.relationship_id == relationship_id), None)


def methods_of(supplier: SupplierPeriod) -> list[str]:
    """The methods its quarters used, most specific first."""
    used = {str(line.method) for line in supplier.lines}
    order = ("supplier_specific", "hybrid", "spend_based", "missing")
    return [m for m in order if m in used]


def all_on_time(supplier: SupplierPeriod) -> bool | None:
    """Every quarter due so far filed on time; None without consent (the factory may not
    know) or when no quarter is due yet and none was filed early (nothing to judge)."""
    if not all(line.row.consent for line in supplier.lines):
        return None
    return filed_on_time(supplier.lines)


@dataclass(frozen=True)
class Signed:
    """A signed credential a figure rests on: a disclosure or a stand-alone footprint."""

    kind: str  # "disclosure" or "footprint"
    id: uuid.UUID


def readable_credentials(tenant: TenantScope, content_ids: Iterable[str]) -> dict[str, Signed]:
    """The disclosures and footprint credentials behind `content_ids` that the principal may
    read (the supplier's consent stands), so a page links only what their endpoints serve."""
    wanted = sorted(set(content_ids))
    if not wanted:
        return {}
    found: dict[str, Signed] = {}
    for kind, model in (("disclosure", StoredDisclosure), ("footprint", FootprintCredential)):
        stmt = select(model.content_id, model.id).where(model.content_id.in_(wanted))
        stmt = tenant.restrict(stmt, model.organization_id, Purpose.DATA)
        for content_id, row_id in tenant.session.execute(stmt):
            found[content_id] = Signed(kind, row_id)
    return found
