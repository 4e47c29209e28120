"""The filing calendar: each lead factory's quarterly deadline and the reminder stage due on a
day (pure), and the suppliers who owe a filing (queries)."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from esgx_platform.intake.models import DisclosureHead
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter
from esgx_platform.periods.services import ensure_period
from esgx_platform.rollups.models import DEFAULT_DEADLINE_DAYS, FactorySettings

# How long after T+1 an unsent overdue stage is still sent (a scheduler that was down catches
# up); older quarters are history, not reminders.
CATCH_UP_DAYS = 30
MAX_DEADLINE_DAYS = 180  # FactorySettings' check constraint


class Stage(enum.StrEnum):
    """Reminder stages, named by their day relative to the deadline's day."""

    EARLY = "t-14"
    FINAL = "t-3"
    OVERDUE = "t+1"


def stage_on(deadline_day: date, today: date) -> Stage | None:
    """The stage due on `today`: T-14 from 14 days before the deadline's day, T-3 from 3 days
    before (through the deadline's day itself), T+1 from the day after, for CATCH_UP_DAYS.
    Only the current stage is sent: a supplier added at T-5 gets T-3, not a late T-14."""
    offset = (today - deadline_day).days
    if -14 <= offset < -3:
        return Stage.EARLY
    if -3 <= offset <= 0:
        return Stage.FINAL
    if 1 <= offset < 1 + CATCH_UP_DAYS:
        return Stage.OVERDUE
    return None


@dataclass(frozen=True)
class Due:
    quarter: Quarter
    deadline: datetime
    stage: Stage


def due_on(today: date, deadline_days: int) -> list[Due]:
    """The quarters with a stage due on `today` under a deadline of `deadline_days`."""
    first = Quarter.containing(today - timedelta(days=deadline_days + 1 + CATCH_UP_DAYS))
    found: list[Due] = []
    quarter = first
    while quarter.starts_on <= today:
        deadline = quarter.default_deadline(deadline_days)
        stage = stage_on(deadline.date(), today)
        if stage is not None:
            found.append(Due(quarter, deadline, stage))
        quarter = quarter.next()
    return found


# The roll-up's and the ranking's quarter statuses that mean "no accepted filing" once the
# deadline has passed (see rollups.engine.status_of); `notDue` (no filing yet, deadline not
# passed) is never overdue, and `noConsent` is left out: the factory may not see whether it filed.
UNFILED_STATUSES = frozenset({"notDisclosed", "rejected"})


def overdue_quarters(
    statuses: Iterable[tuple[str, str | None]], deadline_days: int, now: datetime
) -> list[str]:
    """The quarters, of `(quarter key, status)` pairs, that are overdue: no accepted filing
    and the factory's deadline has passed. This is what the `overdue-marks` job records, read
    from the same statuses the roll-up and the ranking already penalize, so a page shows it
    whether or not a scheduler has run."""
    return sorted(
        key
        for key, status in statuses
        if status in UNFILED_STATUSES and Quarter.parse(key).default_deadline(deadline_days) < now
    )


def lead_factory_ids(session: Session) -> list[uuid.UUID]:
    """Lead factories with at least one supplier."""
    stmt = select(SupplyRelationship.lead_factory_id).distinct()
    return sorted(session.scalars(stmt), key=str)


def deadline_days(session: Session, factory_id: uuid.UUID) -> int:
    settings = session.get(FactorySettings, factory_id)
    return DEFAULT_DEADLINE_DAYS if settings is None else settings.deadline_days


@dataclass(frozen=True)
class Owed:
    """One supplier that has not filed one quarter a lead factory is waiting for."""

    factory: Organization
    supplier: Organization
    period: ReportingPeriod
    due: Due


def owed_filings(session: Session, factory_id: uuid.UUID, today: date) -> Iterator[Owed]:
    """Every supplier of the factory with a stage due today and no filing for the quarter.

    Every relationship covering the quarter counts, with or without consent: consent is about
    what the factory may see, and a supplier owes the filing either way.
    """
    factory = session.get_one(Organization, factory_id)
    for due in due_on(today, deadline_days(session, factory_id)):
        period = _period(session, due.quarter)
        for supplier in session.scalars(_unfiled(factory_id, period)).all():
            yield Owed(factory, supplier, period, due)


def _period(session: Session, quarter: Quarter) -> ReportingPeriod:
    """The quarter's period, created if need be; a concurrent run creating it at the same time
    (PostgreSQL: our insert waits for theirs, then fails) makes us read theirs instead."""
    stmt = select(ReportingPeriod).where(ReportingPeriod.key == quarter.key)
    try:
        with session.begin_nested():
            period = ensure_period(session, quarter)
    except IntegrityError:
        return session.scalars(stmt).one()
    return period


def _unfiled(factory_id: uuid.UUID, period: ReportingPeriod) -> Any:
    rel, head = SupplyRelationship, DisclosureHead
    return (
        select(Organization)
        .join(rel, rel.supplier_id == Organization.id)
        .where(
            rel.lead_factory_id == factory_id,
            rel.started_on <= period.ends_on,
            or_(rel.ended_on.is_(None), rel.ended_on >= period.starts_on),
            ~exists().where(
                and_(head.organization_id == rel.supplier_id, head.period_id == period.id)
            ),
        )
        .order_by(Organization.id)
    )
