"""Importable spend-based emission factors, exchange rates and price indices (versioned)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from esgx_platform.db import Base, CreatedAt, CurrencyCode, UUIDPk

_RATE = Numeric(24, 10)


class SpendFactorTable(Base):
    """One imported version of a spend-based (EEIO) factor table. Never changed: a corrected
    table is imported as a new version, so a roll-up can always name the factors it used."""

    __tablename__ = "spend_factor_tables"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[UUIDPk]
    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text)
    # Factors are in kgCO2e per unit of this currency at this year's prices.
    currency: Mapped[CurrencyCode]
    price_year: Mapped[int]
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[CreatedAt]
    imported_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class SpendFactor(Base):
    __tablename__ = "spend_factors"
    __table_args__ = (UniqueConstraint("table_id", "sector_code"),)

    id: Mapped[UUIDPk]
    table_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("spend_factor_tables.id"), index=True)
    sector_code: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    kgco2e_per_unit: Mapped[Decimal] = mapped_column(_RATE)


class ExchangeRate(Base):
    """An annual average rate: one unit of `currency` buys `rate` units of `quote_currency`."""

    __tablename__ = "exchange_rates"
    __table_args__ = (UniqueConstraint("currency", "quote_currency", "year"),)

    id: Mapped[UUIDPk]
    currency: Mapped[CurrencyCode]
    quote_currency: Mapped[CurrencyCode]
    year: Mapped[int]
    rate: Mapped[Decimal] = mapped_column(_RATE)
    source: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[CreatedAt]


class PriceIndex(Base):
    """A price index (deflator) for one currency's economy, any base year: only ratios are used."""

    __tablename__ = "price_indices"
    __table_args__ = (UniqueConstraint("currency", "year"),)

    id: Mapped[UUIDPk]
    currency: Mapped[CurrencyCode]
    year: Mapped[int]
    index: Mapped[Decimal] = mapped_column(_RATE)
    source: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[CreatedAt]
