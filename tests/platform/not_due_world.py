"""A lead factory whose 2025-Q3 deadline (30 October 2025 with the default 30 days) is moved
around with `clock_at`: suppliers that filed early, have not filed yet, were refused, or have
no earlier quarter at all (for the roll-up's, the ranking's and the pages' `notDue` tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from tests.platform.rollups.world import Scenario, Supplier, at, disclosure_subject

BEFORE, AFTER = at("2025-10-20"), at("2025-11-05")  # either side of 2025-Q3's deadline


@dataclass
class NotDueWorld:
    """2025-Q2 and Q3. Early filed both, Q3 on 10 October (before the deadline); Waiting filed
    Q2 only; Refused filed Q2 and had its Q3 submission refused on 12 October; Newcomer started
    in July (its only quarter of 2025 is Q3) and has filed nothing."""

    w: Scenario
    early: Supplier
    waiting: Supplier
    refused: Supplier
    newcomer: Supplier


def not_due_world(session: Session) -> NotDueWorld:
    w = Scenario(session)
    w.periods("2025-Q2", "2025-Q3")
    early, waiting, refused = w.supplier("Early"), w.supplier("Waiting"), w.supplier("Refused")
    newcomer = w.supplier("Newcomer", started_on=date(2025, 7, 1))
    for s in (early, waiting, refused):
        w.file(s, "2025-Q2", "10.00")
    w.file(early, "2025-Q3", "10.00", when=at("2025-10-10"))
    broken = disclosure_subject("2025-Q3", w.factory, Decimal("5.00"))
    broken["allocations"][0]["allocatedTco2e"] = "9.00"  # does not add up: refused
    w.file_refused(refused, broken, at("2025-10-12"))
    session.flush()
    return NotDueWorld(w, early, waiting, refused, newcomer)
