"""Organizations and the supply relationships between lead factories and their suppliers."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esgx_platform.db import Base, CreatedAt, CurrencyCode, Money, UUIDPk


def str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, storing the members' values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class OrgKind(enum.StrEnum):
    SUPPLIER = "supplier"
    LEAD_FACTORY = "lead_factory"
    OPERATOR = "operator"


def org_urn(uscc: str | None, org_id: uuid.UUID) -> str:
    """An organization's identifier in credentials: `urn:esgx:org:<code or uuid>`."""
    return f"urn:esgx:org:{uscc or org_id}"


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[UUIDPk]
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind, "org_kind"))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # Unified social credit code (GB 32100); required for organizations registered in China.
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    # Other identifiers, e.g. {"lei": "...", "duns": "..."}; keys are lower-case schemes.
    identifiers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    country: Mapped[str] = mapped_column(String(2), default="CN")
    province: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[CreatedAt]

    @property
    def urn(self) -> str:
        return org_urn(self.uscc, self.id)

    def display_name(self, locale: str) -> str:
        return self.name_zh if locale == "zh" else self.name_en


class SupplyRelationship(Base):
    """A lead factory buys from a supplier; consent governs what the factory may see."""

    __tablename__ = "supply_relationships"
    __table_args__ = (
        UniqueConstraint("lead_factory_id", "supplier_id"),
        CheckConstraint("scope3_category BETWEEN 1 AND 15", name="scope3_category_range"),
        CheckConstraint("lead_factory_id <> supplier_id", name="distinct_parties"),
    )

    id: Mapped[UUIDPk]
    lead_factory_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    supplier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    scope3_category: Mapped[int]
    description: Mapped[str | None] = mapped_column(String(200))
    # Sector in the factory's spend-factor table, for estimates when no supplier data is usable.
    spend_sector_code: Mapped[str | None] = mapped_column(String(40))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    # Data-sharing consent given by the supplier; without it the factory sees no figures.
    consent_given_at: Mapped[datetime | None]
    consent_withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[CreatedAt]

    lead_factory: Mapped[Organization] = relationship(foreign_keys=[lead_factory_id])
    supplier: Mapped[Organization] = relationship(foreign_keys=[supplier_id])

    @property
    def has_consent(self) -> bool:
        return self.consent_given_at is not None and self.consent_withdrawn_at is None


class RelationshipSpend(Base):
    """What the lead factory spent with the supplier in one reporting period."""

    __tablename__ = "relationship_spend"
    __table_args__ = (
        UniqueConstraint("relationship_id", "period_id"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[UUIDPk]
    relationship_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("supply_relationships.id"), index=True
    )
    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporting_periods.id"), index=True)
    amount: Mapped[Money]
    currency: Mapped[CurrencyCode]
    created_at: Mapped[CreatedAt]
