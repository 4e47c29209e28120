"""Lead factories' callback credentials: how the host signs in at their PACT endpoint."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.errors import FieldError, InvalidInput, NotFound
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization, OrgKind
from esgx_platform.pact.events import normalized_source
from esgx_platform.pact.models import PactCallbackCredential, PactRequest
from esgx_platform.secretbox import SecretBox

NOT_HTTPS = Text(
    "Give the https:// base URL of your PACT endpoint (the `source` of your events).",
    "请填写贵方 PACT 接口的 https:// 基础地址（即事件中的 source）。",
)


def _invalid(field: str, message: Text) -> InvalidInput:
    return InvalidInput(
        Text("The callback credentials are not valid.", "回调凭据无效。"),
        errors=(FieldError(field, message),),
    )


def _checked(base_url: str, client_id: str, secret: str) -> str:
    url = normalized_source(base_url)
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise _invalid("base_url", NOT_HTTPS)
    if len(url) > 500:
        raise _invalid("base_url", Text("At most 500 characters.", "最多 500 个字符。"))
    if not client_id.strip() or len(client_id) > 200:
        raise _invalid("client_id", Text("Give 1 to 200 characters.", "请填写 1 至 200 个字符。"))
    if not secret or len(secret) > 1000:
        raise _invalid("secret", Text("Give 1 to 1000 characters.", "请填写 1 至 1000 个字符。"))
    return url


def set_callback_credential(
    session: Session,
    *,
    organization: Organization,
    base_url: str,
    client_id: str,
    secret: str,
    box: SecretBox,
    actor_user_id: uuid.UUID | None,
) -> PactCallbackCredential:
    """Register (or replace) the credentials for one source of a lead factory's requests."""
    if organization.kind is not OrgKind.LEAD_FACTORY:
        raise _invalid("org", Text("Only lead factories send requests.", "只有采购工厂发送请求。"))
    url = _checked(base_url, client_id, secret)
    row = session.scalar(
        select(PactCallbackCredential).where(
            PactCallbackCredential.organization_id == organization.id,
            PactCallbackCredential.base_url == url,
        )
    )
    if row is None:
        row = PactCallbackCredential(
            organization_id=organization.id, base_url=url, created_by=actor_user_id
        )
        session.add(row)
    row.client_id = client_id.strip()
    row.secret_ciphertext = box.encrypt(secret.encode("utf-8"))
    row.updated_at = utcnow()
    session.flush()
    record_event(
        session,
        action="pact.callback_credentials_set",
        actor_user_id=actor_user_id,
        organization_id=organization.id,
        target_type="pact_callback_credential",
        target_id=row.id,
        details={"base_url": url, "client_id": row.client_id},
    )
    return row


def remove_callback_credential(
    session: Session,
    *,
    organization: Organization,
    base_url: str,
    actor_user_id: uuid.UUID | None,
) -> None:
    url = normalized_source(base_url)
    row = session.scalar(
        select(PactCallbackCredential).where(
            PactCallbackCredential.organization_id == organization.id,
            PactCallbackCredential.base_url == url,
        )
    )
    if row is None:
        raise NotFound(Text("No credentials for {u}.", "没有 {u} 的凭据。").format(u=url))
    record_event(
        session,
        action="pact.callback_credentials_removed",
        actor_user_id=actor_user_id,
        organization_id=organization.id,
        target_type="pact_callback_credential",
        target_id=row.id,
        details={"base_url": url},
    )
    session.delete(row)
    session.flush()


def callback_credentials(
    session: Session, organization_id: uuid.UUID
) -> list[PactCallbackCredential]:
    return list(
        session.scalars(
            select(PactCallbackCredential)
            .where(PactCallbackCredential.organization_id == organization_id)
            .order_by(PactCallbackCredential.base_url)
        )
    )


def recent_requests(
    session: Session, organization_id: uuid.UUID, limit: int = 50
) -> list[PactRequest]:
    return list(
        session.scalars(
            select(PactRequest)
            .where(PactRequest.organization_id == organization_id)
            .order_by(PactRequest.received_at.desc())
            .limit(limit)
        )
    )
