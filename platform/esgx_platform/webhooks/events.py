"""The outbox: CloudEvents written in the caller's transaction, with a delivery for every
endpoint entitled to them at that moment; and how an event is put on the wire.

Who is entitled (the tenancy rule of `esgx_platform.tenancy`, applied at the moment of the
fact): an event about a supplier goes to the endpoints of lead factories with a current
supply relationship with it whose data-sharing consent is given and not withdrawn;
`checkpoint.published` goes to every endpoint that subscribed. Endpoints must be active and
subscribed to the event's type. With nobody entitled nothing is written.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.db import transaction_cache, utcnow
from esgx_platform.intake.models import StoredDisclosure
from esgx_platform.jobs.base import insert_once
from esgx_platform.ledger.models import LogCheckpoint
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

DISCLOSURE_VERIFIED = "disclosure.verified"
DISCLOSURE_RESTATED = "disclosure.restated"
SUPPLIER_OVERDUE = "supplier.overdue"
CHECKPOINT_PUBLISHED = "checkpoint.published"
EVENT_TYPES = (DISCLOSURE_VERIFIED, DISCLOSURE_RESTATED, SUPPLIER_OVERDUE, CHECKPOINT_PUBLISHED)
# Deliveries are retried until this long after the event, then dead-lettered.
RETRY_WINDOW = timedelta(hours=72)


def disclosure_event_type(restatement: bool) -> str:
    return DISCLOSURE_RESTATED if restatement else DISCLOSURE_VERIFIED


def announce_disclosure(
    session: Session,
    disclosure: StoredDisclosure,
    supplier: Organization,
    *,
    version: int,
    endpoints: list[WebhookEndpoint] | None = None,
) -> WebhookEvent | None:
    """`disclosure.verified` for a first filing, `disclosure.restated` for a restatement, in
    the intake's transaction (so a refused or rolled-back submission announces nothing).

    `endpoints`: those entitled to the event, when the caller looked them up beforehand
    (intake does, before taking the log's lock; every delivery checks consent again)."""
    event_type = disclosure_event_type(disclosure.restates_id is not None)
    data: dict[str, Any] = {
        "disclosureId": str(disclosure.id),
        "supplier": _supplier(supplier),
        "period": disclosure.period_key,
        "version": version,
        "logIndex": disclosure.log_index,
        "contentId": disclosure.content_id,
        "bundleUrl": f"/api/v1/disclosures/{disclosure.id}/bundle",
    }
    if disclosure.restates_id:
        data["restatesDisclosureId"] = str(disclosure.restates_id)
    return _enqueue(
        session,
        _event(event_type, f"disclosures/{disclosure.id}", disclosure.logged_at, data),
        supplier_id=supplier.id,
        dedupe_key=f"disclosure:{disclosure.id}",
        endpoints=(
            entitled_endpoints(session, event_type, supplier_id=supplier.id)
            if endpoints is None
            else endpoints
        ),
    )


def announce_overdue(
    session: Session,
    *,
    mark_id: uuid.UUID,
    supplier: Organization,
    factory: Organization,
    period_key: str,
    deadline: datetime,
) -> WebhookEvent | None:
    """`supplier.overdue` to the one lead factory the mark is for, with the overdue mark."""
    data = {
        "supplier": _supplier(supplier),
        "leadFactory": {"id": str(factory.id), "name": _names(factory)},
        "period": period_key,
        "deadline": _stamp(deadline),
    }
    endpoints = entitled_endpoints(
        session, SUPPLIER_OVERDUE, supplier_id=supplier.id, factory_id=factory.id
    )
    return _enqueue(
        session,
        _event(SUPPLIER_OVERDUE, f"suppliers/{supplier.id}/periods/{period_key}", utcnow(), data),
        supplier_id=supplier.id,
        dedupe_key=f"overdue:{mark_id}",
        endpoints=endpoints,
    )


def announce_checkpoint(session: Session, checkpoint: LogCheckpoint) -> WebhookEvent | None:
    """`checkpoint.published` to every subscribed endpoint, once per checkpoint (a second
    announcement of the same checkpoint, even by a concurrent publisher, writes nothing)."""
    dedupe_key = f"checkpoint:{checkpoint.id}"
    if session.scalar(select(WebhookEvent.id).filter_by(dedupe_key=dedupe_key)) is not None:
        return None
    data = {
        "treeSize": checkpoint.size,
        "rootHash": base64.b64encode(checkpoint.root).decode("ascii"),
        "checkpoint": checkpoint.note,
        "checkpointUrl": "/api/v1/log/checkpoint",
        "verifierKeysUrl": "/api/v1/log/key",
    }
    event = _event(
        CHECKPOINT_PUBLISHED, f"log/checkpoints/{checkpoint.size}", checkpoint.created_at, data
    )
    return _enqueue(
        session,
        event,
        supplier_id=None,
        dedupe_key=dedupe_key,
        endpoints=entitled_endpoints(session, CHECKPOINT_PUBLISHED),
        guarded=True,
    )


def entitled_endpoints(
    session: Session,
    event_type: str,
    *,
    supplier_id: uuid.UUID | None = None,
    factory_id: uuid.UUID | None = None,
) -> list[WebhookEndpoint]:
    """Active endpoints subscribed to `event_type`; for an event about a supplier, only those
    of lead factories that may see its data now (looked up once per transaction: a batch of
    filings asks the same question many times)."""
    cache = transaction_cache(session)
    key = ("webhook-endpoints", event_type, supplier_id, factory_id)
    if key not in cache:
        stmt = select(WebhookEndpoint).where(
            WebhookEndpoint.disabled_at.is_(None), WebhookEndpoint.deleted_at.is_(None)
        )
        if supplier_id is not None:
            # The rule of TenantScope.readable_org_ids(Purpose.DATA), seen from the supplier.
            consented = select(SupplyRelationship.lead_factory_id).where(
                SupplyRelationship.supplier_id == supplier_id,
                SupplyRelationship.ended_on.is_(None),
                SupplyRelationship.consent_given_at.is_not(None),
                SupplyRelationship.consent_withdrawn_at.is_(None),
            )
            stmt = stmt.where(WebhookEndpoint.organization_id.in_(consented))
        if factory_id is not None:
            stmt = stmt.where(WebhookEndpoint.organization_id == factory_id)
        rows = session.scalars(stmt.order_by(WebhookEndpoint.created_at, WebhookEndpoint.id))
        cache[key] = [e for e in rows if event_type in e.event_types]
    return list(cache[key])


def _event(event_type: str, subject: str, time: datetime, data: dict[str, Any]) -> WebhookEvent:
    return WebhookEvent(
        id=uuid.uuid4(), type=event_type, subject=subject, occurred_at=time, data=data
    )


def _enqueue(
    session: Session,
    event: WebhookEvent,
    *,
    supplier_id: uuid.UUID | None,
    dedupe_key: str,
    endpoints: list[WebhookEndpoint],
    guarded: bool = False,
) -> WebhookEvent | None:
    """Write the event and a delivery per endpoint; nothing when nobody is entitled. Facts
    that happen once (a disclosure, an overdue mark) need no guard; `guarded` inserts the
    event in a savepoint and gives up when its dedupe key exists."""
    if not endpoints:
        return None
    event.supplier_id, event.dedupe_key = supplier_id, dedupe_key
    if guarded:
        if not insert_once(session, event):
            return None
    else:
        session.add(event)
    now = utcnow()
    for endpoint in endpoints:
        session.add(
            WebhookDelivery(
                event_id=event.id,
                endpoint_id=endpoint.id,
                next_attempt_at=now,
                expires_at=now + RETRY_WINDOW,
            )
        )
    return event


def _names(org: Organization) -> dict[str, str]:
    return {"en": org.name_en, "zh": org.name_zh}


def _supplier(org: Organization) -> dict[str, Any]:
    return {"id": str(org.id), "name": _names(org), "creditCode": org.uscc}


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def cloud_event(event: WebhookEvent, base_url: str) -> dict[str, Any]:
    """The CloudEvents 1.0 structured form of an event; links in `data` stored as paths
    (keys ending in `Url`) are made absolute with the platform's base URL."""
    data = {
        key: base_url + value
        if key.endswith("Url") and isinstance(value, str) and value.startswith("/")
        else value
        for key, value in event.data.items()
    }
    return {
        "specversion": "1.0",
        "id": str(event.id),
        "source": base_url,
        "type": event.type,
        "subject": event.subject,
        "time": _stamp(event.occurred_at),
        "datacontenttype": "application/json",
        "data": data,
    }


def event_body(event: WebhookEvent, base_url: str) -> bytes:
    """The bytes POSTed (and signed): the same for every attempt of the event."""
    return json.dumps(cloud_event(event, base_url), ensure_ascii=False).encode("utf-8")
