"""CloudEvents a lead factory's PACT client posts to the host (docs/pact-v3.md: Events).

A RequestCreated event is stored and acknowledged at once; the `pact-requests` job answers it
at the requester's `source` later (pact/requests.py). A Published event is noted in the audit
log: the host keeps no footprints of the lead factory's own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.errors import EsgxError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.pact.models import PactCallbackCredential, PactRequest
from esgx_platform.pact.query import filters_from
from esgx_platform.tenancy import Principal

PREFIX = "org.wbcsd.pact.ProductFootprint."
PUBLISHED = PREFIX + "PublishedEvent.3"
REQUEST_CREATED = PREFIX + "RequestCreatedEvent.3"
REQUEST_FULFILLED = PREFIX + "RequestFulfilledEvent.3"
REQUEST_REJECTED = PREFIX + "RequestRejectedEvent.3"
_REQUIRED = ("type", "specversion", "id", "source", "time", "data")


@dataclass(eq=False)
class EventRefused(EsgxError):
    """A 400 with PACT's `BadRequest` or `NotImplemented` code."""

    code: str = "BadRequest"


def _refuse(en: str, zh: str, code: str = "BadRequest") -> EventRefused:
    return EventRefused(Text(en, zh), code=code)


def normalized_source(source: str) -> str:
    return source.strip().rstrip("/")


def _envelope(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _refuse(
            "The body must be a CloudEvents 1.0 event in structured JSON.",
            "请求体必须是结构化 JSON 格式的 CloudEvents 1.0 事件。",
        )
    missing = [name for name in _REQUIRED if name not in body]
    if missing:
        raise _refuse(
            f"Missing CloudEvents members: {', '.join(missing)}.",
            f"缺少 CloudEvents 成员：{', '.join(missing)}。",
        )
    if body["specversion"] != "1.0":
        raise _refuse('specversion must be "1.0".', 'specversion 必须为 "1.0"。')
    for name in ("type", "id", "source", "time"):
        if not isinstance(body[name], str) or not body[name].strip():
            raise _refuse(f"{name} must be a non-empty string.", f"{name} 必须是非空字符串。")
    if not isinstance(body["data"], dict):
        raise _refuse("data must be a JSON object.", "data 必须是 JSON 对象。")
    try:
        datetime.fromisoformat(body["time"].replace("z", "Z"))
    except ValueError:
        raise _refuse(
            "time must be an RFC 3339 date-time.", "time 必须是 RFC 3339 日期时间。"
        ) from None
    return body


def receive_event(
    session: Session, body: object, who: Principal, *, received_at: datetime
) -> PactRequest | None:
    """Check and take one event from a lead factory's client; raises EventRefused (400)."""
    event = _envelope(body)
    org_id = who.org_ids()[0]
    if event["type"] == PUBLISHED:
        _published(session, event, who, org_id)
        return None
    if event["type"] == REQUEST_CREATED:
        return _request_created(session, event, who, org_id, received_at)
    raise _refuse(
        f"This host does not take {event['type'][:120]} events.",
        f"本主机不接受 {event['type'][:120]} 事件。",
        code="NotImplemented",
    )


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return False
    return isinstance(value, str)


def _published(session: Session, event: dict[str, Any], who: Principal, org_id: uuid.UUID) -> None:
    ids = event["data"].get("pfIds")
    if not isinstance(ids, list) or not ids:
        raise _refuse(
            "data.pfIds must be a list of footprint ids.", "data.pfIds 必须是碳足迹 ID 列表。"
        )
    for position, value in enumerate(ids):
        if not _is_uuid(value):
            raise _refuse(
                f"data.pfIds[{position}] is not a UUID.", f"data.pfIds[{position}] 不是 UUID。"
            )
    record_event(
        session,
        action="pact.published_event",
        actor_user_id=None,
        organization_id=org_id,
        target_type="pact_event",
        target_id=None,
        details={"event_id": event["id"][:200], "pf_ids": ids[:100], "by": who.machine},
    )


def _request_created(
    session: Session,
    event: dict[str, Any],
    who: Principal,
    org_id: uuid.UUID,
    received_at: datetime,
) -> PactRequest:
    source = normalized_source(event["source"])
    try:
        filters_from(event["data"])  # refuse what could never be matched, now
    except InvalidInput as exc:
        raise EventRefused(exc.detail, errors=exc.errors) from None
    registered = session.scalar(
        select(PactCallbackCredential.id).where(
            PactCallbackCredential.organization_id == org_id,
            PactCallbackCredential.base_url == source,
        )
    )
    if registered is None:
        raise _refuse(
            f"The source {source[:200]} has no callback credentials: a lead-factory administrator "
            "registers them (esgx pact-callback set, or the PACT page) so the host can answer.",
            f"来源 {source[:200]} 没有登记回调凭据：请由采购工厂管理员登记（esgx pact-callback "
            "set 或 PACT 页面），主机才能回复。",
        )
    existing = session.scalar(
        select(PactRequest).where(
            PactRequest.organization_id == org_id, PactRequest.event_id == event["id"]
        )
    )
    if existing is not None:
        return existing  # the client resent the same event: it is being answered already
    request = PactRequest(
        organization_id=org_id,
        oauth_client_id=_client_id(who),
        event_id=event["id"][:200],
        source=source,
        criteria=event["data"],
        received_at=received_at,
        next_attempt_at=received_at,
    )
    session.add(request)
    session.flush()
    return request


def _client_id(who: Principal) -> uuid.UUID:
    # Machine principals are labelled "oauth_client:<uuid>" (web/machine_auth.py).
    kind, _, value = (who.machine or "").partition(":")
    if kind != "oauth_client":
        raise _refuse("Only OAuth2 clients send requests.", "只有 OAuth2 客户端可以发送请求。")
    return uuid.UUID(value)
