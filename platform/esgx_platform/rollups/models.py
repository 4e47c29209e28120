"""What a lead factory records for its roll-up: its settings and the quantities it buys."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from esgx_platform.db import Base, CreatedAt, CurrencyCode, UUIDPk, utcnow

DEFAULT_DEADLINE_DAYS = 30
DEFAULT_RENEWABLE_THRESHOLD_PCT = Decimal(50)


class FactorySettings(Base):
    """A lead factory's roll-up settings; absent means the defaults below."""

    __tablename__ = "factory_settings"
    __table_args__ = (
        CheckConstraint("deadline_days BETWEEN 1 AND 180", name="deadline_days_range"),
        CheckConstraint(
            "renewable_threshold_pct BETWEEN 0 AND 100", name="renewable_threshold_range"
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id"), primary_key=True
    )
    # Suppliers file within this many days after the quarter ends.
    deadline_days: Mapped[int] = mapped_column(default=DEFAULT_DEADLINE_DAYS)
    renewable_threshold_pct: Mapped[Decimal] = mapped_column(
        Numeric(9, 4), default=DEFAULT_RENEWABLE_THRESHOLD_PCT
    )
    reporting_currency: Mapped[CurrencyCode] = mapped_column(default="CNY")
    spend_factor_table_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("spend_factor_tables.id")
    )
    assessment_model_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("assessment_models.id")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class RelationshipPurchase(Base):
    """A quantity of one product the lead factory bought from a supplier in one period: with the
    supplier's product footprint it gives the most specific Scope 3 figure (PCF × quantity)."""

    __tablename__ = "relationship_purchases"
    __table_args__ = (
        UniqueConstraint("relationship_id", "period_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[UUIDPk]
    relationship_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("supply_relationships.id"), index=True
    )
    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporting_periods.id"), index=True)
    # A PACT productId (a URN), matched against the supplier's footprints' productIds.
    product_id: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    unit: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[CreatedAt]
