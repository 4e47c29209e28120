"""RFC 9457 problem+json for the API, friendly bilingual pages for browsers."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from esgx_platform.errors import EsgxError, FieldError
from esgx_platform.i18n import Text
from esgx_platform.web.context import wants_json
from esgx_platform.web.i18n import current_locale

PROBLEM_BASE = "urn:esgx:problem:"
log = logging.getLogger(__name__)

_HTTP_TEXT = {
    400: Text("Bad request", "请求无效"),
    401: Text("Sign-in required", "需要登录"),
    403: Text("Forbidden", "无权访问"),
    404: Text("Not found", "未找到"),
    405: Text("Method not allowed", "不允许的请求方法"),
    413: Text("Request too large", "请求内容过大"),
    415: Text("Unsupported media type", "不支持的媒体类型"),
    429: Text("Too many requests", "请求过于频繁"),
    500: Text("Internal error", "内部错误"),
}


_HTTP_SLUGS = {
    413: "too-large",
    415: "unsupported-media-type",
    405: "method-not-allowed",
    404: "not-found",
}


def problem(
    status: int,
    type_slug: str,
    title: Text,
    detail: Text,
    errors: tuple[FieldError, ...] = (),
    extra: dict[str, Any] | None = None,
) -> Response:
    locale = current_locale()
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_slug,
        "title": title.render(locale),
        "status": status,
        "detail": detail.render(locale),
        "detail_en": detail.en,
        "detail_zh": detail.zh,
        "instance": request.path,
    }
    if errors:
        body["errors"] = [e.as_dict(locale) for e in errors]
    body.update(extra or {})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers["Content-Language"] = "zh-Hans" if locale == "zh" else "en"
    return response


def _page(status: int, title: Text, detail: Text, errors: tuple[FieldError, ...] = ()) -> Response:
    html = render_template("error.html", status=status, title=title, detail=detail, errors=errors)
    return Response(html, status=status, mimetype="text/html")


def _handle_esgx(exc: EsgxError) -> Response:
    errors = tuple(exc.errors)
    if exc.status >= 500:
        log.error("%s: %s", exc.type_slug, exc.detail.en)
    if wants_json():
        return problem(exc.status, exc.type_slug, exc.title, exc.detail, errors, dict(exc.extra))
    return _page(exc.status, exc.title, exc.detail, errors)


def _handle_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    title = _HTTP_TEXT.get(status, Text(exc.name, exc.name))
    detail = Text(exc.description or exc.name, _HTTP_TEXT.get(status, title).zh)
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        detail = Text(
            "The request body is larger than the limit of {n} bytes.", "请求体超过 {n} 字节的上限。"
        ).format(n=limit)
    if wants_json():
        return problem(status, _HTTP_SLUGS.get(status, f"http-{status}"), title, detail)
    return _page(status, title, detail)


def _handle_unexpected(exc: Exception) -> Response:
    # A bug: log the traceback for operators, show the user nothing of it.
    log.exception("unhandled error on %s %s", request.method, request.path)
    # The request's session may be mid-failure (a flush that raised); answering must not
    # touch it again before it is rolled back, or the error page itself fails.
    db = g.get("db")
    if db is not None:
        db.rollback()
    title = _HTTP_TEXT[500]
    detail = Text(
        "Something went wrong on our side. The error was logged; please try again later.",
        "服务器内部出错，已记录该错误，请稍后重试。",
    )
    if wants_json():
        return problem(500, "internal", title, detail)
    return _page(500, title, detail)


def init_app(app: Flask) -> None:
    app.register_error_handler(EsgxError, _handle_esgx)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(Exception, _handle_unexpected)
