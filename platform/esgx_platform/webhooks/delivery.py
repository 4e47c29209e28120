"""Sending the outbox: claim due deliveries, POST each (signed), record every attempt; retry
with exponential back-off and jitter until 72 hours after the event, then dead-letter.

Guarantee: at least once. A delivery is claimed under a lease and sent outside any
transaction (an HTTP call must not hold database locks); if the process dies after the
receiver answered but before the outcome is committed, the lease runs out and it is sent
again with the same webhook-id, which receivers use to drop the repeat.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from esgx_platform.db import Database, utcnow
from esgx_platform.jobs.base import JobContext, JobResult
from esgx_platform.outbound import OutboundError, backoff, post
from esgx_platform.secretbox import SecretBox
from esgx_platform.webhooks.endpoints import live_secrets
from esgx_platform.webhooks.events import event_body
from esgx_platform.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from esgx_platform.webhooks.signatures import headers_for

log = logging.getLogger(__name__)
BATCH = 50
# Long enough for a whole batch of calls timing out (10 s each) before another deliverer may
# take the rows over.
LEASE = timedelta(minutes=15)
TIMEOUT_SECONDS = 10.0
ERROR_CHARS = 500


@dataclass(frozen=True)
class Outgoing:
    delivery_id: uuid.UUID
    msg_id: str
    url: str
    body: bytes
    secrets: list[str]


@dataclass
class Sent:
    delivered: int = 0
    retrying: int = 0
    dead: int = 0

    def summary(self) -> str:
        return f"webhooks: {self.delivered} delivered, {self.retrying} to retry, {self.dead} dead"

    @property
    def busy(self) -> bool:
        return bool(self.delivered or self.retrying or self.dead)


def deliver_due(database: Database, *, box: SecretBox, base_url: str, ca_file: Path | None) -> Sent:
    """Send every delivery that is due now; a failed one is recorded, never raised."""
    report = Sent()
    for outgoing in claim_due(database, box=box, base_url=base_url):
        state = _attempt(database, outgoing, ca_file)
        report.delivered += state == "delivered"
        report.retrying += state == "pending"
        report.dead += state == "dead"
    report.dead += expire_waiting(database)
    return report


def claim_due(
    database: Database, *, box: SecretBox, base_url: str, limit: int = BATCH
) -> list[Outgoing]:
    """Lease up to `limit` due deliveries of active endpoints to this deliverer (PostgreSQL:
    rows another deliverer is claiming are skipped; SQLite serializes writers anyway)."""
    now = utcnow()
    with database.transaction() as session:
        rows = session.execute(
            select(WebhookDelivery, WebhookEndpoint, WebhookEvent)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(
                WebhookDelivery.state == "pending",
                WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
                WebhookEndpoint.disabled_at.is_(None),
                WebhookEndpoint.deleted_at.is_(None),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=WebhookDelivery)
        ).all()
        claimed = []
        for delivery, endpoint, event in rows:
            delivery.claimed_until = now + LEASE
            claimed.append(
                Outgoing(
                    delivery.id,
                    str(event.id),
                    endpoint.url,
                    event_body(event, base_url),
                    live_secrets(endpoint, box, now),
                )
            )
        return claimed


def _attempt(database: Database, outgoing: Outgoing, ca_file: Path | None) -> str:
    """POST once and record it; the delivery's state afterwards."""
    attempted_at = utcnow()
    headers = headers_for(
        outgoing.secrets,
        msg_id=outgoing.msg_id,
        timestamp=int(attempted_at.timestamp()),
        body=outgoing.body,
    )
    started = time.monotonic()
    status: int | None = None
    try:
        answer = post(
            outgoing.url, outgoing.body, headers, ca_file=ca_file, timeout=TIMEOUT_SECONDS
        )
    except OutboundError as exc:
        error: str | None = exc.reason
    else:
        status = answer.status
        snippet = answer.body[:200].decode("utf-8", errors="replace")
        error = None if 200 <= status < 300 else f"HTTP {status}: {snippet}".strip()
    duration_ms = int((time.monotonic() - started) * 1000)
    if error:
        log.warning(
            "webhook delivery %s to %s failed: %s", outgoing.delivery_id, outgoing.url, error
        )
    return _record(database, outgoing.delivery_id, attempted_at, status, error, duration_ms)


def _record(
    database: Database,
    delivery_id: uuid.UUID,
    attempted_at: datetime,
    status: int | None,
    error: str | None,
    duration_ms: int,
) -> str:
    with database.transaction() as session:
        session.add(
            WebhookAttempt(
                delivery_id=delivery_id,
                attempted_at=attempted_at,
                status_code=status,
                error=error[:ERROR_CHARS] if error else None,
                duration_ms=duration_ms,
            )
        )
        delivery = session.get_one(WebhookDelivery, delivery_id)
        delivery.attempts += 1
        delivery.claimed_until = None
        delivery.last_status = status
        delivery.last_error = error[:ERROR_CHARS] if error else None
        _settle(delivery, failed=error is not None)
        return delivery.state


def _settle(delivery: WebhookDelivery, *, failed: bool) -> None:
    """Delivered; or the next attempt, never later than `expires_at`; or dead once that
    has passed (the attempt made at or after it was the last)."""
    now = utcnow()
    if not failed:
        delivery.state, delivery.delivered_at = "delivered", now
    elif now >= delivery.expires_at:
        delivery.state, delivery.dead_at = "dead", now
    else:
        delivery.next_attempt_at = min(now + backoff(delivery.attempts), delivery.expires_at)


def expire_waiting(database: Database) -> int:
    """Dead-letter the deliveries whose 72 hours passed while their endpoint was disabled
    (deliveries to active endpoints die after their last attempt, in `_settle`)."""
    now = utcnow()
    inactive = select(WebhookEndpoint.id).where(
        or_(WebhookEndpoint.disabled_at.is_not(None), WebhookEndpoint.deleted_at.is_not(None))
    )
    with database.transaction() as session:
        return _update_count(
            session,
            update(WebhookDelivery)
            .where(
                WebhookDelivery.state == "pending",
                WebhookDelivery.expires_at <= now,
                WebhookDelivery.endpoint_id.in_(inactive),
            )
            .values(
                state="dead",
                dead_at=now,
                last_error="not sent within 72 hours: the endpoint was disabled",
            )
            .execution_options(synchronize_session=False),
        )


def _update_count(session: Session, statement: Any) -> int:
    return int(cast(CursorResult[Any], session.execute(statement)).rowcount)


def deliver_webhooks(ctx: JobContext) -> JobResult:
    """The `webhooks` job: send due deliveries, retry failures with back-off, dead-letter
    those still failing 72 hours after their event."""
    settings = ctx.settings
    sent = deliver_due(
        ctx.database,
        box=SecretBox(settings.encryption_keys),
        base_url=settings.base_url,
        ca_file=settings.outbound_ca_file,
    )
    return JobResult.ok(sent.summary()) if sent.busy else JobResult.skipped(sent.summary())
