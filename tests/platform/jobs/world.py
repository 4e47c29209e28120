"""A lead factory and its suppliers for the deadline jobs' tests (2025-Q3, deadline 30 October
2025 with the default 30 days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from tests.platform.factories import make_user
from tests.platform.rollups.world import Scenario, Supplier


def day(text: str, clock: time = time(9, 0)) -> datetime:
    return datetime.combine(date.fromisoformat(text), clock, tzinfo=UTC)


@dataclass
class Reminded:
    scenario: Scenario
    one: Supplier  # two active members (en, zh) and an inactive one
    two: Supplier  # files between T-14 and T-3
    three: Supplier  # no consent: still reminded (consent is about data, not filing)
    ended: Supplier  # the relationship ended before the quarter: never reminded
    en: User
    zh: User
    inactive: User


def reminded_world(session: Session) -> Reminded:
    scenario = Scenario(session, "Tianjin Plant")
    one, two = scenario.supplier("Supplier One"), scenario.supplier("Supplier Two")
    three = scenario.supplier("Supplier Three", consent=False)
    ended = scenario.supplier("Supplier Ended")
    ended.relationship.ended_on = date(2025, 6, 30)
    en = make_user(session, one.org, Role.SUPPLIER_ADMIN, locale="en")
    zh = make_user(session, one.org, Role.SUPPLIER_MEMBER, locale="zh")
    inactive = make_user(session, one.org, Role.SUPPLIER_MEMBER)
    inactive.is_active = False
    for supplier in (two, three, ended):
        make_user(session, supplier.org, Role.SUPPLIER_ADMIN)
    session.commit()
    return Reminded(scenario, one, two, three, ended, en, zh, inactive)
