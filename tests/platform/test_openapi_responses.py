"""Real answers of the JSON APIs, successes and errors, checked against the response schemas of
the OpenAPI document: the status is documented, the media type too, the body validates
(nullable members, extra members refused where the schema says so)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from esgx_platform.accounts.models import Role
from esgx_platform.machine.services import CLIENT_SCOPES
from esgx_platform.web.openapi_build import openapi_path
from tests.platform.factories import make_user, sign_in
from tests.platform.intake.helpers import example_subject, make_filer
from tests.platform.pact.helpers import HOST, client_token, file, pact_world, variant
from tests.platform.rollups.test_rollup_api import _basic, _oauth, _token
from tests.platform.rollups.world import Scenario

Q3 = "2025-Q3"


class Conformance:
    """Checks answers against the document; remembers which operations it saw."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.document: dict[str, Any] = app.test_client().get("/api/openapi.json").get_json()
        self.seen: set[tuple[str, str, int]] = set()

    def __call__(self, response: TestResponse, status: int | None = None) -> Any:
        request = response.request
        adapter = self.app.url_map.bind("localhost")
        rule, _ = adapter.match(request.path, method=request.method, return_rule=True)
        template, method = openapi_path(rule), request.method.lower()
        if status is not None:
            assert response.status_code == status, response.get_data(as_text=True)[:500]
        answers = self.document["paths"][template][method]["responses"]
        answer = answers.get(str(response.status_code))
        assert answer is not None, f"{method} {template}: {response.status_code} undocumented"
        self.seen.add((method, template, response.status_code))
        content = answer.get("content")
        if not content:
            assert response.get_data() == b""
            return None
        assert response.mimetype in content, (template, response.mimetype, list(content))
        schema = content[response.mimetype]["schema"]
        if not str(response.mimetype).endswith("json"):
            assert schema.get("type") == "string"
            return response.get_data(as_text=True)
        body = response.get_json()
        validator = Draft202012Validator(
            {**schema, "components": self.document["components"]}, format_checker=FormatChecker()
        )
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
        assert errors == [], f"{method} {template} {response.status_code}: {errors[:5]}"
        return body


def test_intake_log_and_account_answers_match(app: Flask, session: Session) -> None:
    check = Conformance(app)
    filer = make_filer(session, app.test_client())
    client, supplier = filer.client, filer.supplier
    org = f"/api/v1/organizations/{supplier.id}"

    jws = filer.sign(example_subject())
    accepted = check(filer.post("/api/v1/disclosures", {"jws": jws}), 201)
    assert accepted["restatesId"] is None  # a nullable member, as documented
    again = client.post(
        "/api/v1/disclosures",
        data=jws,
        content_type="application/vc+jwt",
        headers=filer.csrf(),
    )
    check(again, 200)
    disclosure = f"/api/v1/disclosures/{accepted['id']}"
    for url in (disclosure, f"{disclosure}/receipt", f"{disclosure}/bundle"):
        check(client.get(url), 200)
    batch = filer.post("/api/v1/disclosures/batch", {"jws": [jws, "not.a.jws"]})
    results = check(batch, 200)["results"]
    assert [r["status"] for r in results] == [200, 400]
    check(filer.post("/api/v1/disclosures/batch", {"jws": []}), 422)
    check(client.post("/api/v1/disclosures", data="x", headers=filer.csrf()), 415)
    check(client.get("/api/v1/disclosures/00000000-0000-0000-0000-000000000000"), 404)

    for url in ("/api/v1/me", org, f"{org}/relationships", f"{org}/keys", f"{org}/key-events"):
        check(client.get(url), 200)
    check(filer.post(f"{org}/keys/challenge", {}), 201)
    check(filer.post(f"{org}/keys", {"proof": "x"}), 422)

    log = "/api/v1/log"
    assert "/log\n" in check(client.get(f"{log}/checkpoint"), 200)
    check(client.get(f"{log}/key"), 200)
    check(client.get(f"{log}/entries/0"), 200)
    check(client.get(f"{log}/proofs/inclusion?index=0&size=1"), 200)
    check(client.get(f"{log}/proofs/consistency?first=1&second=2"), 200)
    check(client.get(f"{log}/proofs/inclusion?index=x&size=1"), 422)

    tokens = f"{org}/tokens"
    issued = check(filer.post(tokens, {"name": "ERP", "scopes": ["disclosures:read"]}), 201)
    check(client.get(tokens), 200)
    check(client.delete(f"{tokens}/{issued['id']}", headers=filer.csrf()), 204)

    anonymous = app.test_client()
    check(anonymous.get("/api/v1/me"), 401)
    check(anonymous.get("/healthz"), 200)
    check(anonymous.get("/.well-known/openid-configuration"), 200)
    check(anonymous.get("/api/v1/disclosures/" + accepted["id"]), 401)


