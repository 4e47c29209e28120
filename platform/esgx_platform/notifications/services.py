"""Notifying people: an inbox row plus a queued mail in their language, in the caller's
transaction; and reading one's inbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Membership, Role, User
from esgx_platform.db import utcnow
from esgx_platform.errors import NotFound
from esgx_platform.i18n import Text, normalize_locale
from esgx_platform.notifications.letters import Letter
from esgx_platform.notifications.models import Notification, OutboxMail


def active_members(
    session: Session, organization_id: uuid.UUID, roles: Iterable[Role] | None = None
) -> list[User]:
    """The organization's active users (each once, whatever their number of roles)."""
    stmt = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, User.is_active.is_(True))
        .distinct()
        .order_by(User.email)
    )
    if roles is not None:
        stmt = stmt.where(Membership.role.in_(list(roles)))
    return list(session.scalars(stmt))


def notify_user(
    session: Session,
    *,
    user: User,
    organization_id: uuid.UUID,
    kind: str,
    letter: Letter,
    period_id: uuid.UUID | None = None,
    stage: str | None = None,
    reminder_id: uuid.UUID | None = None,
) -> Notification:
    """Put `letter` in the user's inbox and queue it as mail in the user's language; both are
    written with the caller's transaction, and the mail goes out after it commits."""
    note = Notification(
        id=uuid.uuid4(),  # known before the flush: the outbox row refers to it
        organization_id=organization_id,
        user_id=user.id,
        kind=kind,
        period_id=period_id,
        stage=stage,
        reminder_id=reminder_id,
        title_en=letter.title.en,
        title_zh=letter.title.zh,
        body_en=letter.body("en"),
        body_zh=letter.body("zh"),
        link=letter.link,
    )
    session.add(note)
    queue_mail(
        session,
        to_address=user.email,
        locale=user.locale,
        letter=letter,
        name=user.display_name,
        notification_id=note.id,
    )
    return note


def queue_mail(
    session: Session,
    *,
    to_address: str,
    locale: str,
    letter: Letter,
    name: str | None,
    notification_id: uuid.UUID | None = None,
) -> OutboxMail:
    """Queue `letter` as mail in `locale` in the caller's transaction (sent after the commit
    by the `mail-outbox` job); `name` None greets without a name (no account yet)."""
    locale = normalize_locale(locale)
    mail = OutboxMail(
        notification_id=notification_id,
        to_address=to_address,
        locale=locale,
        subject=letter.title.render(locale),
        body_text=letter.mail_text(locale, name),
        body_html=letter.mail_html(locale, name),
        next_attempt_at=utcnow(),
    )
    session.add(mail)
    return mail


def inbox(session: Session, *, user_id: uuid.UUID, unread_only: bool = False) -> list[Notification]:
    """A person's notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.created_at.desc())))


def mark_read(session: Session, *, user_id: uuid.UUID, notification_id: uuid.UUID) -> Notification:
    """Mark one of the user's notifications read; raises NotFound for anyone else's."""
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user_id:
        raise NotFound(Text("No such notification.", "没有这条通知。"))
    if note.read_at is None:
        note.read_at = utcnow()
    return note


def mark_all_read(session: Session, *, user_id: uuid.UUID) -> int:
    """Mark every unread notification of the user read; how many were unread."""
    unread = inbox(session, user_id=user_id, unread_only=True)
    now = utcnow()
    for note in unread:
        note.read_at = now
    return len(unread)


def unread_count(session: Session, *, user_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return int(session.scalar(stmt) or 0)
