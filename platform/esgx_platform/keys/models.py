"""Registered public keys, registration challenges and the append-only key events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from esgx_platform.db import Base, CreatedAt, UUIDPk

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")


class SigningKey(Base):
    """A supplier's public key and its status as the log recorded it.

    The columns mirror `signing.KeyState`, so the platform judges a key with the very rules an
    offline verifier replays from the key events.
    """

    __tablename__ = "signing_keys"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    # RFC 7638 thumbprint; unique across the platform: a key belongs to one organization.
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    alg: Mapped[str] = mapped_column(String(16))
    public_jwk: Mapped[dict[str, Any]] = mapped_column()
    label: Mapped[str | None] = mapped_column(String(100))
    registered_index: Mapped[int] = mapped_column(_BIGINT)
    registered_at: Mapped[datetime]
    not_after: Mapped[datetime | None]
    rotated_index: Mapped[int | None] = mapped_column(_BIGINT)
    revoked_index: Mapped[int | None] = mapped_column(_BIGINT)
    revoked_effective: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(String(32))

    @property
    def status(self) -> str:
        if self.revoked_index is not None:
            return "revoked"
        return "rotated" if self.not_after is not None else "active"


class KeyChallenge(Base):
    """A one-time nonce a new key must sign (proof of possession)."""

    __tablename__ = "key_challenges"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[CreatedAt]


class KeyEventRecord(Base):
    """A signed key event exactly as received, and where the log recorded it. Append-only."""

    __tablename__ = "key_events"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    kid: Mapped[str] = mapped_column(String(64), index=True)
    event: Mapped[str] = mapped_column(String(16))  # registered | rotated | revoked
    envelope: Mapped[dict[str, Any]] = mapped_column()
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    log_index: Mapped[int] = mapped_column(_BIGINT, unique=True)
    logged_at: Mapped[datetime]
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
