"""The OpenAPI 3.1 document, generated from the app's URL map, each view's `@operation` and
the marshmallow schemas (apispec), with the platform's strict wire fields mapped to the JSON
types they really accept."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from importlib.metadata import version
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema, fields
from werkzeug.routing import AnyConverter, BaseConverter, Rule, UUIDConverter
from werkzeug.routing.converters import NumberConverter, PathConverter

from esgx_platform.disclosures import fields as wire
from esgx_platform.disclosures.schemas import _GAS, GasAmounts
from esgx_platform.i18n import Text
from esgx_platform.machine.scopes import scope_text
from esgx_platform.web.api_schemas import Problem
from esgx_platform.web.openapi import (
    API_TOKEN,
    CLIENT_BASIC,
    OAUTH2,
    PUBLIC,
    SESSION,
    Body,
    ErrorBody,
    Operation,
    Reply,
    SchemaLike,
    Security,
    declared_operation,
    marks,
)

PROBLEM = ErrorBody("application/problem+json", Problem)
DOCUMENTED_PREFIXES = ("/api/", "/3/", "/2/", "/auth/", "/.well-known/")
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

TITLE = Text("esgx API", "esgx 接口")
INTRO = Text(
    "The JSON APIs of esgx: signed disclosure intake, the transparency log, roll-ups, "
    "assessments, rankings and the pull APIs for lead factories' systems. Errors are RFC 9457 "
    "problem+json with detail_en and detail_zh (the OAuth2 token endpoint answers RFC 6749 "
    "errors, the PACT host PACT's own). Quantities are decimal strings, never JSON numbers.",
    "esgx 的 JSON 接口：签名披露提交、透明日志、汇总、评价、排名，"
    "以及供龙头工厂系统拉取数据的接口。"
    "错误为 RFC 9457 problem+json，含 detail_en 与 detail_zh（OAuth2 令牌端点按 RFC 6749 返回"
    "错误，PACT 接口按 PACT 规范返回）。数量一律为十进制字符串，不使用 JSON 数字。",
)
SCHEMES: Mapping[str, tuple[dict[str, Any], Text]] = {
    SESSION: (
        {"type": "apiKey", "in": "cookie", "name": "esgx_session"},
        Text(
            "A person signed in at /login (browser). Unsafe methods also need the session's "
            "CSRF token in X-CSRF-Token.",
            "在 /login 登录的用户（浏览器）。"
            "非安全方法还须在 X-CSRF-Token 中携带会话的 CSRF 令牌。",
        ),
    ),
    API_TOKEN: (
        {"type": "http", "scheme": "bearer", "bearerFormat": "esgx_at_…"},
        Text(
            "A supplier's API token (esgx_at_…), limited to its scopes: disclosures:submit, "
            "disclosures:read, keys:manage.",
            "供应商的 API 令牌（esgx_at_…），权限限于其范围：disclosures:submit、disclosures:read、"
            "keys:manage。",
        ),
    ),
    OAUTH2: (
        {"type": "oauth2"},
        Text(
            "A lead factory's OAuth2 client (client credentials): its access token, as Bearer.",
            "龙头工厂的 OAuth2 客户端（客户端凭据模式）：以 Bearer 发送其访问令牌。",
        ),
    ),
    CLIENT_BASIC: (
        {"type": "http", "scheme": "basic"},
        Text(
            "The OAuth2 client's id and secret (RFC 6749 §2.3.1).",
            "OAuth2 客户端的 id 与密钥（RFC 6749 §2.3.1）。",
        ),
    ),
}
TAGS = {
    "accounts": Text("People, organizations and supply relationships", "用户、组织与供应关系"),
    "keys": Text("Signing keys and their events", "签名密钥及其事件"),
    "disclosures": Text("Signed disclosures, receipts and bundles", "签名披露、回执与验证包"),
    "footprints": Text("Stand-alone product footprints", "独立提交的产品碳足迹"),
    "log": Text("The transparency log", "透明日志"),
    "tokens": Text("Suppliers' API tokens", "供应商 API 令牌"),
    "oauth": Text("OAuth2 client credentials", "OAuth2 客户端凭据"),
    "rollups": Text("Scope 3 roll-ups", "范围三汇总"),
    "assessments": Text("Graded assessments", "分级评价"),
    "rankings": Text("Supplier rankings and scorecards", "供应商排名与评分卡"),
    "operations": Text(
        "The service itself: health and this documentation", "服务本身：健康检查与本文档"
    ),
    "pact": Text("PACT v3 host for product footprints", "产品碳足迹的 PACT v3 接口"),
    "feed": Text("The native feed of verified disclosures", "已验证披露的原生数据流"),
    "webhooks": Text("Webhook endpoints and deliveries", "Webhook 端点与投递"),
}
STATUS_TEXT = {
    200: Text("OK", "成功"),
    201: Text("Created", "已创建"),
    202: Text("Accepted", "已受理"),
    204: Text("No content", "无内容"),
    304: Text("Not modified", "未修改"),
    400: Text("Bad request", "请求无效"),
    401: Text("Authentication required", "需要认证"),
    403: Text("Forbidden", "无权访问"),
    404: Text("Not found", "未找到"),
    409: Text("Conflict", "冲突"),
    413: Text("Request too large", "请求内容过大"),
    415: Text("Unsupported media type", "不支持的媒体类型"),
    422: Text("Invalid input", "输入无效"),
    503: Text("Unavailable", "服务不可用"),
}


def build_spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route that declares an operation."""
    plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
    spec = APISpec(
        title=TITLE.en,
        version=version("esgx"),
        openapi_version="3.1.0",
        plugins=[plugin],
        info={"description": INTRO.en, "x-title-zh": TITLE.zh, "x-description-zh": INTRO.zh},
    )
    _map_wire_fields(plugin)
    for name, (scheme, about) in SCHEMES.items():
        spec.components.security_scheme(name, {**scheme, **_described(about)})
    used_tags: set[str] = set()
    for path, operations in _paths(app, plugin):
        for op in operations.values():
            used_tags.update(op.get("tags", ()))
        spec.path(path=path, operations=operations)
    for tag in sorted(used_tags):
        text = TAGS.get(tag)
        spec.tag({"name": tag, **(_described(text) if text else {})})
    # Through JSON once: marshmallow defaults such as `()` become the arrays clients see.
    document: dict[str, Any] = json.loads(json.dumps(spec.to_dict(), default=str))
    oauth = document["components"]["securitySchemes"][OAUTH2]
    oauth["flows"] = {"clientCredentials": {"tokenUrl": "/auth/token", "scopes": _client_scopes()}}
    return document


