"""Running the authorization matrix: every (endpoint, method) of the URL map with its real URL,
every actor's credentials, one request each inside a savepoint that is rolled back (so what an
allowed actor changes is gone before the next request), and the outcome read off the response.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import Connection
from werkzeug.test import TestResponse

from esgx_platform.web.context import SAFE_METHODS
from tests.platform.factories import PASSWORD
from tests.platform.security.matrix_rules import (
    ALLOWED,
    FORBIDDEN,
    NOT_FOUND,
    PARAMETERS,
    SIGN_IN,
)
from tests.platform.security.matrix_world import PEOPLE, MatrixWorld

HOST = "https://esgx.test"  # PACT answers only over HTTPS: every request goes over it
DOMAIN = "esgx.test"
COOKIE = "esgx_session"
# The view refused the request's input (an empty body, a missing field): it was reached.
INPUT_REFUSED = frozenset({400, 409, 415, 422})
# The batch intake answers 200 with a status per item: the item's status is the outcome.
ITEM_STATUS_ENDPOINTS = frozenset({"intake_api.submit_batch"})
CSRF_REFUSAL = ("csrf-failed", "Security token missing", "安全令牌缺失")


@dataclass(frozen=True)
class Probe:
    endpoint: str
    method: str
    path: str


@dataclass(frozen=True)
class Credentials:
    """A session cookie and its CSRF token, or a bearer secret."""

    cookie: str | None = None
    csrf: str | None = None
    bearer: str | None = None


def probes(app: Flask, world: MatrixWorld) -> list[Probe]:
    """Every rule and method of the URL map (HEAD and OPTIONS are Flask's own), with its
    parameters filled with the world's real ids."""
    adapter = app.url_map.bind(DOMAIN, url_scheme="https")
    found = []
    for rule in app.url_map.iter_rules():
        values = {name: _value(world, rule.endpoint, rule.rule, name) for name in rule.arguments}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            path = adapter.build(rule.endpoint, values, method=method)
            found.append(Probe(rule.endpoint, method, path))
    return sorted(found, key=lambda p: (p.path, p.method))


def _value(world: MatrixWorld, endpoint: str, path: str, name: str) -> Any:
    if name in PARAMETERS.get(endpoint, {}):
        return PARAMETERS[endpoint][name]
    orgs, ids = world.orgs, world.ids
    by_name = {
        # Factory routes are L's; every other organization in a path is supplier A.
        "org_id": (orgs["L"] if "factories/" in path else orgs["A"]).id,
        "supplier_id": orgs["A"].id,
        "supplier_org": orgs["A"].id,
        "factory_org": orgs["L"].id,
        "snapshot_id": ids["ranking_snapshot_id" if "ranking" in path else "assessment_id"],
        "index": 0,
        "category": 1,
        "fmt": "csv",
        "change": "disable",
        "job_id": "checkpoint",
        "anything": "no-such-endpoint",
    }
    return by_name[name] if name in by_name else ids[name]


def credentials(app: Flask, world: MatrixWorld) -> dict[str, Credentials]:
    """Each person signed in through /login; the anonymous visitor with the session a sign-in
    page gives (its CSRF token); machines with their bearer secrets."""
    found = {"anonymous": _session(app, None, world)}
    for name in PEOPLE:
        found[name] = _session(app, name, world)
    for name, secret in world.bearers.items():
        found[name] = Credentials(bearer=secret)
    return found


def _session(app: Flask, person: str | None, world: MatrixWorld) -> Credentials:
    client = app.test_client()
    client.get(HOST + "/login")
    with client.session_transaction(base_url=HOST) as sess:
        token = str(sess["csrf"])
    if person is not None:
        form = {"email": world.users[person].email, "password": PASSWORD, "csrf_token": token}
        response = client.post(HOST + "/login", data=form)
        assert response.status_code == 302, response.text
        with client.session_transaction(base_url=HOST) as sess:
            token = str(sess["csrf"])
    cookie = client.get_cookie(COOKIE, domain=DOMAIN)
    assert cookie is not None
    return Credentials(cookie=cookie.value, csrf=token)


@contextmanager
def rolled_back(connection: Connection) -> Iterator[None]:
    """Whatever happens inside is undone: the app's sessions nest their savepoints in this one."""
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()


def ask(app: Flask, who: Credentials, probe: Probe, world: MatrixWorld) -> TestResponse:
    """One request as `who`, from a fresh client holding only that actor's cookie, with the
    body or form the world gives the endpoint (most get none)."""
    client = app.test_client()
    headers = {}
    if who.cookie is not None:
        client.set_cookie(COOKIE, who.cookie, domain=DOMAIN)
        if probe.method not in SAFE_METHODS and who.csrf:
            headers["X-CSRF-Token"] = who.csrf
    if who.bearer is not None:
        headers["Authorization"] = f"Bearer {who.bearer}"
    return client.open(
        HOST + probe.path,
        method=probe.method,
        headers=headers,
        json=world.bodies.get(probe.endpoint),
        data=world.forms.get(probe.endpoint),
    )


def classify(probe: Probe, response: TestResponse) -> tuple[str, bool]:
    """(outcome, whether it was the view refusing the input) of one response; see
    matrix_rules for what each outcome means. Anything else is a finding in itself."""
    status = response.status_code
    if probe.endpoint in ITEM_STATUS_ENDPOINTS and status == 200:
        status = int(response.get_json()["results"][0]["status"])
    if 200 <= status < 300:
        return ALLOWED, False
    if 300 <= status < 400:
        target = urlsplit(response.headers.get("Location", "")).path
        return (SIGN_IN if target == "/login" else ALLOWED), False
    if status in INPUT_REFUSED:
        return ALLOWED, True
    if status == 401:
        return SIGN_IN, False
    if status == 403:
        text = response.get_data(as_text=True)
        assert not any(s in text for s in CSRF_REFUSAL), f"CSRF refusal of {probe}"
        return FORBIDDEN, False
    if status == 404:
        return NOT_FOUND, False
    return f"unexpected {response.status_code}", False
