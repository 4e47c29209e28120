"""`/api/openapi.json` and `/api/docs`: the OpenAPI document and its bilingual page, rendered
on the server from the same document (no script, nothing fetched from elsewhere)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

from esgx_platform.i18n import Text
from esgx_platform.web.i18n import current_locale
from esgx_platform.web.openapi import ANY_JSON_OBJECT, TEXT, Reply, operation
from esgx_platform.web.openapi_build import build_spec

bp = Blueprint("openapi", __name__, url_prefix="/api")
REF = "#/components/schemas/"
METHODS = ("get", "put", "post", "delete", "patch")


def spec() -> dict[str, Any]:
    """The app's document, built once (the URL map does not change while it serves)."""
    found: dict[str, Any] | None = current_app.extensions.get("esgx_openapi")
    if found is None:
        found = current_app.extensions["esgx_openapi"] = build_spec(current_app)
    return found


@bp.get("/openapi.json")
@operation(
    Text("This OpenAPI 3.1 document", "本 OpenAPI 3.1 文档"),
    tags=("operations",),
    responses={200: ANY_JSON_OBJECT},
)
def openapi_json() -> ResponseReturnValue:
    return jsonify(spec())


@bp.get("/docs")
@operation(
    Text("The API documentation as a page", "接口文档页面"),
    tags=("operations",),
    responses={200: Reply(TEXT, content_type="text/html")},
)
def docs() -> ResponseReturnValue:
    document = spec()
    locale = current_locale()
    return render_template(
        "api/docs.html",
        info=_localized(document["info"], locale),
        groups=_groups(document, locale),
        schemas=_schemas(document, locale),
        schemes=document["components"].get("securitySchemes", {}),
    )


# --- the page's view of the document ---------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    type: Markup
    required: bool
    notes: str


@dataclass(frozen=True)
class Op:
    id: str
    method: str
    path: str
    summary: str
    description: str
    security: list[dict[str, list[str]]]
    parameters: list[tuple[str, Row]]  # (where, row)
    body: list[tuple[str, Markup]]
    responses: list[tuple[str, str, list[tuple[str, Markup]]]]
    deprecated: bool
    see: list[Markup]


def _text(item: Mapping[str, Any], key: str, locale: str) -> str:
    if locale == "zh":
        chinese = item.get(f"x-{key}-zh")
        if chinese:
            return str(chinese)
    return str(item.get(key, ""))


def _localized(item: Mapping[str, Any], locale: str) -> dict[str, str]:
    return {key: _text(item, key, locale) for key in ("title", "description", "summary")}


def _groups(document: Mapping[str, Any], locale: str) -> list[tuple[str, str, list[Op]]]:
    """Operations by tag (a tag's description in the reader's language), in path order."""
    by_tag: dict[str, list[Op]] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                op = item[method]
                for tag in op.get("tags") or ["other"]:
                    by_tag.setdefault(tag, []).append(_op(path, method, op, locale))
    about = {t["name"]: _text(t, "description", locale) for t in document.get("tags", [])}
    return [(tag, about.get(tag, ""), ops) for tag, ops in sorted(by_tag.items())]


def _op(path: str, method: str, op: Mapping[str, Any], locale: str) -> Op:
    parameters = [
        (
            p["in"],
            Row(p["name"], describe(p.get("schema", {})), bool(p.get("required")), notes(p)),
        )
        for p in op.get("parameters", [])
    ]
    body = [
        (ct, describe(media.get("schema", {})))
        for ct, media in op.get("requestBody", {}).get("content", {}).items()
    ]
    responses = [
        (
            status,
            _text(answer, "description", locale),
            [(ct, describe(m.get("schema", {}))) for ct, m in answer.get("content", {}).items()],
        )
        for status, answer in op.get("responses", {}).items()
    ]
    return Op(
        id=op["operationId"],
        method=method.upper(),
        path=path,
        summary=_text(op, "summary", locale),
        description=_text(op, "description", locale),
        security=op.get("security", []),
        parameters=parameters,
        body=body,
        responses=responses,
        deprecated=bool(op.get("deprecated")),
        see=[describe(s) for s in op.get("x-see", [])],
    )


def _schemas(document: Mapping[str, Any], locale: str) -> list[tuple[str, str, list[Row]]]:
    found = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", ()))
        rows = [
            Row(prop, describe(value), prop in required, notes(value))
            for prop, value in schema.get("properties", {}).items()
        ]
        found.append((name, _text(schema, "description", locale), rows))
    return found


def describe(schema: Mapping[str, Any]) -> Markup:
    """A schema as a short type expression, with links to named schemas."""
    if "$ref" in schema:
        name = str(schema["$ref"]).removeprefix(REF)
        return Markup('<a href="#schema-{0}"><code>{0}</code></a>').format(name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return Markup(" | ").join(describe(s) for s in schema[key])
    kinds = schema.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    parts = []
    for kind in kinds:
        if kind == "array":
            parts.append(Markup("array of ") + describe(schema.get("items", {})))
        elif kind == "object" and isinstance(schema.get("additionalProperties"), Mapping):
            inner = schema["additionalProperties"]
            parts.append(Markup("object of ") + describe(inner) if inner else escape("object"))
        else:
            fmt = schema.get("format") or schema.get("contentMediaType")
            parts.append(escape(f"{kind} ({fmt})" if fmt else str(kind)))
    return Markup(" | ").join(parts)


def notes(item: Mapping[str, Any]) -> str:
    """Constraints and description of a property or parameter, on one line."""
    schema = item.get("schema", item)
    said = []
    if "enum" in schema:
        said.append(
            "∈ {" + ", ".join("null" if v is None else str(v) for v in schema["enum"]) + "}"
        )
    for key, sign in (("minimum", "≥"), ("maximum", "≤"), ("minLength", "len ≥")):
        if key in schema:
            said.append(f"{sign} {schema[key]}")
    for key in ("maxLength", "minItems", "maxItems", "pattern", "default", "const"):
        if key in schema:
            said.append(f"{key} {schema[key]}")
    if schema.get("uniqueItems"):
        said.append("unique")
    if item.get("description") or schema.get("description"):
        said.append(str(item.get("description") or schema.get("description")))
    return " · ".join(said)