def schema_name(schema: type[Schema] | Schema) -> str:
    """Component names: the class name without a `Schema` suffix."""
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema")


def _described(text: Text) -> dict[str, str]:
    return {"description": text.en, "x-description-zh": text.zh}


def _client_scopes() -> dict[str, str]:
    from esgx_platform.machine.services import CLIENT_SCOPES

    return {s: scope_text(s).en for s in sorted(CLIENT_SCOPES)}


def documented_rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every (rule, method) a JSON client may call: what the document must cover."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(DOCUMENTED_PREFIXES) or rule.rule == "/healthz":
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule, method


def openapi_path(rule: Rule) -> str:
    return _ARGUMENT.sub(r"{\1}", rule.rule)


def _paths(app: Flask, plugin: MarshmallowPlugin) -> Iterator[tuple[str, dict[str, Any]]]:
    taken: set[str] = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        view = app.view_functions[rule.endpoint]
        operations: dict[str, Any] = {}
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        for method in methods:
            declared = declared_operation(view, method)
            if declared is None:
                continue
            # The endpoint names the operation; a method or a number only where it repeats.
            operation_id = rule.endpoint if len(methods) == 1 else f"{rule.endpoint}.{method}"
            while operation_id in taken:
                operation_id += "_"
            taken.add(operation_id)
            operations[method.lower()] = _operation(
                rule, method, declared, marks(view), plugin, operation_id
            )
        if operations:
            yield openapi_path(rule), operations


