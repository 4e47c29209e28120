"""A lead factory's roll-up for a quarter or a year: read, fold, compare with a year before."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.errors import FieldError, InvalidInput, NotFound
from esgx_platform.factors.services import factory_settings, load_conversions, load_factor_table
from esgx_platform.factors.spend import Conversions, FactorTable
from esgx_platform.i18n import Text
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.rollups.engine import Rollup, SupplierPeriod, by_supplier, roll_up
from esgx_platform.rollups.indicators import (
    Shares,
    change_pct,
    intensity,
    responsibility_extension,
    tier2,
)
from esgx_platform.rollups.models import FactorySettings
from esgx_platform.rollups.queries import supplier_quarters

_PERIOD = re.compile(r"([0-9]{4})(?:-Q([1-4]))?")
BAD_PERIOD = Text(
    "A period is a year (2025) or a quarter (2025-Q3).", "期间应为年份（2025）或季度（2025-Q3）。"
)


@dataclass(frozen=True)
class Comparison:
    """The same period a year earlier: allocated emissions and intensity, and the change."""

    period: str
    tco2e: Decimal | None
    intensity: Decimal | None
    tco2e_change_pct: Decimal | None
    intensity_change_pct: Decimal | None


@dataclass
class RollupReport:
    lead_factory_id: uuid.UUID
    period: str
    quarters: list[str]
    rollup: Rollup
    suppliers: list[SupplierPeriod]
    indicators: dict[str, Shares]
    tier2: dict[str, object]
    intensity: Decimal | None
    previous: Comparison | None
    settings: dict[str, object] = field(default_factory=dict)


def parse_period(label: str) -> tuple[int, int | None]:
    """(year, quarter or None) from `2025` or `2025-Q3`; InvalidInput otherwise."""
    match = _PERIOD.fullmatch(label.strip())
    if not match:
        raise InvalidInput(BAD_PERIOD, errors=(FieldError("period", BAD_PERIOD),))
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


def periods_for(session: Session, label: str) -> list[ReportingPeriod]:
    """The reporting periods a label covers (a year: those of its quarters that exist)."""
    year, quarter = parse_period(label)
    stmt = select(ReportingPeriod).where(ReportingPeriod.year == year)
    if quarter is not None:
        stmt = stmt.where(ReportingPeriod.quarter == quarter)
    return list(session.scalars(stmt.order_by(ReportingPeriod.quarter)))


def year_before(label: str) -> str:
    year, quarter = parse_period(label)
    return f"{year - 1}" if quarter is None else f"{year - 1}-Q{quarter}"


def compute_rollup(
    session: Session,
    *,
    lead_factory_id: uuid.UUID,
    period: str,
    compare: bool = True,
) -> RollupReport:
    """The roll-up of `period` for the lead factory with its indicators and, with `compare`,
    the same quarters a year earlier; NotFound when no quarter of the period exists."""
    periods = periods_for(session, period)
    if not periods:
        raise NotFound(Text("No reporting period {p}.", "没有报告期 {p}。").format(p=period))
    basis = Basis.load(session, lead_factory_id)
    settings, table = basis.settings, basis.table
    result = fold(session, lead_factory_id, period, periods, basis)
    suppliers = by_supplier(result.lines)
    own_intensity = intensity(result.total.tco2e, result.total.spend)
    return RollupReport(
        lead_factory_id=lead_factory_id,
        period=period,
        quarters=[p.key for p in periods],
        rollup=result,
        suppliers=suppliers,
        indicators=responsibility_extension(
            suppliers, renewable_threshold_pct=settings.renewable_threshold_pct
        ),
        tier2=tier2(suppliers),
        intensity=own_intensity,
        previous=_compare(session, lead_factory_id, periods, result, own_intensity, basis)
        if compare
        else None,
        settings={
            "deadlineDays": settings.deadline_days,
            "renewableThresholdPct": settings.renewable_threshold_pct,
            "reportingCurrency": settings.reporting_currency,
            "spendFactorTable": table.label if table else None,
            "spendFactorsIllustrative": table.illustrative if table else None,
        },
    )


@dataclass(frozen=True)
class Basis:
    """What a roll-up is computed with, read once per roll-up (and reused for the year before):
    the factory's settings, its spend-factor table, the rates and price indices."""

    settings: FactorySettings
    table: FactorTable | None
    conversions: Conversions

    @classmethod
    def load(cls, session: Session, lead_factory_id: uuid.UUID) -> Basis:
        settings = factory_settings(session, lead_factory_id)
        table = load_factor_table(session, settings.spend_factor_table_id)
        return cls(settings, table, load_conversions(session))


def fold(
    session: Session,
    lead_factory_id: uuid.UUID,
    label: str,
    periods: list[ReportingPeriod],
    basis: Basis | None = None,
) -> Rollup:
    """Read and fold the periods' supplier-quarters (no indicators, no comparison)."""
    basis = basis or Basis.load(session, lead_factory_id)
    rows = supplier_quarters(
        session,
        lead_factory_id=lead_factory_id,
        periods=periods,
        deadline_days=basis.settings.deadline_days,
        reporting_currency=basis.settings.reporting_currency,
        table=basis.table,
        conversions=basis.conversions,
    )
    return roll_up(label, rows)


def _compare(
    session: Session,
    lead_factory_id: uuid.UUID,
    periods: list[ReportingPeriod],
    result: Rollup,
    own_intensity: Decimal | None,
    basis: Basis,
) -> Comparison | None:
    """The same quarters a year earlier; None unless every one of them exists (a year of four
    quarters against one of a single quarter would say nothing)."""
    label = year_before(result.period)
    wanted = {p.quarter for p in periods}
    earlier = [p for p in periods_for(session, label) if p.quarter in wanted]
    if len(earlier) < len(wanted):
        return None
    before = fold(session, lead_factory_id, label, earlier, basis)
    before_intensity = intensity(before.total.tco2e, before.total.spend)
    return Comparison(
        period=label,
        tco2e=before.total.tco2e,
        intensity=before_intensity,
        tco2e_change_pct=change_pct(result.total.tco2e, before.total.tco2e),
        intensity_change_pct=change_pct(own_intensity, before_intensity),
    )
