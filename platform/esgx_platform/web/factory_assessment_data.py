"""Read models for the assessment pages: indicator values, the SBTi pathway, the report facts."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from esgx_platform.assessment.metrics import METRICS
from esgx_platform.assessment.own_operations import own_quarters
from esgx_platform.assessment.pathway import pathway
from esgx_platform.assessment.records import AssessmentSnapshot, Finding, ImprovementAction
from esgx_platform.i18n import Text
from esgx_platform.rollups.services import periods_for
from esgx_platform.web.factory_format import DASH, number
from esgx_platform.web.i18n import current_locale

HUNDRED = Decimal(100)
YES, NO = Text("yes", "是"), Text("no", "否")


@dataclass(frozen=True)
class PathwayRow:
    year: int
    path_tco2e: Decimal
    actual_tco2e: Decimal | None
    source: str  # "base" (the target's stated base), "snapshot", "filings" or "" (none yet)


@dataclass(frozen=True)
class Pathway:
    rows: list[PathwayRow]
    target_year: int
    target_tco2e: Decimal
    status: Mapping[str, Any]


def _dec(value: object) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def metric_value(metric: str, value: object) -> str:
    """An indicator's observed value with its unit, as a person reads it."""
    amount = _dec(value)
    if amount is None:
        return DASH
    unit = METRICS[metric].unit if metric in METRICS else ""
    if unit == "flag":
        return (YES if amount else NO).render(current_locale())
    if unit == "level":
        return number(amount, 0)
    if unit == "%":
        return f"{number(amount)}%"
    return f"{number(amount)} {unit}".strip()


def metric_unit(metric: str) -> str:
    return METRICS[metric].unit if metric in METRICS else ""


def own_pathway(
    session: Session, organization_id: uuid.UUID, result: Mapping[str, Any]
) -> Pathway | None:
    """The linear path from the base year to the target year with the actual Scope 1+2 of each
    year: the stated base for the base year, the snapshot's own quarters for the assessed year,
    and the complete years in between as currently filed. None without a Scope 1+2 target."""
    stated = result.get("pathway")
    if not stated:
        return None
    base_year, target_year, year = stated["baseYear"], stated["targetYear"], stated["year"]
    base = Decimal(stated["baseTco2e"])
    points = pathway(base_tco2e=base, base_year=base_year, target_year=max(target_year, year))
    actual: dict[int, tuple[Decimal, str]] = {base_year: (base, "base")}
    for between in range(base_year + 1, year):
        quarters = own_quarters(session, organization_id, periods_for(session, str(between)))
        if len(quarters) == 4:
            actual[between] = (sum((q.scope12_market for q in quarters), Decimal(0)), "filings")
    own = result.get("ownQuarters") or []
    if len(own) == 4:
        actual[year] = (sum((Decimal(q["scope12Tco2e"]) for q in own), Decimal(0)), "snapshot")
    rows = [PathwayRow(p.year, p.target_tco2e, *actual.get(p.year, (None, ""))) for p in points]
    target = base * (HUNDRED - Decimal(stated["reductionPct"])) / HUNDRED
    return Pathway(rows, target_year, target, stated)


def actions_by_finding(
    findings: list[Finding], actions: list[ImprovementAction]
) -> dict[uuid.UUID, list[ImprovementAction]]:
    wanted = {f.id for f in findings}
    found: dict[uuid.UUID, list[ImprovementAction]] = {}
    for action in actions:
        if action.finding_id in wanted and action.finding_id is not None:
            found.setdefault(action.finding_id, []).append(action)
    return found


def input_count(snapshot: AssessmentSnapshot) -> int:
    """How many signed disclosures the assessment read (suppliers' and the factory's own)."""
    inputs = snapshot.inputs or {}
    return len(inputs.get("supplierDisclosures") or []) + len(inputs.get("ownDisclosures") or [])