def _operation(
    rule: Rule,
    method: str,
    declared: Operation,
    marked: Security | None,
    plugin: MarshmallowPlugin,
    operation_id: str,
) -> dict[str, Any]:
    security = declared.security if declared.security is not None else marked or PUBLIC
    op: dict[str, Any] = {
        "operationId": operation_id,
        "summary": declared.summary.en,
        "x-summary-zh": declared.summary.zh,
        "tags": list(declared.tags),
        "security": [{name: list(scopes) for name, scopes in alt.items()} for alt in security],
        "responses": _responses(rule, method, declared, security),
    }
    if declared.description is not None:
        op |= _described(declared.description)
    parameters = _path_parameters(rule, declared, plugin) + _query_parameters(declared, plugin)
    if parameters:
        op["parameters"] = parameters
    if declared.body is not None:
        op["requestBody"] = _body(declared.body)
    if declared.deprecated:
        op["deprecated"] = True
    if declared.see:
        converter: Any = plugin.converter  # apispec is untyped
        op["x-see"] = [converter.resolve_nested_schema(s) for s in declared.see]
    return op


def _content(content_type: str, schema: SchemaLike | None) -> dict[str, Any]:
    return {} if schema is None else {"content": {content_type: {"schema": schema}}}


def _body(body: Body) -> dict[str, Any]:
    found: dict[str, Any] = {
        "required": body.required,
        "content": {ct: {"schema": schema} for ct, schema in body.content.items()},
    }
    if body.description is not None:
        found |= _described(body.description)
    return found


def _responses(rule: Rule, method: str, declared: Operation, security: Security) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for status, reply in sorted(declared.responses.items()):
        found[str(status)] = _response(status, reply)
    errors = declared.errors or PROBLEM
    for status in sorted(set(declared.problems) | _implied(rule, method, declared, security)):
        if str(status) not in found:
            found[str(status)] = _response(status, Reply(errors.schema, None, errors.content_type))
    return found


def _response(status: int, reply: Reply) -> dict[str, Any]:
    text = reply.description or STATUS_TEXT.get(status) or Text(HTTPStatus(status).phrase, "")
    found: dict[str, Any] = {**_described(text), **_content(reply.content_type, reply.schema)}
    if reply.headers:
        found["headers"] = {
            name: {**_described(about), "schema": {"type": "string"}}
            for name, about in reply.headers.items()
        }
    return found


def _implied(rule: Rule, method: str, declared: Operation, security: Security) -> set[int]:
    """The problem+json answers the platform's shared machinery gives such a route."""
    if declared.errors is not None:  # another error vocabulary: the view names its own
        return set()
    implied: set[int] = set()
    if security:
        implied |= {401, 403}
    if method in _UNSAFE and any(SESSION in alt for alt in security):
        implied.add(403)  # CSRF
    if rule.arguments:
        implied.add(404)
    if declared.query is not None or declared.path is not None:
        implied.add(422)  # the view checks them
    if declared.body is not None:
        implied |= {413, 415}
        if declared.body.is_json:
            implied |= {400, 422}
    return implied


def _path_parameters(
    rule: Rule, declared: Operation, plugin: MarshmallowPlugin
) -> list[dict[str, Any]]:
    converters: Mapping[str, BaseConverter] = rule._converters
    refined = {
        p["name"]: p
        for p in (_schema_parameters(plugin, declared.path, "path") if declared.path else [])
    }
    found = []
    for name in _ARGUMENT.findall(rule.rule):
        found.append(
            refined.get(name)
            or {
                "in": "path",
                "name": name,
                "required": True,
                "schema": _converter(converters[name]),
            }
        )
    return found


def _converter(converter: BaseConverter) -> dict[str, Any]:
    if isinstance(converter, UUIDConverter):
        return {"type": "string", "format": "uuid"}
    if isinstance(converter, NumberConverter):
        found: dict[str, Any] = {"type": "integer"}
        if not converter.signed:
            found["minimum"] = 0 if converter.min is None else converter.min
        if converter.max is not None:
            found["maximum"] = converter.max
        return found
    if isinstance(converter, AnyConverter):
        return {"type": "string", "enum": sorted(converter.items)}
    if isinstance(converter, PathConverter):
        return {"type": "string"}
    return {"type": "string", "pattern": "^[^/]+$"}


