"""The filing calendar: which reminder stage is due on a day, for a factory's deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from esgx_platform.jobs.deadlines import CATCH_UP_DAYS, Stage, due_on, stage_on
from esgx_platform.periods.quarters import Quarter

DEADLINE_DAY = date(2025, 10, 30)  # 2025-Q3 with the default 30 days


@pytest.mark.parametrize(
    ("days_from_deadline", "stage"),
    [
        (-15, None),
        (-14, Stage.EARLY),
        (-4, Stage.EARLY),
        (-3, Stage.FINAL),
        (0, Stage.FINAL),  # the deadline's own day: the deadline is its end
        (1, Stage.OVERDUE),
        (CATCH_UP_DAYS, Stage.OVERDUE),
        (CATCH_UP_DAYS + 1, None),
    ],
)
def test_stage_on_each_day(days_from_deadline: int, stage: Stage | None) -> None:
    assert stage_on(DEADLINE_DAY, DEADLINE_DAY + timedelta(days=days_from_deadline)) == stage


def test_due_on_uses_the_factorys_deadline_days() -> None:
    (due,) = due_on(date(2025, 10, 16), 30)
    assert (due.quarter, due.stage) == (Quarter(2025, 3), Stage.EARLY)
    assert due.deadline.isoformat() == "2025-10-30T23:59:59+00:00"
    # With 45 days the same day is too early; 14 days before 14 November it is T-14.
    assert due_on(date(2025, 10, 16), 45) == []
    assert [d.stage for d in due_on(date(2025, 10, 31), 45)] == [Stage.EARLY]


def test_a_long_deadline_reaches_back_two_quarters() -> None:
    # 180 days after 2025-03-31 is 2025-09-27: on 2025-09-28 Q1 is overdue while Q2 is not due.
    found = due_on(date(2025, 9, 28), 180)
    assert [(d.quarter.key, d.stage) for d in found] == [("2025-Q1", Stage.OVERDUE)]
