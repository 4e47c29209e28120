"""Sign-in sessions recorded on the server, so a session can end before its cookie does.

The session cookie is signed but lives in the browser: without a record, a copy taken while
someone was signed in would keep working after they signed out or signed in again, until it
expired. Each sign-in creates a record with a fresh random id, which the cookie carries;
signing out or signing in again ends the record, and a cookie whose record has ended or
belongs to someone else authenticates nobody. Ended and expired records are deleted by the
housekeeping job after RETENTION.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Delete, ForeignKey, delete, or_
from sqlalchemy.orm import Mapped, Session, mapped_column

from esgx_platform.db import Base, CreatedAt, UUIDPk, utcnow

RETENTION = timedelta(days=1)


class LoginSession(Base):
    __tablename__ = "login_sessions"

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


def open_login(
    session: Session, *, user_id: uuid.UUID, lifetime: timedelta, previous: str | None = None
) -> LoginSession:
    """A new session record for `user_id` (the caller puts its id in the cookie); the
    browser's previous one, if any, ends."""
    end_login(session, previous)
    record = LoginSession(id=uuid.uuid4(), user_id=user_id, expires_at=utcnow() + lifetime)
    session.add(record)
    session.flush()
    return record


def end_login(session: Session, login_id: str | None) -> None:
    """End the session record `login_id` (a cookie's value; anything malformed is ignored)."""
    record = session.get(LoginSession, _uuid(login_id)) if _uuid(login_id) else None
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()
        session.flush()


def login_is_live(session: Session, login_id: str | None, user_id: uuid.UUID) -> bool:
    """Whether the cookie's session record is `user_id`'s and has not ended. Its expiry is
    the signed cookie's own (Flask refuses one older than the session lifetime by its
    signed timestamp); `expires_at` tells housekeeping when the record can go."""
    key = _uuid(login_id)
    record = session.get(LoginSession, key) if key else None
    return record is not None and record.user_id == user_id and record.ended_at is None


def expired_logins() -> Delete:
    """The DELETE the housekeeping job runs: records ended or expired before RETENTION ago."""
    cutoff = utcnow() - RETENTION
    return delete(LoginSession).where(
        or_(LoginSession.expires_at < cutoff, LoginSession.ended_at < cutoff)
    )


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
