"""Roll-up snapshots: a lead factory's Scope 3 for a period as it stood when verified data
arrived, so the factory sees how its figures moved (and a system can read the latest without
recomputing). Written by the scheduler's refresh job after new data has settled; never changed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, Numeric, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from esgx_platform.db import Base, UUIDPk, utcnow
from esgx_platform.ledger.log import current_state
from esgx_platform.rollups.report import report_json
from esgx_platform.rollups.services import compute_rollup

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")


class RollupSnapshot(Base):
    """One roll-up as computed: the report (without the per-supplier drill-down), its total,
    and the log size it saw."""

    __tablename__ = "rollup_snapshots"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    log_size: Mapped[int] = mapped_column(_BIGINT)
    computed_at: Mapped[datetime]
    total_tco2e: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    report: Mapped[dict[str, Any]] = mapped_column()


def store_rollup_snapshot(
    session: Session, *, lead_factory_id: uuid.UUID, period: str
) -> RollupSnapshot:
    """Compute the roll-up of `period` (with the year-before comparison) and keep it."""
    report = compute_rollup(session, lead_factory_id=lead_factory_id, period=period)
    snapshot = RollupSnapshot(
        organization_id=lead_factory_id,
        period=period,
        log_size=current_state(session).size,
        computed_at=utcnow(),
        total_tco2e=report.rollup.total.tco2e,
        report=report_json(report, suppliers=False),
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def rollup_snapshots(
    session: Session, lead_factory_id: uuid.UUID, period: str, limit: int = 200
) -> list[RollupSnapshot]:
    """The period's snapshots, oldest first (the newest `limit`)."""
    newest = session.scalars(
        select(RollupSnapshot)
        .where(RollupSnapshot.organization_id == lead_factory_id, RollupSnapshot.period == period)
        .order_by(RollupSnapshot.computed_at.desc(), RollupSnapshot.id)
        .limit(limit)
    ).all()
    return list(reversed(newest))
