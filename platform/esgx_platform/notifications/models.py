"""The portal inbox (one row per person and message) and the outbox of mail still to deliver."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from esgx_platform.db import Base, CreatedAt, UUIDPk, utcnow


class Notification(Base):
    """A message in one person's portal inbox, kept in both languages so the page can follow
    the reader's language of the day rather than the one the mail went out in."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))  # reminder | key_expiry
    period_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reporting_periods.id"))
    stage: Mapped[str | None] = mapped_column(String(8))  # reminders: t-14, t-3, t+1
    # The reminder announced (its lead factory, period and deadline), for the inbox page.
    reminder_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reminders.id"))
    title_en: Mapped[str] = mapped_column(String(300))
    title_zh: Mapped[str] = mapped_column(String(300))
    body_en: Mapped[str] = mapped_column(Text)
    body_zh: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[CreatedAt]
    read_at: Mapped[datetime | None]


class OutboxMail(Base):
    """One e-mail to one address, rendered in the recipient's language when it was queued.

    Written in the same transaction as what it announces and delivered after the commit, so a
    crash cannot lose it; a crash between the server's acceptance and the `sent_at` update
    sends it again (at-least-once; the Message-ID stays the same, see docs/scheduler.md).
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[UUIDPk]
    notification_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notifications.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A deliverer's lease: others leave the row alone until it passes (then the sender is
    # presumed dead and the mail is tried again).
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # gave up: a permanent refusal or too many attempts
    last_error: Mapped[str | None] = mapped_column(Text)
