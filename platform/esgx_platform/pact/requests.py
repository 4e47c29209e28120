"""Answering footprint requests (RequestCreated events) at the requester's own PACT endpoint.

The answer is decided once, on the first attempt, and stored: every retry posts the very same
event (same id), so a requester that got it but whose 200 was lost sees a duplicate it can
recognise, never two different answers. The host signs in at `{source}/auth/token` with the
credentials the lead factory registered for that source, then posts to `{source}/3/events`;
failures are retried with the platform's back-off (outbound.backoff) for up to three days
(docs/pact-v3.md), then given up. Like the mail outbox: rows are leased, and the HTTP calls
happen outside any transaction.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.db import Database, utcnow
from esgx_platform.errors import InvalidInput
from esgx_platform.organizations.models import OrgKind
from esgx_platform.outbound import OutboundError, backoff, post
from esgx_platform.pact.events import REQUEST_FULFILLED, REQUEST_REJECTED
from esgx_platform.pact.listing import ACTIVE, Cursor, list_page
from esgx_platform.pact.models import PactCallbackCredential, PactRequest
from esgx_platform.pact.query import filters_from
from esgx_platform.secretbox import SecretBox
from esgx_platform.tenancy import Grant, Principal, Purpose, TenantScope

log = logging.getLogger(__name__)
GIVE_UP_AFTER = timedelta(days=3)
LEASE = timedelta(minutes=5)
BATCH = 50
MAX_ANSWERED = 100  # footprints in one RequestFulfilled event


@dataclass
class Answering:
    fulfilled: int = 0
    rejected: int = 0
    retrying: int = 0
    gave_up: int = 0

    def summary(self) -> str:
        return (
            f"pact requests: {self.fulfilled} fulfilled, {self.rejected} rejected, "
            f"{self.retrying} to retry, {self.gave_up} given up"
        )

    def busy(self) -> bool:
        return any((self.fulfilled, self.rejected, self.retrying, self.gave_up))


@dataclass(frozen=True)
class _Due:
    id: uuid.UUID
    source: str
    answer: dict[str, Any]
    client_id: str
    secret: str


def answer_due(
    database: Database, box: SecretBox, *, host_source: str, ca_file: Path | None
) -> Answering:
    """Answer every request that is due; failures are recorded, never raised."""
    report = Answering()
    for due in _claim(database, box, host_source):
        try:
            _deliver(due, ca_file)
        except OutboundError as exc:
            gave_up = _record_failure(database, due.id, exc.reason)
            report.gave_up += gave_up
            report.retrying += not gave_up
            log.warning("PACT answer %s to %s not delivered: %s", due.id, due.source, exc.reason)
        else:
            _record_done(database, due.id)
            if due.answer["type"] == REQUEST_FULFILLED:
                report.fulfilled += 1
            else:
                report.rejected += 1
    return report


def _claim(database: Database, box: SecretBox, host_source: str) -> list[_Due]:
    now = utcnow()
    claimed = []
    with database.transaction() as session:
        rows = session.scalars(
            select(PactRequest)
            .where(
                PactRequest.state == "pending",
                PactRequest.next_attempt_at <= now,
                or_(PactRequest.claimed_until.is_(None), PactRequest.claimed_until < now),
            )
            .order_by(PactRequest.next_attempt_at, PactRequest.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            credential = session.scalar(
                select(PactCallbackCredential).where(
                    PactCallbackCredential.organization_id == row.organization_id,
                    PactCallbackCredential.base_url == row.source,
                )
            )
            if credential is None:  # removed since the request came: nobody to answer
                row.state, row.finished_at = "failed", now
                row.last_error = "no callback credentials for this source any more"
                continue
            if row.answer is None:
                row.answer = decide(session, row, host_source)
            row.claimed_until = now + LEASE
            secret = box.decrypt(credential.secret_ciphertext).decode("utf-8")
            claimed.append(_Due(row.id, row.source, row.answer, credential.client_id, secret))
    return claimed


def _requester(row: PactRequest) -> Principal:
    grant = Grant(row.organization_id, OrgKind.LEAD_FACTORY, Role.FACTORY_ANALYST)
    return Principal(None, (grant,), frozenset({"footprints:read"}), f"pact_request:{row.id}")


def decide(session: Session, row: PactRequest, host_source: str) -> dict[str, Any]:
    """The event answering `row`: Fulfilled with the matching footprints the requester may see
    now (Active ones unless the request names a status), or Rejected when none match."""
    try:
        filters = filters_from(row.criteria)
    except InvalidInput as exc:  # checked on receipt; only a changed rule could get here
        return _event(REQUEST_REJECTED, host_source, row, _error("BadRequest", exc.detail.en))
    if not filters.statuses:
        filters = replace(filters, statuses=(ACTIVE,))
    readable = TenantScope(session, _requester(row)).readable(Purpose.DATA)
    page = list_page(session, readable, filters, Cursor(), MAX_ANSWERED)
    if not page.footprints:
        return _event(
            REQUEST_REJECTED,
            host_source,
            row,
            _error("NotFound", "No footprint you may see matches the request."),
        )
    return _event(REQUEST_FULFILLED, host_source, row, {"pfs": page.parsed()})


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _event(kind: str, host_source: str, row: PactRequest, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": kind,
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": host_source,
        "time": utcnow().isoformat().replace("+00:00", "Z"),
        "data": {"requestEventId": row.event_id, **data},
    }


def _deliver(due: _Due, ca_file: Path | None) -> None:
    """Sign in at the requester and post the answer; OutboundError on anything but success."""
    basic = base64.b64encode(
        f"{quote(due.client_id, safe='')}:{quote(due.secret, safe='')}".encode()
    ).decode("ascii")
    answer = post(
        f"{due.source}/auth/token",
        urlencode({"grant_type": "client_credentials"}).encode("ascii"),
        {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
        ca_file=ca_file,
    )
    if answer.status != 200:
        raise OutboundError.because(f"token endpoint answered {answer.status}")
    try:
        token = json.loads(answer.body)["access_token"]
    except (ValueError, KeyError, TypeError):
        raise OutboundError.because("token endpoint sent no access_token") from None
    body = json.dumps(due.answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    posted = post(
        f"{due.source}/3/events",
        body,
        {"Authorization": f"Bearer {token}", "Content-Type": "application/cloudevents+json"},
        ca_file=ca_file,
    )
    if not 200 <= posted.status < 300:
        raise OutboundError.because(f"events endpoint answered {posted.status}")


def _record_done(database: Database, request_id: uuid.UUID) -> None:
    with database.transaction() as session:
        row = session.get_one(PactRequest, request_id)
        row.attempts += 1
        fulfilled = row.answer is not None and row.answer["type"] == REQUEST_FULFILLED
        row.state = "fulfilled" if fulfilled else "rejected"
        row.finished_at, row.claimed_until, row.last_error = utcnow(), None, None


def _record_failure(database: Database, request_id: uuid.UUID, reason: str) -> bool:
    """Record a failed attempt; True when the request is given up (three days after it came)."""
    now = utcnow()
    with database.transaction() as session:
        row = session.get_one(PactRequest, request_id)
        row.attempts += 1
        row.claimed_until, row.last_error = None, reason
        following = now + backoff(row.attempts)
        if following - row.received_at > GIVE_UP_AFTER:
            row.state, row.finished_at = "failed", now
            return True
        row.next_attempt_at = following
        return False
