"""API tokens and OAuth2 clients; secrets are stored only as SHA-256 hashes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from esgx_platform.db import Base, CreatedAt, UUIDPk


class ApiToken(Base):
    """A bearer token for one organization's systems, limited to its scopes."""

    __tablename__ = "api_tokens"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the token, shown in listings so people can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[Any]] = mapped_column()
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class OAuthClient(Base):
    """A lead factory's system authenticating with client credentials (RFC 6749 §4.4)."""

    __tablename__ = "oauth_clients"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[Any]] = mapped_column()
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class OAuthAccessToken(Base):
    """An access token issued to a client; opaque to the client, hashed here."""

    __tablename__ = "oauth_access_tokens"

    id: Mapped[UUIDPk]
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oauth_clients.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime]
