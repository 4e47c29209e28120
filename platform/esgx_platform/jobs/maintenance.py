"""Periodic upkeep: signed checkpoints, mail retries, key-expiry warnings and housekeeping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.logins import expired_logins
from esgx_platform.accounts.models import Role
from esgx_platform.accounts.throttle import expired_failures
from esgx_platform.db import utcnow
from esgx_platform.jobs.base import JobContext, JobResult, insert_once
from esgx_platform.jobs.models import JobRun, KeyExpiryWarning
from esgx_platform.jobs.texts import key_expiry_letter
from esgx_platform.keys.models import KeyChallenge, SigningKey
from esgx_platform.ledger.checkpoints import latest_checkpoint, publish_checkpoint
from esgx_platform.ledger.log import current_state
from esgx_platform.machine.models import OAuthAccessToken
from esgx_platform.notifications.models import OutboxMail
from esgx_platform.notifications.outbox import deliver_due
from esgx_platform.notifications.services import active_members, notify_user
from esgx_platform.organizations.models import Organization
from esgx_platform.webhooks.events import announce_checkpoint

# Warned at most once per threshold: a month, a week and a day before a key stops being valid.
KEY_THRESHOLDS_DAYS = (30, 7, 1)


def publish_log_checkpoint(ctx: JobContext) -> JobResult:
    """Sign a checkpoint when the log has grown since the newest one."""
    signer = ctx.signer
    with ctx.database.transaction() as session:
        size = current_state(session).size
        latest = latest_checkpoint(session)
        if latest is not None and latest.size >= size:
            # One published elsewhere (GET /api/v1/log/checkpoint, the CLI) is announced once.
            announce_checkpoint(session, latest)
            return JobResult.skipped(f"log unchanged at size {size}")
        checkpoint = publish_checkpoint(session, box=signer.box, origin=signer.origin)
        announce_checkpoint(session, checkpoint)  # webhooks, in the same transaction
        return JobResult.ok(f"checkpoint at size {checkpoint.size}")


def deliver_mail(ctx: JobContext) -> JobResult:
    """Send queued mail that is due, retrying earlier failures with backoff."""
    delivery = deliver_due(ctx.database, ctx.mailer, sender=ctx.settings.mail_sender)
    busy = delivery.sent or delivery.retrying or delivery.gave_up
    return JobResult.ok(delivery.summary()) if busy else JobResult.skipped(delivery.summary())


def warn_expiring_keys(ctx: JobContext) -> JobResult:
    """Warn a supplier's administrators that a rotated key stops being valid within 30 days,
    once per key and threshold (30, 7 and 1 days)."""
    now = utcnow()
    horizon = now + timedelta(days=max(KEY_THRESHOLDS_DAYS))
    warned = 0
    with ctx.database.transaction() as session:
        keys = session.scalars(
            select(SigningKey).where(
                SigningKey.revoked_index.is_(None),
                SigningKey.not_after > now,
                SigningKey.not_after <= horizon,
            )
        ).all()
        for key in keys:
            warned += _warn(session, ctx, key)
    delivery = deliver_due(ctx.database, ctx.mailer, sender=ctx.settings.mail_sender)
    summary = f"{warned} key warnings; {delivery.summary()}"
    return JobResult.ok(summary) if warned else JobResult.skipped(summary)


def _warn(session: Session, ctx: JobContext, key: SigningKey) -> int:
    assert key.not_after is not None
    left = key.not_after - utcnow()
    threshold = min(t for t in KEY_THRESHOLDS_DAYS if left <= timedelta(days=t))
    warning = KeyExpiryWarning(
        signing_key_id=key.id, threshold_days=threshold, not_after=key.not_after
    )
    exists = select(KeyExpiryWarning.id).filter_by(signing_key_id=key.id, threshold_days=threshold)
    if session.scalar(exists) is not None or not insert_once(session, warning):
        return 0
    org = session.get_one(Organization, key.organization_id)
    letter = key_expiry_letter(
        org=org,
        kid=key.kid,
        label=key.label,
        not_after=key.not_after,
        days=max(left.days, 0),
        link=f"{ctx.settings.base_url}/portal/orgs/{org.id}/keys",
    )
    for user in active_members(session, org.id, roles=[Role.SUPPLIER_ADMIN]):
        notify_user(session, user=user, organization_id=org.id, kind="key_expiry", letter=letter)
    return 1


def housekeeping(ctx: JobContext) -> JobResult:
    """Delete what has expired and is no longer needed: key challenges, OAuth access tokens,
    sign-in failures and ended sign-in records a day old, and job runs and delivered mail
    older than the retention. Append-only tables, reminders and overdue marks are never
    touched (the marks are what keeps reminders from repeating)."""
    now = utcnow()
    cutoff = now - timedelta(days=ctx.settings.job_run_retention_days)
    statements = {
        "key challenges": delete(KeyChallenge).where(KeyChallenge.expires_at < now),
        "access tokens": delete(OAuthAccessToken).where(OAuthAccessToken.expires_at < now),
        "job runs": delete(JobRun).where(JobRun.ended_at.is_not(None), JobRun.started_at < cutoff),
        "mails": delete(OutboxMail).where(
            or_(OutboxMail.sent_at < cutoff, OutboxMail.failed_at < cutoff)
        ),
        "sign-in failures": expired_failures(),
        "sign-in records": expired_logins(),
    }
    with ctx.database.transaction() as session:
        counts = {what: _delete(session, stmt) for what, stmt in statements.items()}
    summary = ", ".join(f"{n} {what}" for what, n in counts.items()) + " deleted"
    return JobResult.ok(summary) if any(counts.values()) else JobResult.skipped(summary)


def _delete(session: Session, statement: Any) -> int:
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)
