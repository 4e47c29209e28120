"""Stored scoring configurations, procurement's external ratings and ranking snapshots.

All three are append-only (database triggers refuse UPDATE and DELETE): a new configuration
or rating is a new version, and a snapshot never changes after it is taken.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from esgx_platform.db import Base, CreatedAt, UUIDPk
from esgx_platform.scoring.metrics import CDP_SCORES, ECOVADIS_MEDALS


def _one_of(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IS NULL OR {column} IN ({listed})"


class RankingConfigRecord(Base):
    """A lead company's scoring configuration, version 1, 2, ... (0 is the platform default,
    which lives in the package and is never stored)."""

    __tablename__ = "ranking_configs"
    __table_args__ = (
        UniqueConstraint("organization_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[CreatedAt]
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class SupplierRating(Base):
    """External ratings procurement entered for one supply relationship; the highest version
    is current. Who entered them and when are kept, and each entry is in the audit log."""

    __tablename__ = "supplier_ratings"
    __table_args__ = (
        UniqueConstraint("relationship_id", "version"),
        CheckConstraint(_one_of("cdp_score", CDP_SCORES), name="cdp_score_known"),
        CheckConstraint(_one_of("ecovadis_medal", ECOVADIS_MEDALS), name="ecovadis_medal_known"),
    )

    id: Mapped[UUIDPk]
    relationship_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("supply_relationships.id"), index=True
    )
    version: Mapped[int]
    cdp_score: Mapped[str | None] = mapped_column(String(2))
    ecovadis_medal: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[CreatedAt]
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class RankingSnapshot(Base):
    """One ranking as computed: its inputs (every figure, with content ids), the configuration
    and the result. It recomputes exactly from what it stores (`snapshots.verify_snapshot`)."""

    __tablename__ = "ranking_snapshots"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # "2025" or "2025-Q3"
    config_version: Mapped[int]
    config_sha256: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the RFC 8785 canonical JSON of `inputs` and of `result`.
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    result_sha256: Mapped[str] = mapped_column(String(64))
    supplier_count: Mapped[int]
    config: Mapped[dict[str, Any]] = mapped_column()
    inputs: Mapped[dict[str, Any]] = mapped_column()
    result: Mapped[dict[str, Any]] = mapped_column()
    # The transparency log's size when the inputs were read.
    log_size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    created_at: Mapped[CreatedAt]
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
