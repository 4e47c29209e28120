"""The PACT v3 host (docs/pact.md): ListFootprints, GetFootprint and Events for lead factories'
PACT clients, with PACT's own error bodies (`{"code", "message"}`) rather than problem+json."""

from __future__ import annotations

import json
import uuid
from typing import cast

from flask import Blueprint, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from esgx_platform.config import Settings
from esgx_platform.cursors import CursorCodec
from esgx_platform.db import utcnow
from esgx_platform.disclosures.pact import ProductFootprintSchema
from esgx_platform.errors import EsgxError, InvalidInput, NotFound, TokenExpired
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import OrgKind
from esgx_platform.pact.events import EventRefused, receive_event
from esgx_platform.pact.listing import Cursor, Filters, find, list_page
from esgx_platform.pact.query import DEFAULT_LIMIT, MAX_LIMIT, filters_from
from esgx_platform.tenancy import Purpose
from esgx_platform.web.api_schemas import enveloped, listing
from esgx_platform.web.context import (
    db_session,
    principal,
    request_json,
    scope,
    statement_reads,
)
from esgx_platform.web.csrf import csrf_exempt
from esgx_platform.web.i18n import current_locale
from esgx_platform.web.openapi import Body, Reply, operation
from esgx_platform.web.paging import conditional_bytes, next_link
from esgx_platform.web.pull_schemas import (
    NOT_MODIFIED,
    PACT_CLIENT,
    PACT_ERRORS,
    PACT_PROBLEMS,
    PAGE_HEADERS,
    PactEvent,
    PactListQuery,
)

bp = Blueprint("pact", __name__, url_prefix="/3")


class _AnyPath(PathConverter):
    """`path` matching line breaks too (the stock one's `.` stops at them), so that every
    path under /3/, `/3/x%0A` included, gets PACT's answer and never the site's HTML 404."""

    regex = "[^/](?s:.*?)"


@bp.record_once
def _register_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["pact_path"] = _AnyPath


SCOPE = "footprints:read"
HTTPS_ONLY = Text("The PACT API answers over HTTPS only.", "PACT 接口只通过 HTTPS 提供服务。")
NO_TOKEN = Text(
    "Send an access token from /auth/token as 'Authorization: Bearer <token>'.",
    "请以 'Authorization: Bearer <令牌>' 发送从 /auth/token 获取的访问令牌。",
)
NOT_A_CLIENT = Text(
    "Only lead factories' OAuth2 clients with the footprints:read scope may use the PACT API.",
    "只有具备 footprints:read 权限的采购工厂 OAuth2 客户端可以使用 PACT 接口。",
)
NO_FOOTPRINT = Text("No such footprint.", "碳足迹不存在。")


class PactError(Exception):
    """An answer in PACT's error shape: code, message and HTTP status (docs/pact-v3.md)."""

    def __init__(self, code: str, status: int, message: Text) -> None:
        super().__init__(message.en)
        self.code, self.status, self.message = code, status, message


