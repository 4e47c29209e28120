"""Stored assessment models, immutable assessment snapshots, findings and improvement actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from esgx_platform.db import Base, CreatedAt, UUIDPk


class AssessmentModelRecord(Base):
    """An indicator model a lead factory uploaded (the built-in default lives in the package).
    Never changed: a new version is a new row, and snapshots name the one they used."""

    __tablename__ = "assessment_models"
    __table_args__ = (UniqueConstraint("organization_id", "sha256"),)

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    model_id: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column()
    uploaded_at: Mapped[CreatedAt]
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class AssessmentSnapshot(Base):
    """One graded assessment as computed: its inputs (content ids), model and result. Never
    changed, so an auditor sees exactly what the factory saw."""

    __tablename__ = "assessment_snapshots"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # "2025" or "2025-Q3"
    model_id: Mapped[str] = mapped_column(String(120))
    model_version: Mapped[str] = mapped_column(String(40))
    model_sha256: Mapped[str] = mapped_column(String(64))
    grade: Mapped[str] = mapped_column(String(40))
    total_score: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    # Content ids of every disclosure used, and the log size they were read at.
    inputs: Mapped[dict[str, Any]] = mapped_column()
    metrics: Mapped[dict[str, Any]] = mapped_column()
    result: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[CreatedAt]
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class Finding(Base):
    """A weakness an assessment found, with the recommended action (part of the snapshot)."""

    __tablename__ = "assessment_findings"

    id: Mapped[UUIDPk]
    snapshot_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessment_snapshots.id"), index=True
    )
    indicator_id: Mapped[str] = mapped_column(String(80))
    severity: Mapped[str] = mapped_column(String(10))
    title_en: Mapped[str] = mapped_column(Text)
    title_zh: Mapped[str] = mapped_column(Text)
    action_en: Mapped[str] = mapped_column(Text)
    action_zh: Mapped[str] = mapped_column(Text)
    observed: Mapped[str | None] = mapped_column(String(40))


class ImprovementAction(Base):
    """Work the factory commits to, tracked to closure; each change is an event below."""

    __tablename__ = "improvement_actions"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    finding_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("assessment_findings.id"))
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(12))  # open, in_progress, closed
    created_at: Mapped[CreatedAt]
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]


class ImprovementActionEvent(Base):
    """Append-only history of an action's status changes."""

    __tablename__ = "improvement_action_events"

    id: Mapped[UUIDPk]
    action_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("improvement_actions.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[CreatedAt]
    by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
