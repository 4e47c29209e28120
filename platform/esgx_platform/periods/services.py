"""Reporting periods in the database."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter


def ensure_period(session: Session, quarter: Quarter) -> ReportingPeriod:
    """The period for `quarter`, created with the default deadline when it does not exist."""
    existing = session.scalar(select(ReportingPeriod).where(ReportingPeriod.key == quarter.key))
    if existing is not None:
        return existing
    period = ReportingPeriod(
        id=uuid.uuid4(),  # known before the flush, so rows referring to it can be added first
        key=quarter.key,
        year=quarter.year,
        quarter=quarter.quarter,
        starts_on=quarter.starts_on,
        ends_on=quarter.ends_on,
        deadline=quarter.default_deadline(),
    )
    session.add(period)
    return period


def list_periods(session: Session) -> list[ReportingPeriod]:
    stmt = select(ReportingPeriod).order_by(ReportingPeriod.year, ReportingPeriod.quarter)
    return list(session.scalars(stmt))
