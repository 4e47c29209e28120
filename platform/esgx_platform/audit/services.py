"""Writing to and reading from the append-only audit log."""

from __future__ import annotations

import uuid
from typing import Any

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
