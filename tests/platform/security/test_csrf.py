"""CSRF on every state-changing route a browser reaches with its session cookie, enumerated from
the URL map: a request without the session's token, or with another session's, is refused with
403 before the view runs and changes nothing in the database. The only exempt routes are those
that never read the session cookie (OAuth2 client credentials, the PACT API's bearer tokens).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from esgx_platform.db import Base
from esgx_platform.web.context import SAFE_METHODS
from tests.platform.security.matrix import (
    HOST,
    Credentials,
    Probe,
    ask,
    credentials,
    probes,
    rolled_back,
)
from tests.platform.security.matrix_rules import RULES
from tests.platform.security.matrix_world import PEOPLE, MatrixWorld, build_world

EXEMPT = {"oauth.token", "pact.events", "pact.unknown"}


def _database(connection: Connection) -> dict[str, list[str]]:
    """Every row of every table, comparable."""
    return {
        table.name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
        for table in Base.metadata.sorted_tables
    }


def _session_actor(endpoint: str) -> str:
    """A person the matrix allows on the endpoint (else the anonymous visitor when the route
    is public, else anyone signed in: the CSRF check comes before any other)."""
    allowed = RULES[endpoint].allow
    return next((p for p in PEOPLE if p in allowed), "anonymous" if allowed else "l_admin")


def _unsafe(app: Flask, world: MatrixWorld) -> list[Probe]:
    return [p for p in probes(app, world) if p.method not in SAFE_METHODS]


def test_every_state_changing_route_needs_the_token(
    app: Flask, connection: Connection, session: Session
) -> None:
    world = build_world(session, app)
    who = credentials(app, world)
    other_token = who["b_admin"].csrf
    unsafe = _unsafe(app, world)
    exempt = {
        p.endpoint for p in unsafe if getattr(app.view_functions[p.endpoint], "csrf_exempt", False)
    }
    assert exempt == EXEMPT
    checked: dict[str, Any] = {}
    for probe in unsafe:
        if probe.endpoint in EXEMPT:
            continue
        actor = _session_actor(probe.endpoint)
        for token in (None, other_token):
            forged = Credentials(cookie=who[actor].cookie, csrf=token)
            with rolled_back(connection):
                before = _database(connection)
                response = ask(app, forged, probe, world)
                assert response.status_code == 403, (probe, actor, response.status_code)
                assert "csrf-failed" in response.text or "Security token" in response.text
                assert _database(connection) == before, f"{probe} changed the database"
        checked[f"{probe.method} {probe.endpoint}"] = actor
    print(f"\nCSRF: {len(checked)} state-changing routes refused without the token")
    assert len(checked) == len(unsafe) - sum(p.endpoint in EXEMPT for p in unsafe)


def test_exempt_routes_ignore_the_session_cookie(app: Flask, session: Session) -> None:
    """A signed-in browser's cookie does not authenticate the exempt routes: the PACT API
    wants a bearer token and the token endpoint client credentials."""
    world = build_world(session, app)
    browser = app.test_client()
    analyst = credentials(app, world)["l_analyst"]
    assert analyst.cookie is not None
    browser.set_cookie("esgx_session", analyst.cookie, domain="esgx.test")
    assert browser.post(HOST + "/3/events", json={}).status_code == 401
    token = browser.post(HOST + "/auth/token", data={"grant_type": "client_credentials"})
    assert (token.status_code, token.get_json()) == (401, {"error": "invalid_client"})
