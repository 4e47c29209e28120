"""Keeping derived figures fresh: after new verified data, each affected lead factory's roll-up
and ranking for the year are recomputed and stored as snapshots, debounced.

"New" is a disclosure (a supplier's, or the factory's own operations) logged at or after the
log size the factory's latest roll-up snapshot of that year saw. A burst of filings near a
deadline gives one recomputation, not one per filing: the job waits until nothing new has come
for ESGX_REFRESH_QUIET_MINUTES, but never longer than ESGX_REFRESH_MAX_WAIT_MINUTES after the
first new filing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from esgx_platform.db import utcnow
from esgx_platform.errors import EsgxError
from esgx_platform.intake.models import StoredDisclosure
from esgx_platform.jobs.base import JobContext, JobResult
from esgx_platform.jobs.deadlines import lead_factory_ids
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.rollups.snapshots import RollupSnapshot, store_rollup_snapshot
from esgx_platform.scoring.snapshots import store_snapshot


@dataclass(frozen=True)
class Pending:
    """New verified data for one factory and year: when the first and the last came."""

    year: int
    first: datetime
    last: datetime

    def settled(self, now: datetime, quiet: timedelta, max_wait: timedelta) -> bool:
        return now - self.last >= quiet or now - self.first >= max_wait


def pending_years(session: Session, factory_id: uuid.UUID) -> list[Pending]:
    """The years with disclosures the factory's latest roll-up snapshot has not seen."""
    seen = {
        period: int(size)
        for period, size in session.execute(
            select(RollupSnapshot.period, func.max(RollupSnapshot.log_size))
            .where(RollupSnapshot.organization_id == factory_id)
            .group_by(RollupSnapshot.period)
        )
    }
    parties = union(
        select(SupplyRelationship.supplier_id).where(
            SupplyRelationship.lead_factory_id == factory_id
        ),
        select(Organization.id).where(Organization.id == factory_id),
    )
    since = min(seen.values(), default=0)
    rows = session.execute(
        select(
            StoredDisclosure.period_key, StoredDisclosure.log_index, StoredDisclosure.logged_at
        ).where(StoredDisclosure.organization_id.in_(parties), StoredDisclosure.log_index >= since)
    ).all()
    found: dict[int, Pending] = {}
    for period_key, log_index, logged_at in rows:
        year = int(period_key[:4])
        if log_index < seen.get(str(year), 0):
            continue
        before = found.get(year)
        found[year] = Pending(
            year,
            min(logged_at, before.first) if before else logged_at,
            max(logged_at, before.last) if before else logged_at,
        )
    return [found[year] for year in sorted(found)]


def refresh_derived(ctx: JobContext) -> JobResult:
    """Store a roll-up and a ranking snapshot for every factory-year whose new data has
    settled; a year whose ranking cannot be computed keeps its roll-up snapshot and is named."""
    now = utcnow()
    quiet = timedelta(minutes=ctx.settings.refresh_quiet_minutes)
    max_wait = timedelta(minutes=ctx.settings.refresh_max_wait_minutes)
    refreshed: list[str] = []
    waiting = 0
    problems: list[str] = []
    with ctx.database.transaction(write=False) as session:
        factories = lead_factory_ids(session)
    for factory_id in factories:
        with ctx.database.transaction(write=False) as session:
            pending = pending_years(session, factory_id)
        for item in pending:
            if not item.settled(now, quiet, max_wait):
                waiting += 1
                continue
            period = str(item.year)
            with ctx.database.transaction() as session:
                store_rollup_snapshot(session, lead_factory_id=factory_id, period=period)
                factory = session.get_one(Organization, factory_id)
                try:
                    with session.begin_nested():
                        store_snapshot(
                            session, organization=factory, period=period, actor_user_id=None
                        )
                except EsgxError as exc:
                    problems.append(f"{factory.name_en} {period} ranking: {exc.detail.en}")
            refreshed.append(f"{factory_id}:{period}")
    summary = f"{len(refreshed)} roll-ups and rankings refreshed, {waiting} waiting for quiet"
    if problems:
        summary += "; " + "; ".join(problems)
    return JobResult.ok(summary) if refreshed else JobResult.skipped(summary)