def _pact_response(code: str, status: int, message: str) -> Response:
    response = Response(
        json.dumps({"code": code, "message": message}, ensure_ascii=False),
        status=status,
        mimetype="application/json",
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="esgx"'
    return response


@bp.errorhandler(PactError)
def _pact_error(exc: PactError) -> Response:
    return _pact_response(exc.code, exc.status, exc.message.render(current_locale()))


@bp.errorhandler(EsgxError)
def _esgx_error(exc: EsgxError) -> Response:
    message = exc.detail.render(current_locale())
    if exc.errors:
        message += " " + "; ".join(
            f"{e.path}: {e.message.render(current_locale())}" for e in exc.errors
        )
    if isinstance(exc, TokenExpired):
        return _pact_response("TokenExpired", 401, message)
    code = {401: "BadRequest", 403: "AccessDenied", 404: "NotFound"}.get(exc.status, "BadRequest")
    return _pact_response(code, exc.status if exc.status in (401, 403, 404) else 400, message)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = {401: "BadRequest", 403: "AccessDenied", 404: "NotFound"}.get(status, "BadRequest")
    return _pact_response(code if status < 500 else "InternalError", status, exc.description or "")


def settings() -> Settings:
    return cast(Settings, current_app.extensions["esgx_settings"])


@bp.before_request
def _authenticate() -> None:
    if settings().pact_https_only and not request.is_secure:
        raise PactError("BadRequest", 400, HTTPS_ONLY)
    if not request.headers.get("Authorization", "").lower().startswith("bearer "):
        raise PactError("BadRequest", 401, NO_TOKEN)
    who = principal()  # Unauthenticated / TokenExpired for a dead token
    kinds = {grant.org_kind for grant in who.grants}
    if kinds != {OrgKind.LEAD_FACTORY} or not who.allows(SCOPE) or who.user_id is not None:
        raise PactError("AccessDenied", 403, NOT_A_CLIENT)


def _codec() -> CursorCodec:
    return CursorCodec(settings().secret_key.encode("utf-8"), "pact-footprints")


def _cursor() -> Cursor:
    token = request.args.get("cursor")
    if token is None:
        return Cursor()
    bound, index, last = _codec().decode(token)
    try:
        return Cursor(int(bound), (int(index), uuid.UUID(str(last))))
    except ValueError:
        raise InvalidInput(Text("Malformed cursor.", "游标格式错误。")) from None


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput(Text("limit must be a positive whole number.", "limit 必须是正整数。"))
    return min(int(raw), MAX_LIMIT)


def _next_link(cursor: Cursor) -> str:
    assert cursor.after is not None and cursor.bound is not None
    return next_link(_codec().encode([cursor.bound, cursor.after[0], str(cursor.after[1])]))


@bp.get("/footprints")
@statement_reads
@operation(
    Text("ListFootprints (PACT v3)", "ListFootprints：列出产品碳足迹（PACT v3）"),
    description=Text(
        "The verified footprints of the client's suppliers (with their consent), filtered and "
        "paged: follow the Link header's next URL.",
        "客户所属组织的供应商（经其同意）的已验证碳足迹，可筛选、分页："
        "请跟随 Link 头中的下一页地址。",
    ),
    tags=("pact",),
    query=PactListQuery,
    responses={
        200: Reply(listing(ProductFootprintSchema), headers=PAGE_HEADERS),
        304: NOT_MODIFIED,
    },
    security=PACT_CLIENT,
    problems=PACT_PROBLEMS,
    errors=PACT_ERRORS,
)
def list_footprints() -> ResponseReturnValue:
    """ListFootprints: the verified footprints of the client's suppliers, filtered and paged."""
    filters: Filters = filters_from(request.args.to_dict(flat=False))
    page = list_page(db_session(), scope().readable(Purpose.DATA), filters, _cursor(), _limit())
    # The stored texts joined as they are (see pact.listing.visible).
    response = conditional_bytes(f'{{"data":[{",".join(page.footprints)}]}}'.encode())
    if page.next is not None:
        response.headers["Link"] = f'<{_next_link(page.next)}>; rel="next"'
    return response


@bp.get("/footprints/<footprint_id>")
@statement_reads
@operation(
    Text("GetFootprint (PACT v3)", "GetFootprint：获取单个产品碳足迹（PACT v3）"),
    tags=("pact",),
    responses={200: enveloped(ProductFootprintSchema), 304: NOT_MODIFIED},
    security=PACT_CLIENT,
    problems=(*PACT_PROBLEMS, 404),
    errors=PACT_ERRORS,
)
def get_footprint(footprint_id: str) -> ResponseReturnValue:
    """GetFootprint: one footprint by its PACT id (404 also when it is not the client's to see)."""
    try:
        wanted = uuid.UUID(footprint_id)
    except ValueError:
        raise PactError("NotFound", 404, NO_FOOTPRINT) from None
    found = find(db_session(), scope().readable(Purpose.DATA), wanted)
    if found is None:
        raise NotFound(NO_FOOTPRINT)
    return conditional_bytes(f'{{"data":{found}}}'.encode())


@bp.post("/events")
@csrf_exempt
@operation(
    Text("Events (PACT v3)", "Events：事件（PACT v3）"),
    description=Text(
        "A PublishedEvent, or a RequestCreatedEvent answered 200 at once and fulfilled or "
        "rejected later at the requester's source.",
        "PublishedEvent，或 RequestCreatedEvent：立即返回 200，"
        "之后在请求方的 source 处完成或拒绝。",
    ),
    tags=("pact",),
    body=Body({"application/cloudevents+json": PactEvent, "application/json": PactEvent}),
    responses={200: Reply(None, Text("Accepted (empty body)", "已受理（空响应体）"))},
    security=PACT_CLIENT,
    problems=PACT_PROBLEMS,
    errors=PACT_ERRORS,
)
def events() -> ResponseReturnValue:
    """Events: Published (noted) and RequestCreated (accepted now, answered by a job)."""
    body = request_json()  # MalformedSubmission: a PACT BadRequest
    db = db_session()
    try:
        receive_event(db, body, principal(), received_at=utcnow())
    except EventRefused as exc:
        db.rollback()
        raise PactError(exc.code, 400, exc.detail) from None
    db.commit()
    return Response(status=200)


@bp.route("/<pact_path:anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@csrf_exempt
@operation(
    Text("Any other PACT path: NotFound", "其他 PACT 路径：NotFound"),
    tags=("pact",),
    responses={},
    security=PACT_CLIENT,
    problems=(*PACT_PROBLEMS, 404),
    errors=PACT_ERRORS,
)
def unknown(anything: str) -> ResponseReturnValue:
    raise PactError("NotFound", 404, Text("No such PACT endpoint.", "没有此 PACT 接口。"))
