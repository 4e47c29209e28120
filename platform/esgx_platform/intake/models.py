"""Stored disclosures (append-only, JWS verbatim plus typed figures) and what hangs off them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esgx_platform.db import Base, Money, Tonnes, UUIDPk
from esgx_platform.periods.models import ReportingPeriod

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")
_MWH = Numeric(20, 6)
_PERCENT = Numeric(9, 4)


class StoredDisclosure(Base):
    """One accepted disclosure credential. Never updated: a restatement is a new row."""

    __tablename__ = "disclosures"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporting_periods.id"), index=True)
    period_key: Mapped[str] = mapped_column(String(7), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # sha256 hex of the canonical payload: the disclosure's identity everywhere.
    content_id: Mapped[str] = mapped_column(String(64), unique=True)
    jws: Mapped[str] = mapped_column(Text)
    jws_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    issuer: Mapped[str] = mapped_column(String(120))
    kid: Mapped[str] = mapped_column(String(64))
    signing_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signing_keys.id"))
    log_index: Mapped[int] = mapped_column(_BIGINT, unique=True)
    logged_at: Mapped[datetime]
    restates_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("disclosures.id"))
    restatement_reason: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    submitted_via: Mapped[str] = mapped_column(String(80))
    on_time: Mapped[bool]
    # Typed figures for set-based roll-ups and rankings (the JWS stays the source of truth).
    boundary: Mapped[str] = mapped_column(String(24))
    gwp_set: Mapped[str] = mapped_column(String(3))
    scope1_tco2e: Mapped[Tonnes]
    scope2_location_tco2e: Mapped[Tonnes]
    scope2_market_tco2e: Mapped[Tonnes]
    scope3_upstream_tco2e: Mapped[Tonnes]
    scope3_total_tco2e: Mapped[Tonnes]
    electricity_mwh: Mapped[Decimal] = mapped_column(_MWH)
    total_energy_mwh: Mapped[Decimal] = mapped_column(_MWH)
    renewable_electricity_mwh: Mapped[Decimal] = mapped_column(_MWH)
    revenue_amount: Mapped[Money]
    revenue_currency: Mapped[str] = mapped_column(String(3))
    output_amount: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    output_unit: Mapped[str] = mapped_column(String(20))
    primary_data_share: Mapped[Decimal | None] = mapped_column(_PERCENT)
    technological_dqr: Mapped[Decimal | None] = mapped_column(_PERCENT)
    geographical_dqr: Mapped[Decimal | None] = mapped_column(_PERCENT)
    temporal_dqr: Mapped[Decimal | None] = mapped_column(_PERCENT)
    verification_level: Mapped[str] = mapped_column(String(12))
    verification_statement_date: Mapped[date | None]
    best_target_status: Mapped[str] = mapped_column(String(12))
    offsets_tco2e: Mapped[Tonnes]
    warnings: Mapped[list[Any]] = mapped_column()

    # Declared so that one flush inserts rows in foreign-key order (a batch flushes once);
    # the code sets the id columns itself and never loads through these.
    period: Mapped[ReportingPeriod] = relationship(lazy="raise")
    restates: Mapped[StoredDisclosure | None] = relationship(
        remote_side="StoredDisclosure.id", lazy="raise"
    )


class DisclosureHead(Base):
    """Which disclosure is current for a supplier and period (moves on restatement)."""

    __tablename__ = "disclosure_heads"
    __table_args__ = (UniqueConstraint("organization_id", "period_id"),)

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporting_periods.id"))
    disclosure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disclosures.id"), unique=True)
    version: Mapped[int]
    updated_at: Mapped[datetime]

    disclosure: Mapped[StoredDisclosure] = relationship(lazy="raise")
    period: Mapped[ReportingPeriod] = relationship(lazy="raise")


class DisclosureAllocation(Base):
    """A disclosure's allocation of emissions to one lead-factory customer."""

    __tablename__ = "disclosure_allocations"

    id: Mapped[UUIDPk]
    disclosure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disclosures.id"), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    customer_scope3_category: Mapped[int]
    basis: Mapped[str] = mapped_column(String(10))
    customer_quantity: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    total_quantity: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    allocated_tco2e: Mapped[Tonnes]
    product_footprint_ids: Mapped[list[Any]] = mapped_column()

    disclosure: Mapped[StoredDisclosure] = relationship(lazy="raise")


