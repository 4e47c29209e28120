"""Sign-in throttling: failed sign-ins counted per account and per client address.

The counts live in the database, so every gunicorn worker, thread and host sees the same ones.
ACCOUNT_LIMIT failures for one e-mail within WINDOW lock that e-mail for LOCK; ADDRESS_LIMIT
failures from one address lock the address (higher: an office behind one NAT shares it). A
locked attempt is refused before its password is checked (no Argon2 work, nothing counted),
with the same message whether or not the account exists: e-mails are counted whether or not
they have an account, and stored only as an HMAC (someone may type a password there).
A successful sign-in clears the account's count, never the address's (an attacker's own
valid account must not reset the count of its guesses). Rows older than RETENTION are
deleted by the housekeeping job.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Delete, Index, String, and_, delete, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from esgx_platform.audit.services import record_event
from esgx_platform.db import Base, UUIDPk, utcnow
from esgx_platform.errors import EsgxError
from esgx_platform.i18n import Text

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
RETENTION = timedelta(days=1)
ACCOUNT, ADDRESS = "account", "address"


class SignInFailure(Base):
    """One failed sign-in, counted against an account key or an address; the failure that
    reached the limit carries the end of the lock it started."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_lookup", "scope", "key", "failed_at"),)

    id: Mapped[UUIDPk]
    scope: Mapped[str] = mapped_column(String(8))  # "account" or "address"
    key: Mapped[str] = mapped_column(String(64))  # HMAC of the e-mail, or the address
    failed_at: Mapped[datetime]
    locks_until: Mapped[datetime | None]


class SignInLocked(EsgxError):
    status = 429
    type_slug = "sign-in-locked"
    title = Text("Too many failed sign-ins", "登录失败次数过多")


@dataclass(frozen=True)
class Attempt:
    """Who is trying to sign in, as the throttle counts it."""

    account: str
    address: str | None

    @classmethod
    def of(cls, email: str, address: str | None, *, secret: str) -> Attempt:
        """The e-mail (lower-cased, trimmed) as an HMAC under `secret`; the address as is."""
        digest = hmac.new(secret.encode(), email.strip().lower().encode(), hashlib.sha256)
        return cls(digest.hexdigest(), address)

    def counted(self) -> list[tuple[str, str, int]]:
        """(scope, key, limit) of each count the attempt goes into."""
        found = [(ACCOUNT, self.account, ACCOUNT_LIMIT)]
        return found + ([(ADDRESS, self.address, ADDRESS_LIMIT)] if self.address else [])


@dataclass(frozen=True)
class Lock:
    scope: str
    until: datetime

    def seconds_left(self) -> int:
        return max(1, math.ceil((self.until - utcnow()).total_seconds()))

    def refusal(self) -> SignInLocked:
        """The error to answer with: when to try again, the same whether the account exists."""
        minutes = math.ceil(self.seconds_left() / 60)
        return SignInLocked(
            Text(
                "Too many failed sign-ins. Try again in {n} minutes.",
                "登录失败次数过多，请 {n} 分钟后再试。",
            ).format(n=minutes),
            extra={"retryAfter": self.seconds_left()},
        )


def sign_in_lock(session: Session, attempt: Attempt) -> Lock | None:
    """The lock in force on the attempt's account or address (the later-ending), if any."""
    matches = [
        and_(SignInFailure.scope == scope, SignInFailure.key == key)
        for scope, key, _ in attempt.counted()
    ]
    row = session.execute(
        select(SignInFailure.scope, SignInFailure.locks_until)
        .where(or_(*matches), SignInFailure.locks_until > utcnow())
        .order_by(SignInFailure.locks_until.desc())
        .limit(1)
    ).first()
    return None if row is None or row[1] is None else Lock(row[0], row[1])


def record_failure(
    session: Session, attempt: Attempt, *, user_id: uuid.UUID | None = None, remote_addr: str | None
) -> Lock | None:
    """Count a failed sign-in against the account and the address; one that reaches its
    limit within WINDOW starts a lock of LOCK, audited and returned."""
    now = utcnow()
    started = None
    for scope, key, limit in attempt.counted():
        recent = session.scalar(
            select(func.count(SignInFailure.id)).where(
                SignInFailure.scope == scope,
                SignInFailure.key == key,
                SignInFailure.failed_at > now - WINDOW,
            )
        )
        locks_until = now + LOCK if (recent or 0) + 1 >= limit else None
        session.add(SignInFailure(scope=scope, key=key, failed_at=now, locks_until=locks_until))
        if locks_until is not None:
            started = started or Lock(scope, locks_until)
            record_event(
                session,
                action="auth.sign_in_locked",
                actor_user_id=user_id,
                details={"scope": scope, "until": locks_until.isoformat()},
                remote_addr=remote_addr,
            )
    session.flush()
    return started


def record_refusal(
    session: Session, lock: Lock, *, user_id: uuid.UUID | None = None, remote_addr: str | None
) -> None:
    """Audit an attempt refused because of `lock` (its password was never checked)."""
    record_event(
        session,
        action="auth.login_refused",
        actor_user_id=user_id,
        details={"reason": f"{lock.scope}_locked", "until": lock.until.isoformat()},
        remote_addr=remote_addr,
    )


def clear_account(session: Session, attempt: Attempt) -> None:
    """A successful sign-in starts the account's count afresh (not the address's)."""
    session.execute(
        delete(SignInFailure).where(
            SignInFailure.scope == ACCOUNT, SignInFailure.key == attempt.account
        )
    )


def expired_failures() -> Delete:
    """The DELETE the housekeeping job runs: rows past RETENTION whose lock has ended."""
    cutoff = utcnow() - RETENTION
    return delete(SignInFailure).where(
        SignInFailure.failed_at < cutoff,
        or_(SignInFailure.locks_until.is_(None), SignInFailure.locks_until < cutoff),
    )
