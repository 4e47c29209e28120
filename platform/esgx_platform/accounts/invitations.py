"""Inviting people into an organization, and accepting an invitation with a new password."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.invitation_letter import invitation_letter
from esgx_platform.accounts.models import Invitation, Membership, Role, User
from esgx_platform.accounts.services import add_membership, create_user, find_user
from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from esgx_platform.i18n import Text
from esgx_platform.machine.services import Issued, sha256_hex
from esgx_platform.notifications.services import queue_mail
from esgx_platform.organizations.models import Organization

INVITATION_LIFETIME = timedelta(days=7)
GONE = Text(
    "This invitation link is unknown, used, withdrawn or expired. Ask for a new one.",
    "该邀请链接无效、已使用、已撤回或已过期，请重新申请邀请。",
)


def invite(
    session: Session,
    *,
    organization: Organization,
    email: str,
    role: Role,
    locale: str,
    actor_user_id: uuid.UUID | None,
    link_for: Callable[[str], str] | None = None,
) -> Issued[Invitation]:
    """A one-time link (valid INVITATION_LIFETIME) for `email` to join in `role`. With
    `link_for` (the link for a token), the invitation is also queued as an e-mail in the
    invitee's language, in the caller's transaction (sent after the commit). Raises
    InvalidInput for a bad address or role, Conflict for someone who is a member already."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInput(
            Text("Enter an e-mail address.", "请输入电子邮件地址。"),
            errors=(FieldError("email", Text("Not an e-mail address.", "不是电子邮件地址。")),),
        )
    if role.org_kind is not organization.kind:
        raise InvalidInput(
            Text("That role does not exist here.", "该角色不适用于此组织。"),
            errors=(FieldError("role", Text("Choose another role.", "请选择其他角色。")),),
        )
    existing = find_user(session, email)
    if existing is not None and session.scalar(
        select(Membership.id).where(
            Membership.user_id == existing.id, Membership.organization_id == organization.id
        )
    ):
        raise Conflict(Text("This person is a member already.", "此人已是成员。"))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization_id=organization.id,
        email=email,
        role=role,
        locale=locale if locale in ("zh", "en") else "zh",
        token_sha256=sha256_hex(token),
        created_by=actor_user_id,
        expires_at=utcnow() + INVITATION_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    record_event(
        session,
        action="invitation.created",
        actor_user_id=actor_user_id,
        organization_id=organization.id,
        target_type="invitation",
        target_id=invitation.id,
        details={"email": email, "role": role.value},
    )
    if link_for is not None:
        _queue_invitation(session, invitation, organization, link_for(token), actor_user_id)
    return Issued(invitation, token)


def _queue_invitation(
    session: Session,
    invitation: Invitation,
    organization: Organization,
    link: str,
    actor_user_id: uuid.UUID | None,
) -> None:
    inviter = session.get(User, actor_user_id) if actor_user_id else None
    letter = invitation_letter(
        organization=organization,
        role=invitation.role,
        inviter=inviter.display_name if inviter else None,
        link=link,
        expires_at=invitation.expires_at,
    )
    # No name yet: the invitee chooses one when accepting.
    queue_mail(
        session, to_address=invitation.email, locale=invitation.locale, letter=letter, name=None
    )


def open_invitation(session: Session, token: str) -> Invitation:
    """The live invitation for a link's token, or NotFound saying it is gone."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_sha256 == sha256_hex(token))
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= utcnow()
    ):
        raise NotFound(GONE)
    return invitation


def invited_account(session: Session, invitation: Invitation) -> User | None:
    """The account the invitation's e-mail already has, if any."""
    return find_user(session, invitation.email)


def accept(session: Session, *, token: str, values: dict[str, Any], signed_in: User | None) -> User:
    """Join: a new account from `values`, or, for an e-mail that has an account, only when
    that very account is signed in (the page never takes an existing account's password, so
    a link cannot be used to guess one). Raises NotFound, Forbidden or InvalidInput."""
    invitation = open_invitation(session, token)
    org = session.get(Organization, invitation.organization_id)
    assert org is not None
    user = invited_account(session, invitation)
    if user is None:
        user = create_user(session, {"email": invitation.email, **values})
    elif signed_in is None or signed_in.id != user.id:
        raise Forbidden(
            Text(
                "Sign in as {email} to accept this invitation.", "请以 {email} 登录后接受此邀请。"
            ).format(email=invitation.email)
        )
    add_membership(session, user, org, invitation.role)
    invitation.accepted_at = utcnow()
    record_event(
        session,
        action="invitation.accepted",
        actor_user_id=user.id,
        organization_id=org.id,
        target_type="invitation",
        target_id=invitation.id,
    )
    return user


def revoke_invitation(
    session: Session,
    *,
    organization: Organization,
    invitation_id: uuid.UUID,
    actor_user_id: uuid.UUID | None,
) -> None:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.organization_id != organization.id:
        raise NotFound(GONE)
    invitation.revoked_at = invitation.revoked_at or utcnow()
    record_event(
        session,
        action="invitation.revoked",
        actor_user_id=actor_user_id,
        organization_id=organization.id,
        target_type="invitation",
        target_id=invitation.id,
    )


def pending_invitations(session: Session, organization_id: uuid.UUID) -> list[Invitation]:
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.organization_id == organization_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def members(session: Session, organization_id: uuid.UUID) -> list[tuple[User, Role]]:
    rows = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id)
        .order_by(User.email)
    ).all()
    return [(user, role) for user, role in rows]
