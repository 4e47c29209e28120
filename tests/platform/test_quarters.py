"""Quarter arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from esgx_platform.periods.quarters import Quarter, last_closed_quarters


def test_parse_and_bounds() -> None:
    q = Quarter.parse("2025-Q3")
    assert (q.starts_on, q.ends_on) == (date(2025, 7, 1), date(2025, 9, 30))
    # 30 days after 30 September is 30 October.
    assert q.default_deadline() == datetime(2025, 10, 30, 23, 59, 59, tzinfo=UTC)
    assert Quarter.parse("2024-Q4").ends_on == date(2024, 12, 31)
    assert Quarter.parse("2024-Q1").ends_on == date(2024, 3, 31)


@pytest.mark.parametrize(
    "key", ["2025-Q5", "2025Q3", "25-Q1", "2025-q3", "", "2025-Q3\n", "２０２５-Q3"]
)
def test_bad_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="quarter"):
        Quarter.parse(key)


def test_last_closed_quarters_cross_years() -> None:
    keys = [q.key for q in last_closed_quarters(date(2026, 2, 10), 3)]
    assert keys == ["2025-Q2", "2025-Q3", "2025-Q4"]