def test_oauth_answers_match(app: Flask, session: Session) -> None:
    check = Conformance(app)
    client_id, secret = _oauth(session, Scenario(session).factory, ["rollups:read"])
    client = app.test_client()
    form = {"grant_type": "client_credentials"}
    check(client.post("/auth/token", data=form, headers=_basic(client_id, secret)), 200)
    posted = {**form, "client_id": client_id, "client_secret": secret}
    check(client.post("/auth/token", data=posted), 200)
    check(client.post("/auth/token", data={"grant_type": "password"}), 400)
    check(client.post("/auth/token", data=form, headers=_basic("esgxc_x", "wrong")), 401)


@pytest.fixture
def factory_world(session: Session) -> dict[str, Any]:
    """A factory with two suppliers filing 2025-Q3 (one without consent), its people, an
    OAuth2 client with every read scope."""
    w = Scenario(session)
    w.periods("2025-Q2", Q3)
    alpha = w.supplier("Alpha")
    beta = w.supplier("Beta", category=4, consent=False)
    w.spend(alpha, Q3, "80000.00")
    w.file(alpha, Q3, "64.00")
    w.file(beta, Q3, "5.00")
    users = {
        "procurement": make_user(session, w.factory, Role.PROCUREMENT),
        "supplier": make_user(session, alpha.org, Role.SUPPLIER_ADMIN),
    }
    session.commit()
    credentials = _oauth(session, w.factory, sorted(CLIENT_SCOPES))
    return {"w": w, "alpha": alpha, "users": users, "client": credentials}


def _machine(app: Flask, world: dict[str, Any]) -> FlaskClient:
    client = app.test_client()
    token = _token(client, *world["client"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_rollup_assessment_and_ranking_answers_match(
    app: Flask, factory_world: dict[str, Any]
) -> None:
    check = Conformance(app)
    w, alpha = factory_world["w"], factory_world["alpha"]
    base = f"/api/v1/factories/{w.factory.id}"
    machine = _machine(app, factory_world)
    for url in (
        f"{base}/rollups/2025",
        f"{base}/rollups/{Q3}?suppliers=false",
        f"{base}/rankings/{Q3}",
        f"{base}/rankings/{Q3}?category=4&trend=false",
        f"{base}/ranking-config",
        f"{base}/ranking-snapshots",
        f"{base}/assessments",
        f"{base}/assessment-model",
        f"{base}/suppliers/{alpha.org.id}/ratings",
    ):
        check(machine.get(url), 200)
    check(machine.get(f"{base}/rankings/{Q3}?category=99"), 422)
    check(machine.get(f"{base}/rollups/2025-Q9"), 422)  # the path's pattern refuses it too
    check(machine.post(f"{base}/assessments", json={"year": 2025}), 403)

    person = app.test_client()
    sign_in(person, factory_world["users"]["procurement"])
    with person.session_transaction() as sess:
        csrf = {"X-CSRF-Token": str(sess["csrf"])}
    snapshot = check(person.post(f"{base}/rankings/{Q3}/snapshots", headers=csrf), 201)
    check(person.get(f"{snapshot['url']}?inputs=true"), 200)
    check(person.get(f"{snapshot['url']}/verification"), 200)
    ratings = f"{base}/suppliers/{alpha.org.id}/ratings"
    rating = {"cdpScore": "B", "ecovadisMedal": None, "note": None}
    check(person.put(ratings, json=rating, headers=csrf), 200)
    check(machine.get(f"{base}/rankings/{Q3}"), 200)  # now with a rating on a scorecard
    check(person.put(f"{base}/ranking-config", json={"metrics": []}, headers=csrf), 422)

    supplier = app.test_client()
    sign_in(supplier, factory_world["users"]["supplier"])
    own = f"/api/v1/organizations/{alpha.org.id}/scorecards/{w.factory.id}/{Q3}"
    check(supplier.get(own), 200)
    check(supplier.get(f"{base}/rankings/{Q3}"), 404)


def test_pact_and_feed_answers_match(app: Flask, session: Session) -> None:
    check = Conformance(app)
    filer, pact = pact_world(session, app.test_client())
    first = file(filer, variant())
    file(filer, variant(precedingPfIds=[first]))  # deprecates the first
    listed = check(pact.get("/3/footprints?limit=1"), 200)
    assert len(listed["data"]) == 1
    page = pact.get("/3/footprints")
    check(page, 200)
    check(pact.get("/3/footprints", headers={"If-None-Match": page.headers["ETag"]}), 304)
    check(pact.get(f"/3/footprints/{first}"), 200)
    check(pact.get(f"/3/footprints/{uuid.uuid4()}"), 404)
    check(pact.get("/3/footprints?validOn=yesterday"), 400)
    check(pact.get("/3/no-such-thing"), 404)
    check(pact.post("/3/events", {"type": "nonsense"}), 400)
    anonymous = app.test_client().get(HOST + "/3/footprints")
    check(anonymous, 401)

    reader = pact.http
    reader.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + client_token(
        session, filer, ["disclosures:read"]
    )
    filer.submit(example_subject())
    feed = check(reader.get("/api/v1/feed/disclosures?limit=1"), 200)
    check(reader.get(f"/api/v1/feed/disclosures?cursor={feed['cursor']}"), 200)
    check(reader.get("/api/v1/feed/disclosures?limit=0"), 422)
