"""Job runs, and the rows that make each scheduled effect happen once: reminders, overdue marks
and key-expiry warnings, each unique on what it is about."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from esgx_platform.db import Base, CreatedAt, UUIDPk


class JobRun(Base):
    """One run of one job: inserted when it starts, completed when it ends. A run whose
    scheduler died is closed as failed by the scheduler that takes over."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_id_started_at", "job_id", "started_at"),)

    id: Mapped[UUIDPk]
    job_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(16))  # running | ok | skipped | failed
    summary: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)
    # scheduler:<host>:<pid> or cli:<host>:<pid>: who ran it.
    instance: Mapped[str] = mapped_column(String(200))


class Reminder(Base):
    """A filing reminder of one stage, sent once: the unique constraint, not timing, is what
    stops a second scheduler, a retried run or `run-once` from sending it again."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("supplier_id", "lead_factory_id", "period_id", "stage"),)

    id: Mapped[UUIDPk]
    supplier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    lead_factory_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporting_periods.id"))
    stage: Mapped[str] = mapped_column(String(8))  # t-14 | t-3 | t+1
    deadline: Mapped[datetime]
    recipients: Mapped[int]
    created_at: Mapped[CreatedAt]


class OverdueMark(Base):
    """A supplier that had not filed for a lead factory's quarter a day after the deadline;
    the roll-up, ranking and (later) webhooks read it. Filing late does not remove it."""

    __tablename__ = "overdue_marks"
    __table_args__ = (UniqueConstraint("supplier_id", "lead_factory_id", "period_id"),)

    id: Mapped[UUIDPk]
    supplier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    lead_factory_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporting_periods.id"))
    deadline: Mapped[datetime]
    marked_at: Mapped[CreatedAt]


class KeyExpiryWarning(Base):
    """A warning that a rotated signing key stops being valid, once per key and threshold."""

    __tablename__ = "key_expiry_warnings"
    __table_args__ = (UniqueConstraint("signing_key_id", "threshold_days"),)

    id: Mapped[UUIDPk]
    signing_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signing_keys.id"))
    threshold_days: Mapped[int]
    not_after: Mapped[datetime]
    created_at: Mapped[CreatedAt]
