"""A lead factory's OAuth2 client pages: its administrators create (scopes chosen, the secret
shown once), rotate and revoke with confirmation, every change audited; its analysts only look;
another factory's people find nothing, suppliers and procurement cannot reach them."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.audit.models import AuditEvent
from esgx_platform.machine.models import OAuthClient
from esgx_platform.machine.services import Issued, create_oauth_client, sha256_hex
from esgx_platform.organizations.models import Organization
from tests.platform.factories import World, make_user, make_world, sign_in

SECRET = re.compile(r'<code class="wrap" id="secret">([^<]+)</code>')
CLIENT_ID = re.compile(r'<code class="wrap" id="client-id">(esgxc_[0-9a-f]+)</code>')


@dataclass
class Clients:
    world: World
    admin: User
    other_admin: User
    existing: OAuthClient  # one of the factory's clients, made by the CLI
    foreign: OAuthClient  # the other factory's

    @property
    def base(self) -> str:
        return f"/factories/{self.world.factory.id}/clients"


@pytest.fixture
def clients(session: Session) -> Clients:
    world = make_world(session)
    admin = make_user(session, world.factory, Role.FACTORY_ADMIN)
    other_admin = make_user(session, world.other_factory, Role.FACTORY_ADMIN)
    existing = _client_of(session, world.factory, "SAP ERP").record
    foreign = _client_of(session, world.other_factory, "Other ERP").record
    return Clients(world, admin, other_admin, existing, foreign)


def _as(app: Flask, user: User) -> tuple[FlaskClient, str]:
    client = app.test_client()
    sign_in(client, user)
    with client.session_transaction() as sess:
        return client, str(sess["csrf"])


def _token_status(client: FlaskClient, client_id: str, secret: str) -> int:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {raw}"},
    )
    return response.status_code


def _client_of(session: Session, org: Organization, name: str) -> Issued[OAuthClient]:
    issued = create_oauth_client(
        session, organization=org, name=name, scopes=["rollups:read"], actor_user_id=None
    )
    session.commit()
    return issued


def _events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_an_administrator_creates_a_client_and_sees_its_secret_once(
    app: Flask, session: Session, clients: Clients
) -> None:
    client, csrf = _as(app, clients.admin)
    page = client.get(clients.base).text
    assert "SAP ERP" in page and clients.existing.client_id in page
    assert clients.foreign.client_id not in page
    assert 'name="scopes" value="footprints:read"' in page

    form = {
        "csrf_token": csrf,
        "name": "PACT client",
        "scopes": ["footprints:read", "rankings:read"],
    }
    response = client.post(clients.base, data=form)
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    secret_match, id_match = SECRET.search(response.text), CLIENT_ID.search(response.text)
    assert secret_match and id_match
    secret, client_id = secret_match.group(1), id_match.group(1)
    assert "shown only this once" in response.text

    stored = session.scalars(select(OAuthClient).where(OAuthClient.client_id == client_id)).one()
    assert stored.secret_sha256 == sha256_hex(secret) and stored.name == "PACT client"
    assert stored.scopes == ["footprints:read", "rankings:read"]
    listing = client.get(clients.base).text
    assert client_id in listing and secret not in listing
    assert _token_status(app.test_client(), client_id, secret) == 200
    (event,) = _events(session, "oauth_client.created")[-1:]
    assert event.actor_user_id == clients.admin.id
    assert event.organization_id == clients.world.factory.id


def test_form_problems_are_shown_at_their_fields(
    app: Flask, session: Session, clients: Clients
) -> None:
    client, csrf = _as(app, clients.admin)
    response = client.post(clients.base, data={"csrf_token": csrf, "name": " ", "scopes": []})
    assert response.status_code == 422
    assert 'id="name-error"' in response.text and 'id="scopes-error"' in response.text
    response = client.post(
        clients.base, data={"csrf_token": csrf, "name": "x" * 101, "scopes": ["admin:all"]}
    )
    assert response.status_code == 422
    assert session.scalars(select(OAuthClient)).all() == [clients.existing, clients.foreign]


def test_changes_need_the_forms_security_token(app: Flask, clients: Clients) -> None:
    client, _ = _as(app, clients.admin)
    form = {"name": "No token", "scopes": ["rollups:read"]}
    assert client.post(clients.base, data=form).status_code == 403
    url = f"{clients.base}/{clients.existing.client_id}"
    assert client.post(f"{url}/rotate").status_code == 403
    assert client.post(f"{url}/revoke", data={"csrf_token": "forged"}).status_code == 403
    assert "No token" not in client.get(clients.base).text


def test_rotating_asks_first_then_replaces_the_secret(
    app: Flask, session: Session, clients: Clients
) -> None:
    issued = _client_of(session, clients.world.factory, "BI")
    client, csrf = _as(app, clients.admin)
    url = f"{clients.base}/{issued.record.client_id}/rotate"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Rotate the secret of BI?" in confirm.text
    response = client.post(url, data={"csrf_token": csrf})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    found = SECRET.search(response.text)
    assert found is not None
    machine = app.test_client()
    assert _token_status(machine, issued.record.client_id, issued.secret) == 401
    assert _token_status(machine, issued.record.client_id, found.group(1)) == 200
    assert [e.actor_user_id for e in _events(session, "oauth_client.rotated")] == [clients.admin.id]
    assert "—" not in client.get(clients.base).text.split(issued.record.client_id)[1][:400]


def test_revoking_asks_first_and_is_final(app: Flask, session: Session, clients: Clients) -> None:
    issued = _client_of(session, clients.world.factory, "Old MES")
    client, csrf = _as(app, clients.admin)
    url = f"{clients.base}/{issued.record.client_id}/revoke"
    assert "Revoke Old MES?" in client.get(url).text
    response = client.post(url, data={"csrf_token": csrf})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert f"Client {issued.record.client_id} is revoked" in page
    assert _token_status(app.test_client(), issued.record.client_id, issued.secret) == 401
    assert [e.actor_user_id for e in _events(session, "oauth_client.revoked")] == [clients.admin.id]
    again = client.post(
        f"{clients.base}/{issued.record.client_id}/rotate", data={"csrf_token": csrf}
    )
    assert again.status_code == 409  # revocation is final


def test_analysts_look_but_do_not_change(app: Flask, session: Session, clients: Clients) -> None:
    client, csrf = _as(app, clients.world.users["analyst"])
    page = client.get(clients.base)
    assert page.status_code == 200 and clients.existing.client_id in page.text
    assert 'name="scopes"' not in page.text and "/rotate" not in page.text
    assert "Only the lead factory’s administrators" in page.text
    url = f"{clients.base}/{clients.existing.client_id}"
    assert client.post(clients.base, data={"csrf_token": csrf, "name": "x"}).status_code == 403
    assert client.get(f"{url}/revoke").status_code == 403
    assert client.post(f"{url}/rotate", data={"csrf_token": csrf}).status_code == 403
    assert client.post(f"{url}/revoke", data={"csrf_token": csrf}).status_code == 403
    session.refresh(clients.existing)
    assert clients.existing.revoked_at is None and clients.existing.rotated_at is None


def test_another_factorys_clients_are_never_visible(app: Flask, clients: Clients) -> None:
    client, csrf = _as(app, clients.other_admin)
    assert client.get(clients.base).status_code == 404
    own = f"/factories/{clients.world.other_factory.id}/clients"
    assert clients.existing.client_id not in client.get(own).text
    # The factory's client through the other factory's own pages: no such client there.
    url = f"{own}/{clients.existing.client_id}"
    assert client.get(f"{url}/revoke").status_code == 404
    assert client.post(f"{url}/rotate", data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"{url}/revoke", data={"csrf_token": csrf}).status_code == 404
    other_analyst, _ = _as(app, clients.world.users["other_analyst"])
    assert other_analyst.get(clients.base).status_code == 404


@pytest.mark.parametrize("who", ["a_admin", "a_member", "procurement"])
def test_suppliers_and_procurement_cannot_reach_the_pages(
    app: Flask, clients: Clients, who: str
) -> None:
    client, csrf = _as(app, clients.world.users[who])
    response = client.get(clients.base)
    assert response.status_code in (403, 404)
    assert clients.existing.client_id not in response.text
    form = {"csrf_token": csrf, "name": "x", "scopes": ["rollups:read"]}
    assert client.post(clients.base, data=form).status_code in (403, 404)
    assert "API clients" not in client.get("/", follow_redirects=True).text


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, clients: Clients) -> None:
    response = client.get(clients.base)
    assert response.status_code == 303 and "/login" in response.headers["Location"]


def test_operators_may_manage(app: Flask, clients: Clients) -> None:
    client, csrf = _as(app, clients.world.users["operator"])
    url = f"{clients.base}/{clients.existing.client_id}/revoke"
    assert client.post(url, data={"csrf_token": csrf}).status_code == 303


def test_the_pages_speak_chinese_and_are_linked(
    app: Flask, session: Session, clients: Clients
) -> None:
    clients.admin.locale = "zh"
    session.commit()
    client, _ = _as(app, clients.admin)
    home = client.get("/").text
    assert f"/factories/{clients.world.factory.id}/clients" in home
    page = client.get(clients.base).text
    assert "API 客户端" in page and "创建客户端" in page and "读取范围三汇总" in page
    confirm = client.get(f"{clients.base}/{clients.existing.client_id}/revoke").text
    assert "撤销" in confirm
    analyst, _ = _as(app, clients.world.users["analyst"])
    rollup = analyst.get(f"/factories/{clients.world.factory.id}/rollup").text
    assert f"/factories/{clients.world.factory.id}/clients" in rollup  # in the factory's tabs
