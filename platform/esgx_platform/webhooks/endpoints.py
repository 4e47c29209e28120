"""Registering, rotating, disabling and deleting a lead factory's webhook endpoints.

The signing secret is shown once (in the `Issued` a registration or rotation returns) and
stored encrypted with the platform's SecretBox. Every change is in the audit log; a deleted
endpoint stays, with its deliveries, as history.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.errors import Conflict, InvalidInput, NotFound
from esgx_platform.i18n import Text
from esgx_platform.machine.services import Issued
from esgx_platform.organizations.models import Organization, OrgKind
from esgx_platform.secretbox import SecretBox
from esgx_platform.tenancy import INTEGRATION_ADMIN_ROLES, INTEGRATION_VIEWER_ROLES
from esgx_platform.webhooks.models import WebhookDelivery, WebhookEndpoint
from esgx_platform.webhooks.signatures import new_secret

# After a rotation both secrets sign for this long, so receivers can switch without a gap.
ROTATION_OVERLAP = timedelta(hours=24)
MAX_ENDPOINTS = 20  # live (not deleted) endpoints per lead factory
# Who manages a lead factory's endpoints and who may only look (operators, as everywhere,
# may do both); OAuth2 clients manage them with the `webhooks:manage` scope.
MANAGER_ROLES = INTEGRATION_ADMIN_ROLES
VIEWER_ROLES = INTEGRATION_VIEWER_ROLES

NO_SUCH_ENDPOINT = Text("No such webhook endpoint.", "没有该 Webhook 端点。")
ENDPOINT_DELETED = Text(
    "The endpoint was deleted; register a new one.", "该端点已删除，请重新注册一个端点。"
)


def register_endpoint(
    session: Session,
    *,
    organization: Organization,
    values: Mapping[str, Any],
    box: SecretBox,
    actor_user_id: uuid.UUID | None,
    via: str | None = None,
) -> Issued[WebhookEndpoint]:
    """A new active endpoint (values as `EndpointIn` loads them) and its secret, returned
    once. Raises InvalidInput for an organization that is not a lead factory and Conflict
    beyond MAX_ENDPOINTS."""
    if organization.kind is not OrgKind.LEAD_FACTORY:
        raise InvalidInput(Text("Webhooks belong to lead factories.", "Webhook 仅供龙头工厂使用。"))
    live = session.scalar(
        select(func.count(WebhookEndpoint.id)).where(
            WebhookEndpoint.organization_id == organization.id,
            WebhookEndpoint.deleted_at.is_(None),
        )
    )
    if (live or 0) >= MAX_ENDPOINTS:
        raise Conflict(
            Text(
                "A lead factory may have at most {n} endpoints; delete one first.",
                "每个龙头工厂最多 {n} 个端点，请先删除一个。",
            ).format(n=MAX_ENDPOINTS)
        )
    secret = new_secret()
    endpoint = WebhookEndpoint(
        organization_id=organization.id,
        url=values["url"],
        description=(values.get("description") or "").strip() or None,
        event_types=sorted(values["event_types"]),
        secret_ciphertext=box.encrypt(secret.encode("ascii")),
        created_by=actor_user_id,
    )
    session.add(endpoint)
    session.flush()
    _audit(session, endpoint, "created", actor_user_id, via, eventTypes=endpoint.event_types)
    return Issued(endpoint, secret)


def rotate_secret(
    session: Session,
    endpoint: WebhookEndpoint,
    *,
    box: SecretBox,
    actor_user_id: uuid.UUID | None,
    via: str | None = None,
) -> Issued[WebhookEndpoint]:
    """A new secret, returned once; the old one keeps signing beside it for ROTATION_OVERLAP
    (a secret older than that is dropped). Raises Conflict for a deleted endpoint."""
    _refuse_deleted(endpoint)
    now = utcnow()
    secret = new_secret()
    endpoint.previous_secret_ciphertext = endpoint.secret_ciphertext
    endpoint.previous_secret_until = now + ROTATION_OVERLAP
    endpoint.secret_ciphertext = box.encrypt(secret.encode("ascii"))
    endpoint.secret_rotated_at = endpoint.updated_at = now
    _audit(session, endpoint, "secret_rotated", actor_user_id, via)
    return Issued(endpoint, secret)


def set_enabled(
    session: Session,
    endpoint: WebhookEndpoint,
    enabled: bool,
    *,
    actor_user_id: uuid.UUID | None,
    via: str | None = None,
) -> WebhookEndpoint:
    """Stop or resume sending to the endpoint. Deliveries already queued wait while it is
    disabled and are dead-lettered when their 72 hours pass. Raises Conflict when deleted."""
    _refuse_deleted(endpoint)
    if (endpoint.disabled_at is None) is enabled:
        return endpoint
    now = utcnow()
    endpoint.disabled_at = None if enabled else now
    endpoint.updated_at = now
    _audit(session, endpoint, "enabled" if enabled else "disabled", actor_user_id, via)
    return endpoint


def delete_endpoint(
    session: Session,
    endpoint: WebhookEndpoint,
    *,
    actor_user_id: uuid.UUID | None,
    via: str | None = None,
) -> WebhookEndpoint:
    """Delete the endpoint for good (it is kept, marked deleted, with its history); queued
    deliveries become dead letters at once. Deleting it again changes nothing."""
    if endpoint.deleted_at is not None:
        return endpoint
    now = utcnow()
    endpoint.deleted_at = endpoint.updated_at = now
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == "pending")
        .values(state="dead", dead_at=now, claimed_until=None, last_error="endpoint deleted")
        .execution_options(synchronize_session=False)
    )
    _audit(session, endpoint, "deleted", actor_user_id, via)
    return endpoint


def list_endpoints(session: Session, organization_id: uuid.UUID) -> list[WebhookEndpoint]:
    """The factory's endpoints, live ones first, then newest first."""
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.organization_id == organization_id)
            .order_by(
                WebhookEndpoint.deleted_at.is_not(None),
                WebhookEndpoint.created_at.desc(),
                WebhookEndpoint.id,
            )
        )
    )


