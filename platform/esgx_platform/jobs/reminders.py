"""The deadline jobs: filing reminders at T-14, T-3 and T+1, and overdue marks at T+1.

Each effect is guarded by a unique row inserted in the same transaction as the effect (the
reminder with its inbox rows and queued mail; the overdue mark with its audit event), so two
schedulers, a retried run or `esgx jobs run-once` can never repeat it: the second insert fails
and that supplier is skipped. Mail goes out after the commit, from the outbox.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.jobs.base import JobContext, JobResult, insert_once
from esgx_platform.jobs.deadlines import Owed, Stage, lead_factory_ids, owed_filings
from esgx_platform.jobs.models import OverdueMark, Reminder
from esgx_platform.jobs.texts import reminder_letter
from esgx_platform.notifications.outbox import deliver_due
from esgx_platform.notifications.services import active_members, notify_user
from esgx_platform.webhooks.events import announce_overdue


def send_reminders(ctx: JobContext) -> JobResult:
    """Remind every supplier that owes a filing at today's stage, once per stage."""
    today = utcnow().date()
    reminders = notified = 0
    # One transaction per lead factory: a large supply base does not hold one long write lock.
    for factory_id in _factories(ctx):
        with ctx.database.transaction() as session:
            for owed in owed_filings(session, factory_id, today):
                sent = _remind(session, ctx, owed)
                reminders += sent > 0
                notified += sent
    delivery = deliver_due(ctx.database, ctx.mailer, sender=ctx.settings.mail_sender)
    summary = f"{reminders} reminders to {notified} people; {delivery.summary()}"
    return JobResult.ok(summary) if reminders or delivery.sent else JobResult.skipped(summary)


def _factories(ctx: JobContext) -> list[uuid.UUID]:
    with ctx.database.transaction(write=False) as session:
        return list(lead_factory_ids(session))


def _remind(session: Session, ctx: JobContext, owed: Owed) -> int:
    """Record the reminder and notify the supplier's members; how many were notified (0 when
    it was sent before, or when nobody could receive it yet: someone who joins later still
    gets the current stage)."""
    if _exists(session, Reminder, owed, stage=owed.due.stage.value):
        return 0
    members = active_members(session, owed.supplier.id)
    if not members:
        return 0
    reminder = Reminder(
        id=uuid.uuid4(),  # known before the flush: the inbox rows refer to it
        supplier_id=owed.supplier.id,
        lead_factory_id=owed.factory.id,
        period_id=owed.period.id,
        stage=owed.due.stage.value,
        deadline=owed.due.deadline,
        recipients=len(members),
    )
    if not insert_once(session, reminder):
        return 0
    letter = reminder_letter(
        stage=owed.due.stage,
        factory=owed.factory,
        supplier=owed.supplier,
        quarter=owed.due.quarter,
        deadline=owed.due.deadline,
        today=utcnow().date(),
        link=form_link(ctx.settings.base_url, owed.supplier.id, owed.period.key),
    )
    for user in members:
        notify_user(
            session,
            user=user,
            organization_id=owed.supplier.id,
            kind="reminder",
            letter=letter,
            period_id=owed.period.id,
            stage=owed.due.stage.value,
            reminder_id=reminder.id,
        )
    return len(members)


def form_link(base_url: str, supplier_id: uuid.UUID, period_key: str) -> str:
    """The supplier's disclosure form for the period in the portal (what a reminder links)."""
    return f"{base_url}/portal/orgs/{supplier_id}/form?period={period_key}"


def mark_overdue(ctx: JobContext) -> JobResult:
    """Mark every supplier still without a filing a day after the deadline, once per
    supplier, lead factory and quarter, with a `supplier.overdue` audit event."""
    today = utcnow().date()
    marked = 0
    for factory_id in _factories(ctx):
        with ctx.database.transaction() as session:
            for owed in owed_filings(session, factory_id, today):
                if owed.due.stage is Stage.OVERDUE and _mark(session, owed):
                    marked += 1
    summary = f"{marked} suppliers marked overdue"
    return JobResult.ok(summary) if marked else JobResult.skipped(summary)


def _mark(session: Session, owed: Owed) -> bool:
    if _exists(session, OverdueMark, owed):
        return False
    mark = OverdueMark(
        supplier_id=owed.supplier.id,
        lead_factory_id=owed.factory.id,
        period_id=owed.period.id,
        deadline=owed.due.deadline,
    )
    if not insert_once(session, mark):
        return False
    record_event(
        session,
        action="supplier.overdue",
        organization_id=owed.factory.id,
        target_type="organization",
        target_id=owed.supplier.id,
        details={
            "supplier": str(owed.supplier.id),
            "period": owed.period.key,
            "deadline": owed.due.deadline.isoformat(),
        },
    )
    announce_overdue(
        session,
        mark_id=mark.id,
        supplier=owed.supplier,
        factory=owed.factory,
        period_key=owed.period.key,
        deadline=owed.due.deadline,
    )
    return True


def _exists(
    session: Session, model: type[Reminder] | type[OverdueMark], owed: Owed, **more: str
) -> bool:
    """Whether the guard row is there already: checked first so that a normal rerun does not
    make the database log a unique violation for every supplier reminded before."""
    stmt = select(model.id).filter_by(
        supplier_id=owed.supplier.id, lead_factory_id=owed.factory.id, period_id=owed.period.id
    )
    return session.scalar(stmt.filter_by(**more)) is not None
