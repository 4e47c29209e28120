"""Users, memberships and password sign-in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Membership, Role, User
from esgx_platform.accounts.passwords import hash_password, needs_rehash, verify_password
from esgx_platform.accounts.schemas import UserCreateSchema
from esgx_platform.accounts.throttle import Attempt, clear_account, record_failure
from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.errors import Conflict, FieldError, InvalidInput, Unauthenticated
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization
from esgx_platform.schemas import load

# Repeated failures lock an e-mail and an address for a while (accounts/throttle.py); a lock
# that only an administrator could lift would let anyone who knows an e-mail shut its owner out.
BAD_CREDENTIALS = Text("E-mail or password is wrong.", "电子邮件或密码错误。")
INACTIVE = Text(
    "This account is locked. Ask your organization's administrator to unlock it.",
    "该账户已被锁定，请联系贵组织的管理员解锁。",
)


def create_user(
    session: Session, data: dict[str, Any], *, actor_user_id: uuid.UUID | None = None
) -> User:
    """Validate and create a user; raises InvalidInput or Conflict (e-mail taken)."""
    values = load(UserCreateSchema(), data)
    email = values["email"].strip().lower()
    if find_user(session, email) is not None:
        raise Conflict(
            Text("A user with this e-mail exists.", "该电子邮件的用户已存在。"),
            errors=(FieldError("$.email", Text("Already registered.", "已被注册。")),),
        )
    user = User(
        email=email,
        display_name=values["display_name"],
        password_hash=hash_password(values["password"]),
        locale=values["locale"],
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        action="user.created",
        actor_user_id=actor_user_id,
        target_type="user",
        target_id=user.id,
        details={"email": email},
    )
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def add_membership(
    session: Session,
    user: User,
    org: Organization,
    role: Role,
    *,
    actor_user_id: uuid.UUID | None = None,
) -> Membership:
    """Give `user` a role in `org`; the role must fit the organization's kind."""
    if role.org_kind is not org.kind:
        raise InvalidInput(
            Text(
                "Role {role} does not exist in an organization of kind {kind}.",
                "角色 {role} 不适用于类型为 {kind} 的组织。",
            ).format(role=role.value, kind=org.kind.value)
        )
    existing = session.scalar(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.organization_id == org.id,
            Membership.role == role,
        )
    )
    if existing is not None:
        return existing
    membership = Membership(user_id=user.id, organization_id=org.id, role=role)
    session.add(membership)
    session.flush()
    record_event(
        session,
        action="membership.created",
        actor_user_id=actor_user_id,
        organization_id=org.id,
        target_type="user",
        target_id=user.id,
        details={"role": role.value},
    )
    return membership


@dataclass(frozen=True)
class PasswordCheck:
    """The slow part of a sign-in (Argon2), done before the writing transaction begins."""

    user_id: uuid.UUID | None
    ok: bool


def check_password(session: Session, *, email: str, password: str) -> PasswordCheck:
    """Verify a password without writing (an unknown e-mail costs one verification too)."""
    user = find_user(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    return PasswordCheck(user.id if user else None, ok)


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    remote_addr: str | None = None,
    checked: PasswordCheck | None = None,
    attempt: Attempt | None = None,
) -> User:
    """The user whose credentials these are, or Unauthenticated (the same message whether or
    not the e-mail has an account); SignInLocked when this failure locks the `attempt`'s
    account or address (counted in the caller's transaction, which should commit it).

    Pass `checked` (from check_password, run earlier) to keep Argon2 out of the transaction
    that records the attempt; the account is read afresh here either way. Whether an account
    is deactivated is told only to someone who knows its password.
    """
    checked = checked or check_password(session, email=email, password=password)
    user = session.scalar(
        select(User)
        .where(User.email == email.strip().lower())
        .execution_options(populate_existing=True)
    )
    if user is None or not (checked.ok and checked.user_id == user.id):
        _failed(session, user, attempt, remote_addr)
    if not user.is_active:
        record_event(
            session,
            action="auth.login_refused",
            actor_user_id=user.id,
            details={"reason": "inactive"},
            remote_addr=remote_addr,
        )
        raise Unauthenticated(INACTIVE)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.last_login_at = utcnow()
    if attempt is not None:
        clear_account(session, attempt)
    record_event(session, action="auth.login", actor_user_id=user.id, remote_addr=remote_addr)
    return user


def _failed(
    session: Session, user: User | None, attempt: Attempt | None, remote_addr: str | None
) -> NoReturn:
    """Record a failed sign-in (audit, counts) and raise what the person is told."""
    if user is not None:
        user.failed_logins += 1  # consecutive failures, for the record
    record_event(
        session,
        action="auth.login_failed",
        actor_user_id=user.id if user else None,
        details={"reason": "bad_password" if user else "unknown_email"},
        remote_addr=remote_addr,
    )
    user_id = user.id if user else None
    lock = (
        record_failure(session, attempt, user_id=user_id, remote_addr=remote_addr)
        if attempt
        else None
    )
    raise lock.refusal() if lock else Unauthenticated(BAD_CREDENTIALS)
