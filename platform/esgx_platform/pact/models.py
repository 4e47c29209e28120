"""What the PACT host keeps beside the filed footprints: a listing index, deprecations, the
lead factories' callback credentials and the footprint requests they send.

The index rows are written with the footprint in the same transaction (never rewritten): the
log index orders the listing, so a page link keeps returning the same page while new footprints
arrive; the identifier rows make the case-insensitive, repeatable filters index lookups.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from esgx_platform.db import Base, CreatedAt, UUIDPk, utcnow

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")


class FootprintListing(Base):
    """One row per filed footprint: its owner, the log index of the record that filed it, and
    its validity (PACT's default when not given: referencePeriodEnd to three years later)."""

    __tablename__ = "footprint_listing"
    __table_args__ = (Index("ix_footprint_listing_order", "log_index", "footprint_id"),)

    footprint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product_footprints.id"), primary_key=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    log_index: Mapped[int] = mapped_column(_BIGINT)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]


class FootprintKey(Base):
    """A footprint's product id, company id, classification or geography (region, country or
    subdivision), lower-cased: each PACT filter is then one index lookup."""

    __tablename__ = "footprint_keys"
    __table_args__ = (Index("ix_footprint_keys_lookup", "kind", "value"),)

    footprint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product_footprints.id"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # product|company|class|geo
    value: Mapped[str] = mapped_column(String(500), primary_key=True)


class FootprintDeprecation(Base):
    """A footprint named in precedingPfIds of a later footprint of the same supplier."""

    __tablename__ = "footprint_deprecations"

    footprint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product_footprints.id"), primary_key=True
    )
    successor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product_footprints.id"))
    log_index: Mapped[int] = mapped_column(_BIGINT)  # the successor's


class PactCallbackCredential(Base):
    """How the host signs in at a lead factory's own PACT endpoint to answer its requests
    (the factory gives the host a client id and secret there; the secret is encrypted)."""

    __tablename__ = "pact_callback_credentials"
    __table_args__ = (UniqueConstraint("organization_id", "base_url"),)

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    base_url: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PactRequest(Base):
    """A RequestCreated event a lead factory's client sent, and how it was answered."""

    __tablename__ = "pact_requests"
    __table_args__ = (UniqueConstraint("organization_id", "event_id"),)

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    oauth_client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oauth_clients.id"))
    event_id: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))
    criteria: Mapped[dict[str, Any]] = mapped_column()
    received_at: Mapped[CreatedAt]
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    answer: Mapped[dict[str, Any] | None] = mapped_column()  # the event posted back
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
