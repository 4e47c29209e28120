"""Webhook endpoints and deliveries for a lead factory's own systems: OAuth2 clients with the
`webhooks:manage` scope manage their organization's endpoints (people use the pages)."""

from __future__ import annotations

import uuid
from typing import cast

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from esgx_platform.config import Settings
from esgx_platform.errors import Forbidden
from esgx_platform.i18n import Text
from esgx_platform.machine.services import Issued
from esgx_platform.organizations.models import Organization
from esgx_platform.schemas import load
from esgx_platform.secretbox import SecretBox
from esgx_platform.web.api_schemas import listing
from esgx_platform.web.context import auth_required, db_session, json_body, principal
from esgx_platform.web.intake_api import log_signer
from esgx_platform.web.openapi import Reply, operation, requires
from esgx_platform.webhooks.deliveries import STATES, delivery_log, get_delivery, redeliver
from esgx_platform.webhooks.endpoints import (
    delete_endpoint,
    get_endpoint,
    list_endpoints,
    register_endpoint,
    rotate_secret,
)
from esgx_platform.webhooks.models import WebhookEndpoint
from esgx_platform.webhooks.schemas import EndpointIn

bp = Blueprint("webhooks_api", __name__, url_prefix="/api/v1/webhooks")
SCOPE = "webhooks:manage"
ONLY_CLIENTS = Text(
    "This API is for a lead factory's OAuth2 clients; people manage webhooks on the "
    "factory's webhook pages.",
    "此接口供龙头工厂的 OAuth2 客户端使用；人员请在工厂的 Webhook 页面中管理。",
)


def box() -> SecretBox:
    """The platform's SecretBox (ESGX_ENCRYPTION_KEYS), for endpoint secrets."""
    return log_signer().box


def base_url() -> str:
    return cast(Settings, current_app.extensions["esgx_settings"]).base_url


class EndpointOut(Schema):
    id = fields.UUID()
    url = fields.String()
    description = fields.String(allow_none=True)
    event_types = fields.List(fields.String(), data_key="eventTypes")
    status = fields.String()
    created_at = fields.AwareDateTime(data_key="createdAt")
    updated_at = fields.AwareDateTime(data_key="updatedAt")
    secret_rotated_at = fields.AwareDateTime(allow_none=True, data_key="secretRotatedAt")
    previous_secret_until = fields.AwareDateTime(
        allow_none=True, data_key="previousSecretValidUntil"
    )
    disabled_at = fields.AwareDateTime(allow_none=True, data_key="disabledAt")
    deleted_at = fields.AwareDateTime(allow_none=True, data_key="deletedAt")


class EndpointWithSecretOut(EndpointOut):
    secret = fields.String()


class AttemptOut(Schema):
    attempted_at = fields.AwareDateTime(data_key="attemptedAt")
    status_code = fields.Integer(allow_none=True, data_key="statusCode")
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer(data_key="durationMs")


class DeliveryOut(Schema):
    """A `DeliveryView`: the delivery, its event and every attempt."""

    id = fields.UUID(attribute="delivery.id")
    endpoint_id = fields.UUID(attribute="endpoint.id", data_key="endpointId")
    event_id = fields.UUID(attribute="event.id", data_key="eventId")
    event_type = fields.String(attribute="event.type", data_key="eventType")
    subject = fields.String(attribute="event.subject")
    event_time = fields.AwareDateTime(attribute="event.occurred_at", data_key="eventTime")
    state = fields.String(attribute="delivery.state")
    created_at = fields.AwareDateTime(attribute="delivery.created_at", data_key="createdAt")
    next_attempt_at = fields.AwareDateTime(
        attribute="delivery.next_attempt_at", data_key="nextAttemptAt"
    )
    expires_at = fields.AwareDateTime(attribute="delivery.expires_at", data_key="expiresAt")
    delivered_at = fields.AwareDateTime(
        attribute="delivery.delivered_at", allow_none=True, data_key="deliveredAt"
    )
    dead_at = fields.AwareDateTime(attribute="delivery.dead_at", allow_none=True, data_key="deadAt")
    last_status = fields.Integer(
        attribute="delivery.last_status", allow_none=True, data_key="lastStatus"
    )
    last_error = fields.String(
        attribute="delivery.last_error", allow_none=True, data_key="lastError"
    )
    redelivery_of = fields.UUID(
        attribute="delivery.redelivery_of", allow_none=True, data_key="redeliveryOf"
    )
    attempts = fields.List(fields.Nested(AttemptOut))


class DeliveriesQuery(Schema):
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


def _factory() -> Organization:
    """The OAuth2 client's lead factory; Forbidden for people and supplier tokens."""
    who = principal()
    if not (who.machine or "").startswith("oauth_client:") or len(who.grants) != 1:
        raise Forbidden(ONLY_CLIENTS)
    return db_session().get_one(Organization, who.grants[0].organization_id)


