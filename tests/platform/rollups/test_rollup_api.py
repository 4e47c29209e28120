"""GET /api/v1/factories/<id>/rollups/<period>: who may read a factory's roll-up, and the
OAuth2 token endpoint lead factories' systems use to get there."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.machine.services import create_oauth_client
from esgx_platform.organizations.models import Organization
from esgx_platform.rollups.services import BAD_PERIOD
from tests.platform.factories import make_org, make_user, sign_in
from tests.platform.rollups.world import Scenario, Supplier

Q3 = "2025-Q3"


@dataclass
class ApiWorld:
    w: Scenario
    other: Organization
    alpha: Supplier
    content_id: str
    users: dict[str, User]

    @property
    def url(self) -> str:
        return f"/api/v1/factories/{self.w.factory.id}/rollups"


def _world(session: Session) -> ApiWorld:
    """Factory L with one supplier (Alpha, 64.00 t allocated in 2025-Q3 on 80,000 CNY), people
    of every kind, and another factory."""
    w = Scenario(session)
    alpha = w.supplier("Alpha")
    w.spend(alpha, Q3, "80000.00")
    cid = w.file(alpha, Q3, "64.00")
    other = make_org(session, "lead_factory", "Other Plant")
    operator = make_org(session, "operator", "Operator", "BJ")
    users = {
        "analyst": make_user(session, w.factory, Role.FACTORY_ANALYST),
        "procurement": make_user(session, w.factory, Role.PROCUREMENT),
        "other_analyst": make_user(session, other, Role.FACTORY_ANALYST),
        "supplier": make_user(session, alpha.org, Role.SUPPLIER_ADMIN),
        "operator": make_user(session, operator, Role.OPERATOR_ADMIN),
    }
    session.commit()
    return ApiWorld(w, other, alpha, cid, users)


def _as(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in(client, user)
    return client


def _basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def _token(client: FlaskClient, client_id: str, secret: str) -> str:
    response = client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, headers=_basic(client_id, secret)
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    assert response.headers["Cache-Control"] == "no-store"
    token: str = body["access_token"]
    return token


def _oauth(session: Session, org: Organization, scopes: list[str]) -> tuple[str, str]:
    issued = create_oauth_client(
        session, organization=org, name="ERP", scopes=scopes, actor_user_id=None
    )
    session.commit()
    return issued.record.client_id, issued.secret


def test_the_factorys_analyst_reads_its_rollup(app: Flask, session: Session) -> None:
    world = _world(session)
    client = _as(app, world.users["analyst"])
    response = client.get(f"{world.url}/2025")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["leadFactoryId"], body["period"], body["quarters"]) == (
        str(world.w.factory.id),
        "2025",
        [Q3],
    )
    # One hybrid line: 64.00 t on 80,000 CNY; 64 x 1e6 / 80,000 = 800 t per million.
    assert body["total"]["tco2e"] == "64.000000"
    assert body["total"]["contentIds"] == [world.content_id]
    assert body["intensityPerMillion"] == "800.00"
    assert [s["name"]["en"] for s in body["suppliers"]] == ["Alpha"]
    # The drill-down can be left out.
    short = client.get(f"{world.url}/{Q3}?suppliers=false")
    assert short.status_code == 200 and "suppliers" not in short.get_json()
    assert short.get_json()["total"]["tco2e"] == "64.000000"


@pytest.mark.parametrize(
    ("who", "status", "problem"),
    [
        # Another factory's analyst cannot even see that the factory exists.
        ("other_analyst", 404, "not-found"),
        # Nor can the supplier's own people: it is the factory's data.
        ("supplier", 404, "not-found"),
        # The factory's procurement sees the factory but lacks the analyst's role.
        ("procurement", 403, "forbidden"),
    ],
)
def test_others_are_refused(
    app: Flask, session: Session, who: str, status: int, problem: str
) -> None:
    world = _world(session)
    response = _as(app, world.users[who]).get(f"{world.url}/2025")
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"] == f"urn:esgx:problem:{problem}"
    assert world.content_id not in response.get_data(as_text=True)


def test_the_operator_reads_any_factory(app: Flask, session: Session) -> None:
    world = _world(session)
    client = _as(app, world.users["operator"])
    assert client.get(f"{world.url}/2025").status_code == 200
    # ... but a supplier is not a lead factory.
    response = client.get(f"/api/v1/factories/{world.alpha.org.id}/rollups/2025")
    assert response.status_code == 404


def test_anonymous_is_asked_to_authenticate(client: FlaskClient, session: Session) -> None:
    world = _world(session)
    response = client.get(f"{world.url}/2025")
    assert response.status_code == 401
    assert response.get_json()["type"] == "urn:esgx:problem:unauthenticated"


def test_oauth_client_with_the_scope_reads_the_rollup(
    client: FlaskClient, session: Session
) -> None:
    world = _world(session)
    client_id, secret = _oauth(session, world.w.factory, ["rollups:read"])
    token = _token(client, client_id, secret)
    response = client.get(f"{world.url}/2025", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["total"]["contentIds"] == [world.content_id]
    # The same client for another factory's roll-up: that factory does not exist for it.
    elsewhere = client.get(
        f"/api/v1/factories/{world.other.id}/rollups/2025",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert elsewhere.status_code == 404


def test_oauth_client_without_the_scope_is_forbidden(client: FlaskClient, session: Session) -> None:
    world = _world(session)
    client_id, secret = _oauth(session, world.w.factory, ["footprints:read"])
    token = _token(client, client_id, secret)
    response = client.get(f"{world.url}/2025", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    body = response.get_json()
    assert body["type"] == "urn:esgx:problem:forbidden"
    assert "rollups:read" in body["detail_en"]


def test_a_bad_period_is_a_bilingual_422(app: Flask, session: Session) -> None:
    world = _world(session)
    response = _as(app, world.users["analyst"]).get(f"{world.url}/2025-Q5")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["type"] == "urn:esgx:problem:invalid-input"
    assert (body["detail_en"], body["detail_zh"]) == (BAD_PERIOD.en, BAD_PERIOD.zh)
    assert [e["path"] for e in body["errors"]] == ["period"]


def test_a_year_without_periods_is_404(app: Flask, session: Session) -> None:
    world = _world(session)
    client = _as(app, world.users["analyst"])
    response = client.get(f"{world.url}/2031")
    assert response.status_code == 404
    assert response.get_json()["type"] == "urn:esgx:problem:not-found"
    assert "2031" in response.get_json()["detail_en"]
    assert client.get(f"{world.url}/2025-Q4").status_code == 404  # the quarter never existed


# --- the token endpoint --------------------------------------------------------------------


def test_token_endpoint_errors_follow_rfc_6749(client: FlaskClient, session: Session) -> None:
    world = _world(session)
    client_id, secret = _oauth(session, world.w.factory, ["rollups:read"])

    wrong = client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        headers=_basic(client_id, secret + "x"),
    )
    assert (wrong.status_code, wrong.get_json()) == (401, {"error": "invalid_client"})
    assert wrong.headers["WWW-Authenticate"] == 'Basic realm="esgx"'
    assert wrong.headers["Cache-Control"] == "no-store"

    unknown = client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, headers=_basic("nobody", secret)
    )
    assert (unknown.status_code, unknown.get_json()) == (401, {"error": "invalid_client"})

    grant = client.post(
        "/auth/token", data={"grant_type": "password"}, headers=_basic(client_id, secret)
    )
    assert (grant.status_code, grant.get_json()) == (400, {"error": "unsupported_grant_type"})

    bare = client.post("/auth/token", data={"grant_type": "client_credentials"})
    assert (bare.status_code, bare.get_json()) == (401, {"error": "invalid_client"})

    # client_secret_post works as well as HTTP Basic.
    posted = client.post(
        "/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        },
    )
    assert posted.status_code == 200 and posted.get_json()["access_token"]


def test_openid_configuration_names_the_token_endpoint(client: FlaskClient) -> None:
    response = client.get("/.well-known/openid-configuration")
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_endpoint"].endswith("/auth/token")
    assert body["token_endpoint"].startswith(body["issuer"])
    assert body["grant_types_supported"] == ["client_credentials"]
    assert set(body["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