def get_endpoint(
    session: Session, *, organization_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """The factory's endpoint; NotFound for any other (another factory's looks the same)."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.organization_id != organization_id:
        raise NotFound(NO_SUCH_ENDPOINT)
    return endpoint


def live_secrets(endpoint: WebhookEndpoint, box: SecretBox, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its overlap."""
    found = [box.decrypt(endpoint.secret_ciphertext).decode("ascii")]
    previous, until = endpoint.previous_secret_ciphertext, endpoint.previous_secret_until
    if previous is not None and until is not None and now < until:
        found.append(box.decrypt(previous).decode("ascii"))
    return found


def reencrypt_secrets(session: Session, *, box: SecretBox) -> int:
    """Re-encrypt every stored endpoint secret under the newest encryption key; how many."""
    endpoints = session.scalars(select(WebhookEndpoint)).all()
    for endpoint in endpoints:
        endpoint.secret_ciphertext = box.rotate(endpoint.secret_ciphertext)
        if endpoint.previous_secret_ciphertext is not None:
            endpoint.previous_secret_ciphertext = box.rotate(endpoint.previous_secret_ciphertext)
    session.flush()
    return len(endpoints)


def _refuse_deleted(endpoint: WebhookEndpoint) -> None:
    if endpoint.deleted_at is not None:
        raise Conflict(ENDPOINT_DELETED)


def _audit(
    session: Session,
    endpoint: WebhookEndpoint,
    what: str,
    actor_user_id: uuid.UUID | None,
    via: str | None,
    **details: Any,
) -> None:
    record_event(
        session,
        action=f"webhook.endpoint.{what}",
        actor_user_id=actor_user_id,
        organization_id=endpoint.organization_id,
        target_type="webhook_endpoint",
        target_id=endpoint.id,
        details={"url": endpoint.url, **details, **({"via": via} if via else {})},
    )
