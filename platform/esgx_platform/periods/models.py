"""Reporting periods: calendar quarters with a filing deadline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from esgx_platform.db import Base, CreatedAt, UUIDPk


class ReportingPeriod(Base):
    __tablename__ = "reporting_periods"
    __table_args__ = (
        UniqueConstraint("key"),
        UniqueConstraint("year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
    )

    id: Mapped[UUIDPk]
    key: Mapped[str] = mapped_column(String(7))  # "2025-Q3", as on the wire
    year: Mapped[int]
    quarter: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # Default filing deadline (end of the day, UTC); lead factories may set their own later.
    deadline: Mapped[datetime]
    created_at: Mapped[CreatedAt]
