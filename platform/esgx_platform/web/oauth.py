"""OAuth2 client credentials for lead factories' systems (the token endpoint PACT v3 expects).

Errors follow RFC 6749 §5.2 (`{"error": "invalid_client"}` and friends), not problem+json:
that is what OAuth2 and PACT clients parse.
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import cast
from urllib.parse import unquote

from flask import Blueprint, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.config import Settings
from esgx_platform.errors import Unauthenticated
from esgx_platform.i18n import Text
from esgx_platform.machine.services import issue_access_token
from esgx_platform.web.api_schemas import AccessToken, Discovery, OAuthError, TokenRequest
from esgx_platform.web.context import db_session
from esgx_platform.web.csrf import csrf_exempt
from esgx_platform.web.openapi import CLIENT_BASIC, Body, ErrorBody, operation

bp = Blueprint("oauth", __name__)
OAUTH_ERRORS = ErrorBody("application/json", OAuthError)


def _oauth_error(code: str, status: int) -> ResponseReturnValue:
    response = jsonify({"error": code})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="esgx"'
    return response


def _client_credentials() -> tuple[str, str] | None:
    """From HTTP Basic (RFC 6749 §2.3.1: form-encoded id and secret), else the form body."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, sep, secret = decoded.partition(":")
        return (unquote(client_id), unquote(secret)) if sep else None
    form_id, form_secret = request.form.get("client_id"), request.form.get("client_secret")
    return (form_id, form_secret) if form_id and form_secret else None


@bp.post("/auth/token")
@csrf_exempt
@operation(
    Text("Exchange client credentials for an access token", "以客户端凭据换取访问令牌"),
    description=Text(
        "RFC 6749 §4.4: the client's id and secret in HTTP Basic or in the form body.",
        "RFC 6749 §4.4：客户端 id 与密钥放在 HTTP Basic 或表单中。",
    ),
    tags=("oauth",),
    body=Body({"application/x-www-form-urlencoded": TokenRequest}),
    responses={200: AccessToken},
    security=({CLIENT_BASIC: ()}, {}),
    problems=(400, 401),
    errors=OAUTH_ERRORS,
)
def token() -> ResponseReturnValue:
    """Exchange a lead factory's client id and secret for a short-lived bearer token."""
    if request.form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", 400)
    credentials = _client_credentials()
    if credentials is None:
        return _oauth_error("invalid_client", 401)
    settings = cast(Settings, current_app.extensions["esgx_settings"])
    lifetime = settings.token_lifetime_seconds
    db = db_session()
    try:
        secret, _ = issue_access_token(
            db,
            client_id=credentials[0],
            client_secret=credentials[1],
            lifetime=timedelta(seconds=lifetime),
        )
    except Unauthenticated:
        db.rollback()
        return _oauth_error("invalid_client", 401)
    db.commit()
    response = jsonify({"access_token": secret, "token_type": "Bearer", "expires_in": lifetime})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/.well-known/openid-configuration")
@operation(
    Text("OAuth2 discovery: where to get tokens", "OAuth2 发现：令牌端点地址"),
    tags=("oauth",),
    responses={200: Discovery},
)
def discovery() -> ResponseReturnValue:
    token_url = url_for("oauth.token", _external=True)
    return jsonify(
        {
            "issuer": url_for("pages.home", _external=True).rstrip("/"),
            "token_endpoint": token_url,
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
        }
    )