def _query_parameters(declared: Operation, plugin: MarshmallowPlugin) -> list[dict[str, Any]]:
    return _schema_parameters(plugin, declared.query, "query") if declared.query else []


def _schema_parameters(
    plugin: MarshmallowPlugin, schema: type[Schema], location: str
) -> list[dict[str, Any]]:
    """Parameters from a schema; a query string has no null, so `load_default=None` is absence."""
    assert plugin.converter is not None
    found: list[dict[str, Any]] = plugin.converter.schema2parameters(schema, location=location)
    for parameter in found:
        value = parameter["schema"]
        if isinstance(value.get("type"), list):
            kinds = [t for t in value["type"] if t != "null"]
            value["type"] = kinds[0] if len(kinds) == 1 else kinds
        if "default" in value and value["default"] is None:
            del value["default"]
    return found


# --- the strict wire fields -----------------------------------------------------------------

_WIRE_TYPES: Mapping[type[fields.Field[Any]], tuple[str, str | None]] = {
    wire.Quantity: ("string", None),
    wire.WholeNumber: ("integer", None),
    wire.Choice: ("string", None),
    wire.StrictBool: ("boolean", None),
    wire.Day: ("string", "date"),
    wire.Timestamp: ("string", "date-time"),
    wire.Uuid: ("string", "uuid"),
    wire.Period: ("string", None),
    wire.OrgUrn: ("string", None),
    GasAmounts: ("object", None),
}


def _anchored(pattern: re.Pattern[str] | str) -> str:
    text = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    return f"^(?:{text})$"


def _wire_properties(self: Any, field: fields.Field[Any], ret: dict[str, Any]) -> dict[str, Any]:
    """What the custom fields accept, in JSON Schema terms (their own checks, not validators)."""
    for cls in type(field).__mro__:
        extra = _WIRE_EXTRAS.get(cls)
        if extra is not None:
            if isinstance(field, GasAmounts | wire.Items) and ret.get("default") in ((), []):
                # An absent member loads as (): not a value a client could send.
                ret.pop("default")
            return extra(field)
    return {}


def _choice(field: wire.Choice[Any]) -> dict[str, Any]:
    values: list[Any] = [member.value for member in field.enum]
    return {"enum": [*values, None] if field.allow_none else values}


def _label(field: wire.Label) -> dict[str, Any]:
    found: dict[str, Any] = {"minLength": field.min_length, "maxLength": field.max_length}
    if field.shape is not None:
        found["pattern"] = _anchored(field.shape[0])
    return found


def _items(field: wire.Items) -> dict[str, Any]:
    found: dict[str, Any] = {"minItems": field.min_items, "maxItems": field.max_items}
    if field.unique:
        found["uniqueItems"] = True
    return found


_WIRE_EXTRAS: Mapping[type[Any], Callable[[Any], dict[str, Any]]] = {
    wire.Quantity: lambda f: {
        "pattern": _anchored(wire._DECIMAL),
        "description": "Decimal string" + (" ≥ 0" if f.minimum == 0 else ""),
    },
    wire.WholeNumber: lambda f: {"minimum": f.minimum, "maximum": f.maximum},
    wire.Choice: _choice,
    wire.Period: lambda f: {"pattern": _anchored(wire._PERIOD)},
    wire.OrgUrn: lambda f: {"pattern": "^urn:esgx:org:", "maxLength": 80},
    wire.Uuid: lambda f: {"pattern": _anchored(wire._UUID)},
    wire.Timestamp: lambda f: {"pattern": _anchored(wire._TIMESTAMP)},
    wire.Day: lambda f: {"pattern": _anchored(wire._DAY)},
    wire.Label: _label,
    wire.Items: _items,
    GasAmounts: lambda f: {
        "minProperties": 1,
        "maxProperties": 32,
        "propertyNames": {"pattern": _anchored(_GAS)},
        "additionalProperties": {"type": "string", "pattern": _anchored(wire._DECIMAL)},
    },
}


def _map_wire_fields(plugin: Any) -> None:
    for cls, (kind, fmt) in _WIRE_TYPES.items():
        plugin.map_to_openapi_type(cls, kind, fmt)
    plugin.converter.add_attribute_function(_wire_properties)
