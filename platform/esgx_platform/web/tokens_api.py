"""Supplier administrators manage their organization's API tokens (people only, not tokens)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from esgx_platform.accounts.models import Role
from esgx_platform.db import utcnow
from esgx_platform.i18n import Text
from esgx_platform.machine.services import (
    SUPPLIER_TOKEN_SCOPES,
    create_api_token,
    get_api_token,
    list_api_tokens,
    revoke_api_token,
)
from esgx_platform.schemas import load
from esgx_platform.web.api_schemas import listing
from esgx_platform.web.context import db_session, json_body, login_required, principal, scope
from esgx_platform.web.openapi import operation

bp = Blueprint("tokens_api", __name__, url_prefix="/api/v1/organizations/<uuid:org_id>/tokens")


class TokenIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    scopes = fields.List(
        fields.String(validate=validate.OneOf(sorted(SUPPLIER_TOKEN_SCOPES))),
        required=True,
        validate=validate.Length(min=1),
    )
    expires_in_days = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650)
    )


class TokenOut(Schema):
    id = fields.UUID()
    name = fields.String()
    prefix = fields.String()
    scopes = fields.List(fields.String())
    created_at = fields.AwareDateTime(data_key="createdAt")
    expires_at = fields.AwareDateTime(allow_none=True, data_key="expiresAt")
    revoked_at = fields.AwareDateTime(allow_none=True, data_key="revokedAt")
    last_used_at = fields.AwareDateTime(allow_none=True, data_key="lastUsedAt")


class TokenIssued(TokenOut):
    secret = fields.String(required=True, metadata={"description": "Shown this once only"})


@bp.get("")
@login_required
@operation(
    Text("A supplier's API tokens (never their secrets)", "供应商的 API 令牌（不含密钥）"),
    tags=("tokens",),
    responses={200: listing(TokenOut)},
)
def tokens(org_id: uuid.UUID) -> ResponseReturnValue:
    org = scope().require(org_id, Role.SUPPLIER_ADMIN)
    return jsonify(
        {"data": TokenOut(many=True).dump(list_api_tokens(db_session(), organization_id=org.id))}
    )


@bp.post("")
@login_required
@operation(
    Text("Create an API token", "创建 API 令牌"),
    description=Text(
        "The secret is in this answer and nowhere else, ever.",
        "密钥仅在本次响应中出现，此后不再显示。",
    ),
    tags=("tokens",),
    body=TokenIn,
    responses={201: TokenIssued},
)
def create(org_id: uuid.UUID) -> ResponseReturnValue:
    """A new token; its secret is in this answer and nowhere else, ever."""
    org = scope().require(org_id, Role.SUPPLIER_ADMIN)
    values = load(TokenIn(), json_body())
    days = values["expires_in_days"]
    db = db_session()
    issued = create_api_token(
        db,
        organization=org,
        name=values["name"],
        scopes=values["scopes"],
        actor_user_id=principal().user_id,
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    db.commit()
    return jsonify({**TokenOut().dump(issued.record), "secret": issued.secret}), 201


@bp.delete("/<uuid:token_id>")
@login_required
@operation(Text("Revoke an API token", "撤销 API 令牌"), tags=("tokens",), responses={204: None})
def revoke(org_id: uuid.UUID, token_id: uuid.UUID) -> ResponseReturnValue:
    org = scope().require(org_id, Role.SUPPLIER_ADMIN)
    db = db_session()
    token = get_api_token(db, organization_id=org.id, token_id=token_id)
    revoke_api_token(db, token, actor_user_id=principal().user_id)
    db.commit()
    return "", 204
