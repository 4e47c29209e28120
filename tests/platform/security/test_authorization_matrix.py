"""The authorization matrix: every route of the URL map against every actor, executed for real.

Each (endpoint, method) names a rule in matrix_rules (a route without one fails the test), its
URL is filled with real ids of the world in matrix_world, and each actor's request is made
with the Flask test client over HTTPS inside a rolled-back savepoint. Besides the rules, two
invariants hold whatever the table says: a path naming something of supplier A is never
allowed to an actor who may not see A's data, nor one naming lead factory L to another
tenant's; no allowed answer to such an actor carries A's figures or ids; and every answer
carries the security headers.

The figures are kept in SUMMARY (printed with `-s`): routes, actors, checks and outcomes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Flask
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from werkzeug.datastructures import Headers

from esgx_platform.web.security import HEADERS, STRICT_TRANSPORT_SECURITY
from tests.platform.security.matrix import (
    Probe,
    ask,
    classify,
    credentials,
    probes,
    rolled_back,
)
from tests.platform.security.matrix_rules import ALLOWED, RULES
from tests.platform.security.matrix_world import ACTORS, MatrixWorld, build_world

# Who may never read anything of A's, and never act on lead factory L.
NOT_A_READERS = frozenset({"anonymous", "b_admin", "l_admin", "m_analyst", "m_client"})
NOT_OF_L = frozenset(
    {"anonymous", "a_member", "a_admin", "b_admin", "a_token", "m_analyst", "m_client"}
)
# L's administrator sees what L's integrations carry (webhook deliveries name A's disclosures)
# but never A's figures; the others see nothing of A's at all.
STRANGERS_TO_A = NOT_A_READERS - {"l_admin"}
# Log entries are public metadata to any signed-in actor (docs/intake.md): kind, content id,
# issuer, key id and hashes, never figures.
IDS_PUBLIC = frozenset({"log_api.entry"})
SUMMARY: dict[str, Any] = {}


def _a_ids(world: MatrixWorld) -> set[str]:
    names = (
        "disclosure_id",
        "credential_id",
        "footprint_id",
        "token_id",
        "invitation_id",
        "notification_id",
        "rel_id",
    )
    return {str(world.orgs["A"].id), *(str(world.ids[n]) for n in names)}


def _invariants(world: MatrixWorld, probe: Probe, actor: str, outcome: str) -> list[str]:
    """Findings that no rule may excuse."""
    if outcome != ALLOWED:
        return []
    a_ids = _a_ids(world)
    names_a = any(i in probe.path for i in a_ids)
    if names_a and actor in NOT_A_READERS:
        return [f"{actor} was allowed {probe.method} {probe.path}, which names A's records"]
    if str(world.orgs["L"].id) in probe.path and not names_a and actor in NOT_OF_L:
        return [f"{actor} was allowed {probe.method} {probe.path}, lead factory L's"]
    return []


def _leaks(world: MatrixWorld, probe: Probe, actor: str, body: bytes) -> list[str]:
    """A's figures (or, for strangers to A, its records' ids) in an answer to `actor`."""
    markers = world.figures if actor in NOT_A_READERS else ()
    if actor in STRANGERS_TO_A and probe.endpoint not in IDS_PUBLIC:
        markers += world.a_ids
    return [
        f"{actor} read {marker!r} of A in {probe.method} {probe.path}"
        for marker in markers
        if marker.encode() in body and marker not in probe.path
    ]


def _missing_headers(probe: Probe, actor: str, headers: Headers) -> list[str]:
    """Every answer carries the security headers (web/security.py); HSTS, as all go over TLS."""
    wanted = {**HEADERS, "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY}
    return [
        f"{probe.method} {probe.path} as {actor}: {name} is {headers.get(name)!r}"
        for name, value in wanted.items()
        if headers.get(name) != value
    ]


def test_every_route_against_every_actor(
    app: Flask, connection: Connection, session: Session
) -> None:
    world = build_world(session, app)
    who = credentials(app, world)
    found = probes(app, world)
    endpoints = {p.endpoint for p in found}
    assert not endpoints - RULES.keys(), (
        f"routes without a rule: {sorted(endpoints - RULES.keys())}"
    )
    assert not RULES.keys() - endpoints, (
        f"rules without a route: {sorted(RULES.keys() - endpoints)}"
    )

    findings: list[str] = []
    outcomes: Counter[str] = Counter()
    for probe in found:
        rule = RULES[probe.endpoint]
        for actor in ACTORS:
            with rolled_back(connection):
                response = ask(app, who[actor], probe, world)
            outcome, refused_input = classify(probe, response)
            outcomes[f"{outcome} (input refused)" if refused_input else outcome] += 1
            expected = rule.expect(actor)
            if outcome != expected:
                findings.append(
                    f"{probe.method} {probe.endpoint} as {actor}: {outcome} "
                    f"({response.status_code}), rule '{rule.name}' says {expected}"
                )
            findings += _invariants(world, probe, actor, outcome)
            findings += _missing_headers(probe, actor, response.headers)
            if 200 <= response.status_code < 300:
                findings += _leaks(world, probe, actor, response.get_data())

    SUMMARY.update(
        url_rules=len(list(app.url_map.iter_rules())),
        endpoints=len(endpoints),
        endpoint_methods=len(found),
        actors=len(ACTORS),
        checks=sum(outcomes.values()),
        outcomes=dict(sorted(outcomes.items())),
    )
    print(f"\nauthorization matrix: {SUMMARY}")
    assert not findings, "\n".join(findings)
    assert SUMMARY["checks"] == len(found) * len(ACTORS)
