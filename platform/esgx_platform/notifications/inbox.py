"""The portal inbox as a page reads it: a person's own notifications, unread first, each with
the reminder it announces (lead factory, period, deadline), and the filing calendar of the
supplier organizations the person works for."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from esgx_platform.jobs.calendar import CalendarRow, supplier_calendar
from esgx_platform.jobs.models import Reminder
from esgx_platform.notifications.models import Notification
from esgx_platform.organizations.models import Organization
from esgx_platform.periods.models import ReportingPeriod

# A page of the newest; reminders come a few per quarter and customer, so this is years.
INBOX_LIMIT = 200


@dataclass(frozen=True)
class InboxEntry:
    note: Notification
    organization: Organization  # the supplier it was sent as a member of
    reminder: Reminder | None
    factory: Organization | None  # the reminder's lead factory
    period: ReportingPeriod | None

    @property
    def unread(self) -> bool:
        return self.note.read_at is None


@dataclass(frozen=True)
class InboxPage:
    entries: list[InboxEntry]
    calendars: list[tuple[Organization, list[CalendarRow]]]

    @property
    def unread(self) -> int:
        return sum(entry.unread for entry in self.entries)


def inbox_entries(session: Session, *, user_id: uuid.UUID) -> list[InboxEntry]:
    """The person's own notifications (never anyone else's): unread first, newest first."""
    factory = aliased(Organization)
    stmt = (
        select(Notification, Organization, Reminder, factory, ReportingPeriod)
        .join(Organization, Organization.id == Notification.organization_id)
        .outerjoin(Reminder, Reminder.id == Notification.reminder_id)
        .outerjoin(factory, factory.id == Reminder.lead_factory_id)
        .outerjoin(ReportingPeriod, ReportingPeriod.id == Notification.period_id)
        .where(Notification.user_id == user_id)
        .order_by(
            Notification.read_at.is_not(None),  # False (unread) sorts first on both databases
            Notification.created_at.desc(),
            Notification.id,
        )
        .limit(INBOX_LIMIT)
    )
    return [InboxEntry(*row) for row in session.execute(stmt).all()]


def inbox_page(
    session: Session, *, user_id: uuid.UUID, suppliers: Sequence[Organization], today: date
) -> InboxPage:
    """The inbox and, for each supplier organization given (the caller decides which the
    person may see), its customers' deadlines."""
    return InboxPage(
        entries=inbox_entries(session, user_id=user_id),
        calendars=[(org, supplier_calendar(session, org.id, today)) for org in suppliers],
    )