class DisclosureScope3(Base):
    """The supplier's own Scope 3, one row per category."""

    __tablename__ = "disclosure_scope3"
    __table_args__ = (UniqueConstraint("disclosure_id", "category"),)

    id: Mapped[UUIDPk]
    disclosure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disclosures.id"), index=True)
    category: Mapped[int]
    tco2e: Mapped[Tonnes]
    method: Mapped[str] = mapped_column(String(20))

    disclosure: Mapped[StoredDisclosure] = relationship(lazy="raise")


class DisclosureEngagement(Base):
    """The supplier's own supply-chain engagement (tier 2), when the disclosure states it."""

    __tablename__ = "disclosure_engagement"

    disclosure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disclosures.id"), primary_key=True)
    reporting_share_by_spend: Mapped[Decimal | None] = mapped_column(_PERCENT)
    targets_share_by_spend: Mapped[Decimal | None] = mapped_column(_PERCENT)
    green_factory: Mapped[str | None] = mapped_column(String(24))
    take_back: Mapped[bool | None]

    disclosure: Mapped[StoredDisclosure] = relationship(lazy="raise")


class OffsetSerialRange(Base):
    """A retired credit serial range claimed by one supplier for one period, platform-wide.

    Intake checks for overlap while it holds the log lock (submissions are serialized there),
    so "a serial in one accepted disclosure only" cannot race; restatements of the same
    supplier and period may repeat their own serials.
    """

    __tablename__ = "offset_serial_ranges"

    id: Mapped[UUIDPk]
    prefix: Mapped[str] = mapped_column(String(200), index=True)
    # Serial numbers can exceed 64 bits; Numeric(40, 0) keeps them exact on both databases.
    first: Mapped[Decimal] = mapped_column(Numeric(40, 0))
    last: Mapped[Decimal] = mapped_column(Numeric(40, 0))
    serial: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporting_periods.id"))
    disclosure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disclosures.id"), index=True)

    disclosure: Mapped[StoredDisclosure] = relationship(lazy="raise")


class FootprintCredential(Base):
    """A stand-alone `ProductFootprint` credential, as filed. Never updated."""

    __tablename__ = "footprint_credentials"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    content_id: Mapped[str] = mapped_column(String(64), unique=True)
    jws: Mapped[str] = mapped_column(Text)
    jws_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    issuer: Mapped[str] = mapped_column(String(120))
    kid: Mapped[str] = mapped_column(String(64))
    signing_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signing_keys.id"))
    log_index: Mapped[int] = mapped_column(_BIGINT, unique=True)
    logged_at: Mapped[datetime]
    footprint_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    submitted_via: Mapped[str] = mapped_column(String(80))


class StoredFootprint(Base):
    """A PACT v3 ProductFootprint filed inside a disclosure, as filed plus typed filter columns.

    Footprints are immutable in PACT: a changed footprint is a new id whose precedingPfIds name
    the old one, which is then Deprecated (derived when listing, never written back here).
    """

    __tablename__ = "product_footprints"
    __table_args__ = (
        CheckConstraint("(disclosure_id IS NULL) <> (credential_id IS NULL)", name="one_source"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the footprint's own PACT id
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    # Filed inside a disclosure, or as a credential of its own: exactly one of the two.
    disclosure_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("disclosures.id"), index=True
    )
    credential_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("footprint_credentials.id"), index=True
    )
    spec_version: Mapped[str] = mapped_column(String(16))
    created: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12))
    product_ids: Mapped[list[Any]] = mapped_column()
    company_ids: Mapped[list[Any]] = mapped_column()
    classifications: Mapped[list[Any]] = mapped_column()
    preceding_ids: Mapped[list[Any]] = mapped_column()
    geography_country: Mapped[str | None] = mapped_column(String(2))
    geography_subdivision: Mapped[str | None] = mapped_column(String(6))
    geography_region: Mapped[str | None] = mapped_column(String(40))
    reference_period_start: Mapped[datetime]
    reference_period_end: Mapped[datetime]
    validity_start: Mapped[datetime | None]
    validity_end: Mapped[datetime | None]
    declared_unit: Mapped[str] = mapped_column(String(20))
    pcf_excluding_biogenic: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    body: Mapped[dict[str, Any]] = mapped_column()

    disclosure: Mapped[StoredDisclosure | None] = relationship(lazy="raise")
    credential: Mapped[FootprintCredential | None] = relationship(lazy="raise")


class DisclosureDraft(Base):
    """A disclosure being prepared in the portal (not signed, not a record: it may change)."""

    __tablename__ = "disclosure_drafts"
    __table_args__ = (UniqueConstraint("organization_id", "period_key"),)

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    period_key: Mapped[str] = mapped_column(String(7))
    fields: Mapped[dict[str, Any]] = mapped_column()
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]
