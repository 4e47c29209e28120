"""Gathering an assessment's metrics: the roll-up, the factory's own operations, its actions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.assessment.model import ClaimType
from esgx_platform.assessment.neutrality import NeutralityResult, RetiredOffset, neutrality
from esgx_platform.assessment.own_operations import (
    OwnQuarter,
    own_quarters,
    serials_used_elsewhere,
)
from esgx_platform.assessment.pathway import PathwayStatus, pathway_status
from esgx_platform.assessment.records import ImprovementAction
from esgx_platform.disclosures.model import Target, TargetScope
from esgx_platform.factors.services import load_conversions
from esgx_platform.factors.spend import Conversions
from esgx_platform.rollups.engine import HUNDRED, ZERO, share
from esgx_platform.rollups.services import RollupReport, compute_rollup, periods_for

VERIFICATION_LEVELS = {"none": 0, "limited": 1, "reasonable": 2}
TARGET_LEVELS = {"none": 0, "committed": 1, "validated": 2, "netZero": 3}
# The pathway compares Scope 1+2 actuals, so only a Scope 1+2 target is tracked (a target that
# includes Scope 3 would be measured against the wrong emissions).
SCOPE12 = frozenset({TargetScope.S1_2})
Metrics = dict[str, Decimal | None]
PLACES = Decimal("0.0001")


@dataclass
class Gathered:
    """Everything an assessment is computed from, kept for the snapshot and the report."""

    year: int
    metrics: Metrics
    rollup: RollupReport
    own: list[OwnQuarter]
    neutrality: NeutralityResult | None
    pathway: PathwayStatus | None
    target: Target | None
    own_previous_tco2e: Decimal | None
    conversions: Conversions = field(default_factory=Conversions)
    notes: list[str] = field(default_factory=list)

    def input_ids(self) -> dict[str, Any]:
        """Every signed record the assessment read: those behind the tonnes (allocations,
        footprints) and those the indicators read (a supplier's assurance, targets, renewable
        share and tier-2 engagement count even where its tonnes are an estimate)."""
        used = set(self.rollup.rollup.total.content_ids)
        for line in self.rollup.rollup.lines:
            if line.row.consent and line.row.disclosure is not None:
                used.add(line.row.disclosure.content_id)
        return {
            "supplierDisclosures": sorted(used),
            "ownDisclosures": [q.content_id for q in self.own],
        }


def gather(
    session: Session, *, organization_id: uuid.UUID, year: int, claim_type: ClaimType
) -> Gathered:
    """Compute every registry metric the platform can for the factory and year."""
    report = compute_rollup(session, lead_factory_id=organization_id, period=str(year))
    own = own_quarters(session, organization_id, periods_for(session, str(year)))
    before = own_quarters(session, organization_id, periods_for(session, str(year - 1)))
    previous = sum((q.scope12_market for q in before), ZERO) if len(before) == 4 else None
    balance = _neutrality(session, organization_id, year, own, claim_type) if own else None
    target = _scope12_target(own)
    path = _pathway(target, year, own)
    metrics: Metrics = {
        **own_metrics(own, previous),
        **supply_chain_metrics(report),
        **(balance.metrics() if balance else {}),
        **(path.metrics() if path else {}),
        "actions_closed_pct": actions_closed_pct(session, organization_id, year),
    }
    return Gathered(
        year,
        tidy(metrics),
        report,
        own,
        balance,
        path,
        target,
        previous,
        conversions=load_conversions(session),
    )


def tidy(metrics: Metrics) -> Metrics:
    """Four decimal places, written plainly: exact enough to score, readable in a report."""
    return {
        name: None if value is None else value.quantize(PLACES, rounding=ROUND_HALF_UP)
        for name, value in metrics.items()
    }


def own_metrics(own: Sequence[OwnQuarter], previous_tco2e: Decimal | None) -> Metrics:
    if not own:
        return {"own_quarters_filed_pct": ZERO}
    scope12 = sum((q.scope12_market for q in own), ZERO)
    electricity = sum((q.disclosure.energy.electricity_mwh for q in own), ZERO)
    renewable = sum((q.disclosure.energy.renewable_electricity_mwh for q in own), ZERO)
    levels = [
        VERIFICATION_LEVELS[q.disclosure.verification.level.value]
        for q in own
        if q.disclosure.verification
    ]
    statuses = [TARGET_LEVELS[t.status.value] for t in own[-1].disclosure.targets]
    # Year-on-year only between complete years: three quarters against four says nothing.
    yoy = None
    if len(own) == 4 and previous_tco2e:
        yoy = (scope12 - previous_tco2e) * HUNDRED / previous_tco2e
    return {
        "own_quarters_filed_pct": Decimal(len(own)) * HUNDRED / 4,
        "own_verification_level": Decimal(max(levels, default=0)),
        "own_target_status": Decimal(max(statuses, default=0)),
        "own_renewable_electricity_pct": share(renewable, electricity),
        "own_scope12_tco2e": scope12,
        "own_scope12_yoy_pct": yoy,
    }


def supply_chain_metrics(report: RollupReport) -> Metrics:
    total = report.rollup.total.summary()
    shares = report.indicators
    previous = report.previous
    return {
        "scope3_supplier_data_pct": _dec(total["supplierDataPct"]),
        "scope3_primary_data_pct": _dec(total["primaryDataPct"]),
        "scope3_coverage_by_spend_pct": _dec(total["coverageBySpendPct"]),
        "suppliers_on_time_pct_by_spend": shares["onTime"].by_spend,
        "suppliers_on_time_pct_by_count": shares["onTime"].by_count,
        "suppliers_assured_pct_by_emissions": shares["assured"].by_emissions,
        "suppliers_with_targets_pct_by_spend": shares["withTargets"].by_spend,
        "suppliers_renewable_above_threshold_pct_by_count": shares[
            "renewableAboveThreshold"
        ].by_count,
        "suppliers_with_footprints_pct_by_spend": shares["withFootprints"].by_spend,
        "tier2_reporting_pct_by_spend": _dec(report.tier2["reportingPctBySpend"]),
        "allocated_supplier_emissions_yoy_pct": previous.tco2e_change_pct if previous else None,
        "supplier_intensity_yoy_pct": previous.intensity_change_pct if previous else None,
    }


def _dec(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _neutrality(
    session: Session,
    organization_id: uuid.UUID,
    year: int,
    own: Sequence[OwnQuarter],
    claim_type: ClaimType,
) -> NeutralityResult:
    offsets = [
        RetiredOffset(
            serials=o.serials,
            registry=o.registry,
            vintage=o.vintage,
            tco2e=o.tco2e,
            retired_on=o.retired_on,
            standard=o.standard,
            programme=o.programme.value,
        )
        for q in own
        for o in q.disclosure.offsets
    ]
    clashes: set[str] = set()
    for quarter in own:
        clashes |= serials_used_elsewhere(session, organization_id, quarter)
    return neutrality(
        scope1=sum((q.disclosure.scope1.tco2e for q in own), ZERO),
        scope2_market=sum((q.disclosure.scope2.market_based_tco2e for q in own), ZERO),
        offsets=offsets,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        claim_type=claim_type,
        used_elsewhere=frozenset(clashes),
    )


def _scope12_target(own: Sequence[OwnQuarter]) -> Target | None:
    """The factory's absolute Scope 1+2 target as last stated (the one a pathway tracks)."""
    if not own:
        return None
    targets = [
        t
        for t in own[-1].disclosure.targets
        if t.scope in SCOPE12 and t.type.value == "absolute" and t.status.value != "none"
    ]
    # The near-term target (the earliest target year), as SBTi tracks near-term targets; a
    # long-term or net-zero target further out is not the one this year's path answers to.
    return min(targets, key=lambda t: (t.target_year, -t.reduction_percent), default=None)


def _pathway(target: Target | None, year: int, own: Sequence[OwnQuarter]) -> PathwayStatus | None:
    if target is None or len(own) < 4 or year < target.base_year:
        return None
    return pathway_status(
        base_tco2e=target.base_tco2e,
        base_year=target.base_year,
        year=year,
        emissions_tco2e=sum((q.scope12_market for q in own), ZERO),
        target_year=target.target_year,
        target_tco2e=target.base_tco2e * (HUNDRED - target.reduction_percent) / HUNDRED,
    )


def actions_closed_pct(session: Session, organization_id: uuid.UUID, year: int) -> Decimal | None:
    """Improvement actions due in the year that are closed, of all due in it (None: none due)."""
    due = (
        select(ImprovementAction.status, func.count())
        .where(
            ImprovementAction.organization_id == organization_id,
            ImprovementAction.due_on >= date(year, 1, 1),
            ImprovementAction.due_on <= date(year, 12, 31),
        )
        .group_by(ImprovementAction.status)
    )
    counts: dict[str, int] = {status: n for status, n in session.execute(due)}
    total = sum(counts.values())
    return share(Decimal(counts.get("closed", 0)), Decimal(total))
