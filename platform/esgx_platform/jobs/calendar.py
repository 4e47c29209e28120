"""A supplier's filing calendar for its portal: for each customer lead factory, the deadline of
the quarter being filed (the last one that ended), the current quarter's and the next one's,
and whether the supplier has filed. Read-only: it never creates reporting periods."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from esgx_platform.intake.models import StoredDisclosure
from esgx_platform.jobs.deadlines import deadline_days
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.periods.quarters import Quarter


class Standing(enum.StrEnum):
    """Where a supplier stands with one quarter's filing for one lead factory."""

    FILED = "filed"  # first filed by the deadline
    LATE = "late"  # first filed after the deadline
    DUE = "due"  # the quarter has ended, the deadline is ahead, nothing filed yet
    OVERDUE = "overdue"  # the deadline has passed and nothing is filed
    NOT_YET = "not_yet"  # the quarter has not ended: it can be filed from the day after


@dataclass(frozen=True)
class CalendarRow:
    factory: Organization
    quarter: Quarter
    deadline: datetime
    standing: Standing
    first_filed_at: datetime | None
    days_left: int  # to the deadline's day; negative once it has passed

    @property
    def opens_on(self) -> date:
        """The first day the quarter can be filed (intake refuses a quarter not yet ended)."""
        return self.quarter.ends_on + timedelta(days=1)


def calendar_quarters(today: date) -> tuple[Quarter, Quarter, Quarter]:
    """The quarter being filed (the last that ended), the current quarter and the next."""
    current = Quarter.containing(today)
    return current.previous(), current, current.next()


def supplier_calendar(session: Session, supplier_id: uuid.UUID, today: date) -> list[CalendarRow]:
    """Every customer's deadlines for the calendar quarters, by factory name then quarter.

    "Filed" means what the reminders mean: an accepted disclosure of the supplier for the
    quarter, whatever it allocates. A quarter the relationship does not cover is left out.
    """
    quarters = calendar_quarters(today)
    first_filed = _first_filings(session, supplier_id, [q.key for q in quarters])
    rows: list[CalendarRow] = []
    for rel, factory in _relationships(session, supplier_id, quarters):
        days = deadline_days(session, factory.id)
        for quarter in quarters:
            if not _covers(rel, quarter):
                continue
            deadline = quarter.default_deadline(days)
            filed_at = first_filed.get(quarter.key)
            rows.append(
                CalendarRow(
                    factory=factory,
                    quarter=quarter,
                    deadline=deadline,
                    standing=_standing(quarter, deadline, filed_at, today),
                    first_filed_at=filed_at,
                    days_left=(deadline.date() - today).days,
                )
            )
    return rows


def _standing(
    quarter: Quarter, deadline: datetime, filed_at: datetime | None, today: date
) -> Standing:
    if filed_at is not None:
        return Standing.FILED if filed_at <= deadline else Standing.LATE
    if quarter.ends_on >= today:
        return Standing.NOT_YET
    return Standing.DUE if today <= deadline.date() else Standing.OVERDUE


def _relationships(
    session: Session, supplier_id: uuid.UUID, quarters: tuple[Quarter, ...]
) -> list[tuple[SupplyRelationship, Organization]]:
    rel = SupplyRelationship
    stmt = (
        select(rel, Organization)
        .join(Organization, Organization.id == rel.lead_factory_id)
        .where(
            rel.supplier_id == supplier_id,
            rel.started_on <= quarters[-1].ends_on,
            or_(rel.ended_on.is_(None), rel.ended_on >= quarters[0].starts_on),
        )
        .order_by(Organization.name_en, Organization.id)
    )
    return [(r, o) for r, o in session.execute(stmt).all()]


def _covers(rel: SupplyRelationship, quarter: Quarter) -> bool:
    return rel.started_on <= quarter.ends_on and (
        rel.ended_on is None or rel.ended_on >= quarter.starts_on
    )


def _first_filings(
    session: Session, supplier_id: uuid.UUID, keys: list[str]
) -> dict[str, datetime]:
    """When the supplier first filed each quarter (restatements do not move it)."""
    stmt = (
        select(StoredDisclosure.period_key, func.min(StoredDisclosure.logged_at))
        .where(
            StoredDisclosure.organization_id == supplier_id,
            StoredDisclosure.period_key.in_(keys),
        )
        .group_by(StoredDisclosure.period_key)
    )
    return {key: first for key, first in session.execute(stmt).all()}
