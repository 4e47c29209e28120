"""Webhook endpoints, the events written with the facts they announce (the outbox), one
delivery per event and endpoint, and every attempt (append-only).

An event row is written in the same transaction as what it announces (an accepted disclosure,
an overdue mark, a checkpoint), with a delivery for each endpoint entitled to it then; the
`webhooks` job sends deliveries after the commit. Nothing here is ever hard-deleted: a deleted
endpoint keeps its history, a redelivery is a new delivery, and attempts are never rewritten.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esgx_platform.db import Base, CreatedAt, UUIDPk, utcnow


class WebhookEndpoint(Base):
    """A lead factory's HTTPS receiver and the event types it wants. The signing secret is
    encrypted with the platform's SecretBox; after a rotation the previous one stays in use
    (both sign) until `previous_secret_until`."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(200))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    previous_secret_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_until: Mapped[datetime | None]
    secret_rotated_at: Mapped[datetime | None]
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]  # not sent to while set; enabling clears it
    deleted_at: Mapped[datetime | None]  # for good; the row and its deliveries stay as history

    @property
    def status(self) -> str:
        """active | disabled | deleted"""
        if self.deleted_at is not None:
            return "deleted"
        return "disabled" if self.disabled_at is not None else "active"


class WebhookEvent(Base):
    """One CloudEvent, as it goes out except for the platform's base URL (added when sent:
    `data` keeps links as paths). `dedupe_key` makes announcing the same fact twice fail."""

    __tablename__ = "webhook_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the CloudEvent id, webhook-id
    type: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime]  # the CloudEvent's time
    data: Mapped[dict[str, Any]] = mapped_column()
    # The supplier an event is about (None for checkpoints): a redelivery checks consent again.
    supplier_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[CreatedAt]


class WebhookDelivery(Base):
    """An event on its way to one endpoint: pending until a 2xx answer (delivered) or until
    `expires_at` passes (dead). A redelivery is a new row pointing at the one it repeats."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),)

    id: Mapped[UUIDPk]
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_events.id"), index=True)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending|delivered|dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]  # no attempt starts after this; a failure then is final
    # A deliverer's lease: others leave the row alone until it passes.
    claimed_until: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    dead_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    redelivery_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("webhook_deliveries.id"))
    requested_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]

    # Declared so that a flush inserts the event before its deliveries (the outbox adds both
    # without flushing in between).
    event: Mapped[WebhookEvent] = relationship()


class WebhookAttempt(Base):
    """One POST of a delivery and what came of it (append-only: database triggers refuse
    UPDATE and DELETE)."""

    __tablename__ = "webhook_attempts"

    id: Mapped[UUIDPk]
    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None]  # None when no answer came (refused, TLS, timeout)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int]
