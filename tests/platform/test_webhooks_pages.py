"""The lead factory's webhook pages: administrators register (the secret shown once), rotate,
disable, delete and redeliver; analysts only look; nobody else sees anything; CSRF on every
form; errors at their fields in both languages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.audit.models import AuditEvent
from esgx_platform.config import Settings
from esgx_platform.db import Database
from esgx_platform.secretbox import SecretBox
from esgx_platform.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.platform.factories import make_user, sign_in
from tests.platform.webhook_helpers import (
    UNREACHABLE,
    Hooks,
    dead_letter,
    deliveries_to,
    hooks_world,
    register,
)

URL = "https://erp.hook-plant.example/esgx"


@dataclass
class People:
    world: Hooks
    admin: User
    analyst: User
    procurement: User
    other_admin: User  # an administrator of factory M
    supplier: User

    @property
    def base(self) -> str:
        return f"/factories/{self.world.factory.id}/webhooks"


def _people(session: Session) -> People:
    world = hooks_world(session)
    people = People(
        world,
        make_user(session, world.factory, Role.FACTORY_ADMIN),
        make_user(session, world.factory, Role.FACTORY_ANALYST),
        make_user(session, world.factory, Role.PROCUREMENT),
        make_user(session, world.other, Role.FACTORY_ADMIN),
        make_user(session, world.a.org, Role.SUPPLIER_ADMIN),
    )
    session.commit()
    return people


def _csrf(client: FlaskClient) -> str:
    with client.session_transaction() as sess:
        return str(sess["csrf"])


def _endpoints(session: Session) -> list[WebhookEndpoint]:
    session.expire_all()
    return list(session.scalars(select(WebhookEndpoint)))


def _form(client: FlaskClient, **more: object) -> dict[str, object]:
    return {"csrf_token": _csrf(client), **more}


def test_an_administrator_registers_an_endpoint_and_sees_its_secret_once(
    client: FlaskClient, session: Session, settings: Settings
) -> None:
    people = _people(session)
    sign_in(client, people.admin)
    assert people.base in client.get("/").text  # linked from the dashboard
    page = client.get(people.base)
    assert page.status_code == 200 and 'name="eventTypes"' in page.text

    good = {"url": URL, "description": "ERP", "eventTypes": ["disclosure.verified"]}
    assert client.post(people.base, data=good).status_code == 403  # no CSRF token
    assert _endpoints(session) == []

    bad = client.post(people.base, data=_form(client, url="http://erp.example/esgx"))
    assert bad.status_code == 422
    assert str(escape("Give an https:// address with a host name")) in bad.text
    assert 'id="url-error"' in bad.text and 'id="eventTypes-error"' in bad.text
    assert "Choose at least one event type." in bad.text
    assert 'value="http://erp.example/esgx"' in bad.text  # what was typed stays
    people.admin.locale = "zh"
    session.commit()
    chinese = client.post(people.base, data=_form(client, url="ftp://erp.example/"))
    assert "请填写带主机名的 https:// 地址" in chinese.text
    assert "请至少选择一种事件类型。" in chinese.text
    assert _endpoints(session) == []

    created = client.post(people.base, data=_form(client, **good))
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    found = re.search(r"whsec_[A-Za-z0-9+/=]{44}", created.text)
    assert found is not None
    (endpoint,) = _endpoints(session)
    assert (endpoint.url, endpoint.event_types, endpoint.description) == (
        URL,
        ["disclosure.verified"],
        "ERP",
    )
    assert found.group(0).encode() not in endpoint.secret_ciphertext  # encrypted at rest
    box = SecretBox(settings.encryption_keys)
    assert box.decrypt(endpoint.secret_ciphertext).decode() == found.group(0)
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "webhook.endpoint.created")
    ).one()
    assert audit.actor_user_id == people.admin.id and found.group(0) not in str(audit.details)

    listing = client.get(people.base).text
    assert URL in listing and "whsec_" not in listing  # shown once, never again
    detail = client.get(f"{people.base}/{endpoint.id}").text
    assert URL in detail and "whsec_" not in detail


def test_rotate_disable_enable_and_delete(
    client: FlaskClient, session: Session, settings: Settings
) -> None:
    people = _people(session)
    endpoint, old_secret = register(session, people.world.factory, settings, URL)
    sign_in(client, people.admin)
    here = f"{people.base}/{endpoint.id}"

    rotated = client.post(f"{here}/rotate", data=_form(client))
    assert rotated.status_code == 200 and rotated.headers["Cache-Control"] == "no-store"
    found = re.search(r"whsec_[A-Za-z0-9+/=]{44}", rotated.text)
    assert found is not None and found.group(0) != old_secret
    assert "previous secret" in rotated.text

    for change, status in (("disable", "disabled"), ("enable", "active"), ("delete", "deleted")):
        response = client.post(f"{here}/{change}", data=_form(client))
        assert response.status_code == 303, change
        session.expire_all()
        assert session.get_one(WebhookEndpoint, endpoint.id).status == status
    page = client.get(here).text
    assert "deleted" in page and "Rotate the signing secret" not in page
    actions = set(
        session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == str(endpoint.id)))
    )
    assert actions == {
        "webhook.endpoint.created",
        "webhook.endpoint.secret_rotated",
        "webhook.endpoint.disabled",
        "webhook.endpoint.enabled",
        "webhook.endpoint.deleted",
    }
    assert client.post(f"{here}/rotate", data=_form(client)).status_code == 409


def test_analysts_may_look_but_not_change(
    client: FlaskClient, session: Session, settings: Settings, test_db: Database
) -> None:
    people = _people(session)
    endpoint, _ = register(session, people.world.factory, settings, UNREACHABLE)
    dead = dead_letter(session, test_db, settings, people.world, endpoint)
    sign_in(client, people.analyst)
    listing = client.get(people.base)
    assert listing.status_code == 200 and UNREACHABLE in listing.text
    assert "Register the endpoint" not in listing.text
    detail = client.get(f"{people.base}/{endpoint.id}").text
    assert "Rotate the signing secret" not in detail and "/redeliver" not in detail
    assert "Connection refused" in detail or "ConnectionRefusedError" in detail
    letters = client.get(f"{people.base}/dead-letters").text
    assert str(dead.id) in letters and "/redeliver" not in letters

    attempts = {
        people.base: {"url": URL, "eventTypes": ["supplier.overdue"]},
        f"{people.base}/{endpoint.id}/rotate": {},
        f"{people.base}/{endpoint.id}/disable": {},
        f"{people.base}/{endpoint.id}/delete": {},
        f"{people.base}/deliveries/{dead.id}/redeliver": {},
    }
    for url, data in attempts.items():
        assert client.post(url, data=_form(client, **data)).status_code == 403, url
    (still,) = _endpoints(session)
    assert (still.status, still.secret_rotated_at) == ("active", None)
    assert len(deliveries_to(session, endpoint)) == 1


def test_nobody_else_sees_a_factorys_webhooks(
    client: FlaskClient, session: Session, settings: Settings
) -> None:
    people = _people(session)
    endpoint, _ = register(session, people.world.factory, settings, URL)
    others, _ = register(session, people.world.other, settings, URL + "/m")
    anonymous = client.get(people.base)
    assert anonymous.status_code == 303 and "/login?next=" in anonymous.headers["Location"]

    sign_in(client, people.other_admin)
    for path in (people.base, f"{people.base}/{endpoint.id}", f"{people.base}/dead-letters"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"{people.base}/{endpoint.id}/rotate", data=_form(client)).status_code == 404
    # Its own factory's pages do not reach another factory's endpoint either.
    own = f"/factories/{people.world.other.id}/webhooks"
    assert client.get(own).status_code == 200 and URL + "/m" in client.get(own).text
    assert client.get(f"{own}/{endpoint.id}").status_code == 404
    assert client.post(f"{own}/{endpoint.id}/delete", data=_form(client)).status_code == 404
    assert client.get(f"{own}/{others.id}").status_code == 200

    client.post("/logout", data=_form(client))
    sign_in(client, people.procurement)
    assert client.get(people.base).status_code == 403
    client.post("/logout", data=_form(client))
    sign_in(client, people.supplier)
    assert client.get(people.base).status_code == 404
    session.expire_all()
    assert session.get_one(WebhookEndpoint, endpoint.id).status == "active"


def test_a_dead_letter_is_redelivered_from_its_page(
    client: FlaskClient, session: Session, settings: Settings, test_db: Database
) -> None:
    people = _people(session)
    endpoint, _ = register(session, people.world.factory, settings, UNREACHABLE)
    dead = dead_letter(session, test_db, settings, people.world, endpoint)
    sign_in(client, people.admin)
    letters = client.get(f"{people.base}/dead-letters").text
    assert str(dead.id) in letters and UNREACHABLE in letters
    assert f"/deliveries/{dead.id}/redeliver" in letters
    action = f"{people.base}/deliveries/{dead.id}/redeliver"
    assert client.post(action).status_code == 403  # no CSRF token
    assert len(deliveries_to(session, endpoint)) == 1

    response = client.post(action, data=_form(client, next=f"{people.base}/dead-letters"))
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"{people.base}/dead-letters?redelivered=")
    fresh = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.redelivery_of == dead.id)
    ).one()
    assert (fresh.state, fresh.attempts, fresh.requested_by) == ("pending", 0, people.admin.id)
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "webhook.delivery.redelivered")
    ).one()
    assert audit.actor_user_id == people.admin.id and audit.target_id == str(fresh.id)
    assert "A fresh delivery is scheduled" in client.get(response.headers["Location"]).text
    # Still being attempted: not redelivered twice.
    again = client.post(f"{people.base}/deliveries/{fresh.id}/redeliver", data=_form(client))
    assert again.status_code == 409
    log = client.get(f"{people.base}/{endpoint.id}").text
    assert str(fresh.id) in log and str(dead.id) in log
    assert "disclosure.verified" in log and "&#34;specversion&#34;: &#34;1.0&#34;" in log