def _endpoint(org: Organization, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    return get_endpoint(db_session(), organization_id=org.id, endpoint_id=endpoint_id)


@bp.get("/endpoints")
@auth_required(SCOPE)
@operation(
    Text("The factory's webhook endpoints", "工厂的 Webhook 端点"),
    tags=("webhooks",),
    responses={200: listing(EndpointOut)},
    security=requires(SCOPE, people=False),
)
def endpoints() -> ResponseReturnValue:
    """The factory's endpoints, deleted ones too (status `deleted`)."""
    org = _factory()
    return jsonify({"data": EndpointOut(many=True).dump(list_endpoints(db_session(), org.id))})


@bp.post("/endpoints")
@auth_required(SCOPE)
@operation(
    Text("Register a webhook endpoint", "注册 Webhook 端点"),
    description=Text(
        "Its signing secret is in this answer and nowhere else, ever.",
        "签名密钥仅在本次响应中出现，此后不再显示。",
    ),
    tags=("webhooks",),
    body=EndpointIn,
    responses={201: EndpointWithSecretOut},
    security=requires(SCOPE, people=False),
)
def create() -> ResponseReturnValue:
    """Register an endpoint; its signing secret is in this answer and nowhere else, ever."""
    org = _factory()
    values = load(EndpointIn(), json_body())
    db = db_session()
    issued = register_endpoint(
        db, organization=org, values=values, box=box(), actor_user_id=None, via=principal().machine
    )
    db.commit()
    return _with_secret(issued, 201)


def _with_secret(issued: Issued[WebhookEndpoint], status: int) -> ResponseReturnValue:
    """The endpoint with its new secret: in this answer only, never cached."""
    fields_of = {name: getattr(issued.record, name) for name in EndpointOut().fields}
    body = EndpointWithSecretOut().dump({**fields_of, "secret": issued.secret})
    return jsonify(body), status, {"Cache-Control": "no-store"}


@bp.get("/endpoints/<uuid:endpoint_id>")
@auth_required(SCOPE)
@operation(
    Text("One webhook endpoint", "单个 Webhook 端点"),
    tags=("webhooks",),
    responses={200: EndpointOut},
    security=requires(SCOPE, people=False),
)
def endpoint(endpoint_id: uuid.UUID) -> ResponseReturnValue:
    return jsonify(EndpointOut().dump(_endpoint(_factory(), endpoint_id)))


@bp.delete("/endpoints/<uuid:endpoint_id>")
@auth_required(SCOPE)
@operation(
    Text("Delete a webhook endpoint", "删除 Webhook 端点"),
    tags=("webhooks",),
    responses={204: None},
    security=requires(SCOPE, people=False),
)
def delete(endpoint_id: uuid.UUID) -> ResponseReturnValue:
    """Delete the endpoint (kept as history, with its deliveries; queued ones die)."""
    db = db_session()
    delete_endpoint(
        db, _endpoint(_factory(), endpoint_id), actor_user_id=None, via=principal().machine
    )
    db.commit()
    return "", 204


@bp.post("/endpoints/<uuid:endpoint_id>/rotate-secret")
@auth_required(SCOPE)
@operation(
    Text("Rotate an endpoint's signing secret", "轮换端点的签名密钥"),
    description=Text(
        "The new secret is in this answer only; the old one signs beside it for 24 hours.",
        "新密钥仅在本次响应中出现；旧密钥在 24 小时内仍同时签名。",
    ),
    tags=("webhooks",),
    responses={200: EndpointWithSecretOut},
    security=requires(SCOPE, people=False),
    problems=(409,),  # a deleted endpoint
)
def rotate(endpoint_id: uuid.UUID) -> ResponseReturnValue:
    """A new secret, in this answer only; the old one signs beside it for 24 hours."""
    db = db_session()
    issued = rotate_secret(
        db,
        _endpoint(_factory(), endpoint_id),
        box=box(),
        actor_user_id=None,
        via=principal().machine,
    )
    db.commit()
    return _with_secret(issued, 200)


@bp.get("/endpoints/<uuid:endpoint_id>/deliveries")
@auth_required(SCOPE)
@operation(
    Text("An endpoint's deliveries with every attempt", "端点的投递记录及每次尝试"),
    tags=("webhooks",),
    query=DeliveriesQuery,
    responses={200: listing(DeliveryOut)},
    security=requires(SCOPE, people=False),
)
def deliveries(endpoint_id: uuid.UUID) -> ResponseReturnValue:
    """The endpoint's deliveries, newest first, with every attempt (`?state=`, `?limit=`)."""
    query = load(DeliveriesQuery(), request.args)
    found = _endpoint(_factory(), endpoint_id)
    rows = delivery_log(db_session(), found.id, state=query["state"], limit=query["limit"])
    return jsonify({"data": DeliveryOut(many=True).dump(rows)})


@bp.post("/deliveries/<uuid:delivery_id>/redeliver")
@auth_required(SCOPE)
@operation(
    Text("Redeliver an event now", "立即重新投递事件"),
    tags=("webhooks",),
    responses={202: Reply(DeliveryOut, Text("A fresh delivery, due now", "新的投递，立即执行"))},
    security=requires(SCOPE, people=False),
    problems=(409,),  # still pending, endpoint not active, consent withdrawn
)
def redeliver_one(delivery_id: uuid.UUID) -> ResponseReturnValue:
    """A fresh delivery of the same event, due now (202); audited."""
    org = _factory()
    db = db_session()
    view = get_delivery(db, organization_id=org.id, delivery_id=delivery_id)
    fresh = redeliver(db, view, actor_user_id=None, via=principal().machine)
    db.commit()
    return jsonify(
        DeliveryOut().dump(get_delivery(db, organization_id=org.id, delivery_id=fresh.id))
    ), 202
