"""The supplier's filing calendar (the portal inbox's deadlines) and the overdue rule the pages
share: filed, late, due, overdue and not yet, per customer and its own deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.jobs.calendar import Standing, calendar_quarters, supplier_calendar
from esgx_platform.jobs.deadlines import overdue_quarters
from esgx_platform.organizations.services import create_relationship
from esgx_platform.periods.models import ReportingPeriod
from tests.platform.jobs.world import day
from tests.platform.rollups.world import Scenario


def test_calendar_quarters_are_the_one_being_filed_the_current_and_the_next() -> None:
    keys = [q.key for q in calendar_quarters(date(2026, 11, 25))]
    assert keys == ["2026-Q3", "2026-Q4", "2027-Q1"]


def test_standings_per_customer_and_its_deadline(session: Session) -> None:
    near = Scenario(session, "Near Plant")
    far = Scenario(session, "Far Plant")
    far.configure(deadline_days=60)
    supplier = near.supplier("Calendar Supplier")
    create_relationship(  # a second customer of the same supplier
        session,
        lead_factory=far.factory,
        supplier=supplier.org,
        scope3_category=1,
        started_on=date(2024, 1, 1),
    )
    session.commit()
    periods_before = session.scalar(select(func.count()).select_from(ReportingPeriod))

    rows = supplier_calendar(session, supplier.org.id, date(2025, 11, 5))
    got = {(r.factory.name_en, r.quarter.key): r for r in rows}
    assert [(r.factory.name_en, r.quarter.key) for r in rows] == [
        ("Far Plant", "2025-Q3"),
        ("Far Plant", "2025-Q4"),
        ("Far Plant", "2026-Q1"),
        ("Near Plant", "2025-Q3"),
        ("Near Plant", "2025-Q4"),
        ("Near Plant", "2026-Q1"),
    ]
    near_q3, far_q3 = got[("Near Plant", "2025-Q3")], got[("Far Plant", "2025-Q3")]
    assert near_q3.deadline == datetime(2025, 10, 30, 23, 59, 59, tzinfo=UTC)
    assert (near_q3.standing, near_q3.days_left) == (Standing.OVERDUE, -6)
    assert far_q3.deadline.date() == date(2025, 11, 29)
    assert (far_q3.standing, far_q3.days_left) == (Standing.DUE, 24)
    q4 = got[("Near Plant", "2025-Q4")]
    assert (q4.standing, q4.opens_on) == (Standing.NOT_YET, date(2026, 1, 1))
    # Read-only: the page never creates reporting periods.
    assert session.scalar(select(func.count()).select_from(ReportingPeriod)) == periods_before

    near.file(supplier, "2025-Q3", "10", when=day("2025-11-06"))
    session.commit()
    rows = supplier_calendar(session, supplier.org.id, date(2025, 11, 7))
    got = {(r.factory.name_en, r.quarter.key): r for r in rows}
    # One filing counts for every customer, each judged against its own deadline.
    assert got[("Near Plant", "2025-Q3")].standing is Standing.LATE
    assert got[("Far Plant", "2025-Q3")].standing is Standing.FILED
    assert got[("Far Plant", "2025-Q3")].first_filed_at == day("2025-11-06")


def test_a_relationship_that_ended_leaves_the_calendar(session: Session) -> None:
    plant = Scenario(session, "Ending Plant")
    supplier = plant.supplier("Leaving Supplier")
    supplier.relationship.ended_on = date(2025, 9, 30)
    session.commit()
    rows = supplier_calendar(session, supplier.org.id, date(2025, 11, 5))
    assert [r.quarter.key for r in rows] == ["2025-Q3"]  # still owed: it covered Q3


def test_overdue_is_unfiled_after_the_deadline() -> None:
    statuses = [
        ("2025-Q2", "notDisclosed"),
        ("2025-Q3", "notDisclosed"),
        ("2025-Q1", "rejected"),
        ("2024-Q4", "late"),
        ("2024-Q3", None),
        ("2024-Q2", "noConsent"),  # the factory may not see whether it was filed
    ]
    now = datetime(2025, 10, 30, 12, 0, tzinfo=UTC)  # the day of 2025-Q3's deadline
    assert overdue_quarters(statuses, 30, now) == ["2025-Q1", "2025-Q2"]
    assert overdue_quarters(statuses, 30, datetime(2025, 10, 31, tzinfo=UTC)) == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
    ]
    assert overdue_quarters(statuses, 150, now) == ["2025-Q1"]  # Q2 due 27 November
