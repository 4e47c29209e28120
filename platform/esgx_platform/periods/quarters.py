"""Calendar quarters as the wire names them (`2025-Q3`): parsing, bounds and default deadlines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

_KEY = re.compile(r"([0-9]{4})-Q([1-4])")
DEFAULT_DEADLINE_DAYS = 30


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def parse(cls, key: str) -> Quarter:
        """Parse `YYYY-Qn`; raises ValueError for anything else."""
        match = _KEY.fullmatch(key)
        if not match:
            raise ValueError(f"not a quarter (expected YYYY-Qn): {key!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def starts_on(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def ends_on(self) -> date:
        return self.next().starts_on - timedelta(days=1)

    def default_deadline(self, days: int = DEFAULT_DEADLINE_DAYS) -> datetime:
        """End of the day (UTC) `days` after the quarter's last day."""
        last_day = self.ends_on + timedelta(days=days)
        return datetime.combine(last_day, time(23, 59, 59), tzinfo=UTC)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)
        )

    def __str__(self) -> str:
        return self.key


def last_closed_quarters(today: date, count: int) -> list[Quarter]:
    """The `count` quarters that ended before `today`, oldest first."""
    quarters = [Quarter.containing(today).previous()]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]
