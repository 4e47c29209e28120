"""/api/v1/webhooks for a lead factory's OAuth2 clients with `webhooks:manage`: endpoints
(the secret in the creating answer only), deliveries and redelivery; problem+json errors with
the field; another factory's client sees nothing."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.audit.models import AuditEvent
from esgx_platform.config import Settings
from esgx_platform.db import Database
from esgx_platform.webhooks.models import WebhookEndpoint
from tests.platform.factories import make_user, sign_in
from tests.platform.webhook_helpers import (
    UNREACHABLE,
    bearer,
    dead_letter,
    deliveries_to,
    hooks_world,
    register,
)

API = "/api/v1/webhooks"
MANAGE = ["webhooks:manage"]
URL = "https://erp.hook-plant.example/esgx"


def test_a_client_registers_lists_reads_rotates_and_deletes_endpoints(
    client: FlaskClient, session: Session
) -> None:
    world = hooks_world(session)
    auth = bearer(client, session, world.factory, MANAGE)
    body = {"url": URL, "eventTypes": ["supplier.overdue", "disclosure.verified"]}
    created = client.post(f"{API}/endpoints", json=body, headers=auth)
    assert created.status_code == 201, created.get_json()
    assert created.headers["Cache-Control"] == "no-store"
    endpoint = created.get_json()
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["eventTypes"] == ["disclosure.verified", "supplier.overdue"]
    assert (endpoint["url"], endpoint["status"], endpoint["deletedAt"]) == (URL, "active", None)

    listed = client.get(f"{API}/endpoints", headers=auth).get_json()["data"]
    assert [e["id"] for e in listed] == [endpoint["id"]] and "secret" not in listed[0]
    one = client.get(f"{API}/endpoints/{endpoint['id']}", headers=auth).get_json()
    assert one["url"] == URL and "secret" not in one

    rotated = client.post(f"{API}/endpoints/{endpoint['id']}/rotate-secret", headers=auth)
    assert rotated.status_code == 200 and rotated.headers["Cache-Control"] == "no-store"
    assert rotated.get_json()["secret"] not in (endpoint["secret"], None)
    assert rotated.get_json()["previousSecretValidUntil"] is not None

    assert client.delete(f"{API}/endpoints/{endpoint['id']}", headers=auth).status_code == 204
    gone = client.get(f"{API}/endpoints/{endpoint['id']}", headers=auth).get_json()
    assert gone["status"] == "deleted" and gone["deletedAt"] is not None
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == endpoint["id"])
    ).all()
    assert sorted(actions) == [
        "webhook.endpoint.created",
        "webhook.endpoint.deleted",
        "webhook.endpoint.secret_rotated",
    ]
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "webhook.endpoint.created")
    ).one()
    assert audit.details["via"].startswith("oauth_client:") and "secret" not in audit.details


def test_bad_input_is_a_problem_at_its_field(client: FlaskClient, session: Session) -> None:
    world = hooks_world(session)
    auth = bearer(client, session, world.factory, MANAGE)
    cases = [
        ({"url": "http://erp.example/x", "eventTypes": ["disclosure.verified"]}, "$.url"),
        ({"url": "https://user:pw@erp.example/", "eventTypes": ["disclosure.verified"]}, "$.url"),
        ({"url": URL, "eventTypes": ["disclosure.created"]}, "$.eventTypes[0]"),
        ({"url": URL, "eventTypes": []}, "$.eventTypes"),
        ({"url": URL}, "$.eventTypes"),
    ]
    for body, path in cases:
        response = client.post(f"{API}/endpoints", json=body, headers=auth)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem["type"] == "urn:esgx:problem:invalid-input"
        assert problem["detail_en"] and problem["detail_zh"]
        (error,) = problem["errors"]
        assert error["path"] == path and error["message_en"] and error["message_zh"], problem
    first = client.post(f"{API}/endpoints", json=cases[0][0], headers=auth).get_json()
    assert first["errors"][0]["message_zh"].startswith("请填写带主机名的 https:// 地址")
    assert session.scalars(select(WebhookEndpoint)).all() == []


def test_only_the_factorys_own_clients_with_the_scope(
    client: FlaskClient, session: Session, settings: Settings
) -> None:
    world = hooks_world(session)
    endpoint, _ = register(session, world.factory, settings, URL)
    others = bearer(client, session, world.other, MANAGE)
    mine = f"{API}/endpoints/{endpoint.id}"
    for method, path in (
        ("get", mine),
        ("get", f"{mine}/deliveries"),
        ("delete", mine),
        ("post", f"{mine}/rotate-secret"),
    ):
        response = getattr(client, method)(path, headers=others)
        assert response.status_code == 404, (method, path)
        assert response.get_json()["type"] == "urn:esgx:problem:not-found"
    assert client.get(f"{API}/endpoints", headers=others).get_json() == {"data": []}

    reader = bearer(client, session, world.factory, ["rollups:read"])
    refused = client.get(f"{API}/endpoints", headers=reader)
    assert refused.status_code == 403 and "webhooks:manage" in refused.get_json()["detail"]
    assert client.get(f"{API}/endpoints").status_code == 401

    admin = make_user(session, world.factory, Role.FACTORY_ADMIN)
    session.commit()
    sign_in(client, admin)
    person = client.get(f"{API}/endpoints")
    assert person.status_code == 403 and "OAuth2" in person.get_json()["detail_en"]
    session.expire_all()
    assert session.get_one(WebhookEndpoint, endpoint.id).status == "active"


def test_deliveries_are_listed_and_dead_letters_redelivered(
    client: FlaskClient, session: Session, settings: Settings, test_db: Database
) -> None:
    world = hooks_world(session)
    endpoint, _ = register(session, world.factory, settings, UNREACHABLE)
    dead = dead_letter(session, test_db, settings, world, endpoint)
    auth = bearer(client, session, world.factory, MANAGE)
    path = f"{API}/endpoints/{endpoint.id}/deliveries"

    (listed,) = client.get(path, headers=auth).get_json()["data"]
    assert (listed["id"], listed["state"], listed["eventType"]) == (
        str(dead.id),
        "dead",
        "disclosure.verified",
    )
    assert [a["statusCode"] for a in listed["attempts"]] == [None, None]
    assert "Connection refused" in listed["attempts"][0]["error"]
    assert client.get(f"{path}?state=pending", headers=auth).get_json() == {"data": []}
    bad = client.get(f"{path}?state=lost&limit=0", headers=auth)
    assert bad.status_code == 422
    assert {e["path"] for e in bad.get_json()["errors"]} == {"$.state", "$.limit"}

    others = bearer(client, session, world.other, MANAGE)
    redeliver = f"{API}/deliveries/{dead.id}/redeliver"
    assert client.post(redeliver, headers=others).status_code == 404
    response = client.post(redeliver, headers=auth)
    assert response.status_code == 202, response.get_json()
    fresh = response.get_json()
    assert (fresh["state"], fresh["redeliveryOf"], fresh["eventId"]) == (
        "pending",
        str(dead.id),
        listed["eventId"],
    )
    again = client.post(f"{API}/deliveries/{fresh['id']}/redeliver", headers=auth)
    assert again.status_code == 409 and again.get_json()["type"] == "urn:esgx:problem:conflict"
    assert len(deliveries_to(session, endpoint)) == 2
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "webhook.delivery.redelivered")
    ).one()
    assert audit.target_id == fresh["id"] and audit.details["via"].startswith("oauth_client:")
