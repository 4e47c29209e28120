"""Delivering the mail outbox: claim due rows, send each, record the outcome; retry with backoff.

Guarantee: a queued mail is delivered at least once, unless the server refuses it permanently
(5xx) or it fails MAX_ATTEMPTS times, both recorded on the row. A row is claimed under a lease
and sent outside any transaction (SMTP must not hold database locks); if the process dies after
the server accepted it but before `sent_at` is committed, the lease runs out and it is sent again.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select

from esgx_platform.db import Database, utcnow
from esgx_platform.notifications.mail import Mail, MailBackend, MailDeliveryError, build_message
from esgx_platform.notifications.models import OutboxMail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
BATCH = 200


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after the n-th failure, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


@dataclass
class Delivery:
    sent: int = 0
    retrying: int = 0
    gave_up: int = 0

    def summary(self) -> str:
        return f"mail: {self.sent} sent, {self.retrying} to retry, {self.gave_up} given up"


def deliver_due(database: Database, backend: MailBackend, *, sender: str) -> Delivery:
    """Send every mail that is due now; never raises for a delivery failure (it is recorded)."""
    report = Delivery()
    for mail in claim_due(database):
        try:
            backend.send(build_message(mail, sender=sender))
        except MailDeliveryError as exc:
            gave_up = _record_failure(database, mail.id, exc)
            report.gave_up += gave_up
            report.retrying += not gave_up
            log.warning("mail %s to %s not delivered: %s", mail.id, mail.to, exc.detail.en)
        else:
            _record_sent(database, mail.id)
            report.sent += 1
    return report


def claim_due(database: Database, limit: int = BATCH) -> list[Mail]:
    """Lease up to `limit` due rows to this deliverer. Rows another deliverer is claiming right
    now are skipped (PostgreSQL: SKIP LOCKED; SQLite: writers are serialized anyway)."""
    now = utcnow()
    with database.transaction() as session:
        rows = session.scalars(
            select(OutboxMail)
            .where(
                OutboxMail.sent_at.is_(None),
                OutboxMail.failed_at.is_(None),
                OutboxMail.next_attempt_at <= now,
                or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
            )
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.claimed_until = now + LEASE
        return [Mail(r.id, r.to_address, r.subject, r.body_text, r.body_html) for r in rows]


def _record_sent(database: Database, mail_id: uuid.UUID) -> None:
    with database.transaction() as session:
        row = session.get_one(OutboxMail, mail_id)
        row.attempts += 1
        row.sent_at = utcnow()
        row.claimed_until = None
        row.last_error = None


def _record_failure(database: Database, mail_id: uuid.UUID, exc: MailDeliveryError) -> bool:
    """Record a failed attempt; True when the mail is given up."""
    now = utcnow()
    with database.transaction() as session:
        row = session.get_one(OutboxMail, mail_id)
        row.attempts += 1
        row.claimed_until = None
        row.last_error = exc.detail.en
        if exc.permanent or row.attempts >= MAX_ATTEMPTS:
            row.failed_at = now
            return True
        row.next_attempt_at = now + backoff(row.attempts)
        return False
