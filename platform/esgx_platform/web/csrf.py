"""CSRF protection for every state-changing request made with a session cookie.

A random token lives in the signed session; forms carry it in `csrf_token`, scripts in the
`X-CSRF-Token` header. Requests authenticated otherwise (API tokens, OAuth2, from later issues)
carry no cookie session and are exempt by marking the view with `csrf_exempt`.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request, session

from esgx_platform.errors import Forbidden
from esgx_platform.i18n import Text
from esgx_platform.web.context import SAFE_METHODS
from esgx_platform.web.machine_auth import bearer_secret

F = TypeVar("F", bound=Callable[..., object])


class CsrfFailed(Forbidden):
    type_slug = "csrf-failed"
    title = Text("Security token missing or expired", "安全令牌缺失或已过期")


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def rotate_csrf_token() -> None:
    """A new token (at sign-in), so one captured before it is worthless after."""
    session["csrf"] = secrets.token_urlsafe(32)


def csrf_exempt(view: F) -> F:
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view


def _protect() -> None:
    if request.method in SAFE_METHODS or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "csrf_exempt", False):
        return
    # Bearer-authenticated requests ignore the session cookie, so there is nothing to forge:
    # a cross-site page cannot attach an Authorization header without a CORS preflight.
    if bearer_secret():
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        raise CsrfFailed(
            Text(
                "The form's security token is missing or expired. Reload the page and try again.",
                "表单安全令牌缺失或已过期，请刷新页面后重试。",
            )
        )


def init_app(app: Flask) -> None:
    app.before_request(_protect)
    app.jinja_env.globals["csrf_token"] = csrf_token
