"""Reading a factory's deliveries (the delivery log, dead letters) and manual redelivery."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.errors import Conflict, NotFound
from esgx_platform.i18n import Text
from esgx_platform.webhooks.events import RETRY_WINDOW, entitled_endpoints
from esgx_platform.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

STATES = ("pending", "delivered", "dead")
NO_SUCH_DELIVERY = Text("No such delivery.", "没有该推送记录。")


@dataclass(frozen=True)
class DeliveryView:
    delivery: WebhookDelivery
    event: WebhookEvent
    endpoint: WebhookEndpoint
    attempts: list[WebhookAttempt]  # oldest first


def delivery_log(
    session: Session, endpoint_id: uuid.UUID, *, state: str | None = None, limit: int = 50
) -> list[DeliveryView]:
    """An endpoint's deliveries, newest first, each with its attempts."""
    stmt = _views().where(WebhookDelivery.endpoint_id == endpoint_id)
    if state is not None:
        stmt = stmt.where(WebhookDelivery.state == state)
    return _with_attempts(session, stmt.limit(limit))


def dead_letters(
    session: Session, organization_id: uuid.UUID, *, limit: int = 100
) -> list[DeliveryView]:
    """The factory's dead deliveries to endpoints not deleted, newest first."""
    stmt = _views().where(
        WebhookEndpoint.organization_id == organization_id,
        WebhookEndpoint.deleted_at.is_(None),
        WebhookDelivery.state == "dead",
    )
    return _with_attempts(session, stmt.limit(limit))


def get_delivery(
    session: Session, *, organization_id: uuid.UUID, delivery_id: uuid.UUID
) -> DeliveryView:
    """One of the factory's deliveries; NotFound for any other."""
    stmt = _views().where(
        WebhookDelivery.id == delivery_id, WebhookEndpoint.organization_id == organization_id
    )
    found = _with_attempts(session, stmt)
    if not found:
        raise NotFound(NO_SUCH_DELIVERY)
    return found[0]


def redeliver(
    session: Session, view: DeliveryView, *, actor_user_id: uuid.UUID | None, via: str | None
) -> WebhookDelivery:
    """A fresh delivery of the same event to the same endpoint, due now and retried for 72
    hours like a new one; audited. Raises Conflict while the delivery is still pending, when
    the endpoint is not active, or when the factory may no longer see the supplier's data."""
    delivery, event, endpoint = view.delivery, view.event, view.endpoint
    if delivery.state == "pending":
        raise Conflict(Text("This delivery is still being attempted.", "该推送仍在尝试中。"))
    if endpoint.status != "active":
        raise Conflict(
            Text(
                "The endpoint is disabled or deleted; enable it first.",
                "该端点已停用或删除，请先启用。",
            )
        )
    if event.supplier_id is not None and endpoint not in entitled_endpoints(
        session, event.type, supplier_id=event.supplier_id, factory_id=endpoint.organization_id
    ):
        raise Conflict(
            Text(
                "The supplier's data-sharing consent no longer stands (or the endpoint no "
                "longer subscribes to this event type), so the event is not sent again.",
                "该供应商的数据共享授权已失效（或该端点不再订阅此事件类型），不再重新推送。",
            )
        )
    now = utcnow()
    fresh = WebhookDelivery(
        id=uuid.uuid4(),
        event_id=event.id,
        endpoint_id=endpoint.id,
        next_attempt_at=now,
        expires_at=now + RETRY_WINDOW,
        redelivery_of=delivery.id,
        requested_by=actor_user_id,
    )
    session.add(fresh)
    record_event(
        session,
        action="webhook.delivery.redelivered",
        actor_user_id=actor_user_id,
        organization_id=endpoint.organization_id,
        target_type="webhook_delivery",
        target_id=fresh.id,
        details={
            "redelivery_of": str(delivery.id),
            "event": str(event.id),
            "type": event.type,
            "endpoint": str(endpoint.id),
            **({"via": via} if via else {}),
        },
    )
    session.flush()
    return fresh


def _views() -> Select[WebhookDelivery, WebhookEvent, WebhookEndpoint]:
    return (
        select(WebhookDelivery, WebhookEvent, WebhookEndpoint)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    )


def _with_attempts(
    session: Session, stmt: Select[WebhookDelivery, WebhookEvent, WebhookEndpoint]
) -> list[DeliveryView]:
    rows: Sequence[tuple[WebhookDelivery, WebhookEvent, WebhookEndpoint]] = [
        (d, e, p) for d, e, p in session.execute(stmt)
    ]
    attempts: dict[uuid.UUID, list[WebhookAttempt]] = {d.id: [] for d, _, _ in rows}
    if attempts:
        for attempt in session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(list(attempts)))
            .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
        ):
            attempts[attempt.delivery_id].append(attempt)
    return [DeliveryView(d, e, p, attempts[d.id]) for d, e, p in rows]
