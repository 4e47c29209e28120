"""Writing to and reading from the append-only audit log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent


def record_event(
    session: Session,
    *,
    action: str,
    actor_user_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
    target_type: str | None = None,
    target_id: str | uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    remote_addr: str | None = None,
) -> AuditEvent:
    """Append one audit event to the caller's transaction."""
    event = AuditEvent(
        action=action,
        actor_user_id=actor_user_id,
        organization_id=organization_id,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or {},
        remote_addr=remote_addr,
    )
    session.add(event)  # flushed with the caller's other writes (its id is assigned then)
    return event


def list_events(
    session: Session, *, organization_ids: Sequence[uuid.UUID] | None, limit: int = 100
) -> list[AuditEvent]:
    """Newest events first; `organization_ids=None` means every tenant (operators only)."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if organization_ids is not None:
        stmt = stmt.where(AuditEvent.organization_id.in_(organization_ids))
    return list(session.scalars(stmt))
