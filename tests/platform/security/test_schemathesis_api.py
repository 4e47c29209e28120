"""schemathesis against the app's own OpenAPI document, in-process (WSGI), with real credentials.

Every JSON operation of `/api/openapi.json` is exercised with generated requests (its examples,
the coverage phase's boundary and invalid values, and fuzzed ones, positive and negative) as the
caller it is meant for: a supplier's API token with every supplier scope, a lead factory's OAuth2
access token with every client scope, and, for the operations only people may call, a signed-in
person of that supplier or factory (cookie and CSRF token). Path parameters naming a record are
pinned to real records of the world, so requests reach the views instead of a 404. The base URL
is HTTPS, as the PACT host under /3/ requires. No answer may be a 5xx, and every answer must
match the document: status code, content type, headers and body schema.

Deterministic and bounded: derandomized, a fixed seed, no example database, MAX_EXAMPLES per
phase and operation. The operations and cases run are printed at the end (`pytest -s`).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from tests.platform.security.hostile import PINNED, HostileWorld, build_world, caller

# Per phase and operation; ESGX_FUZZ_EXAMPLES runs a deeper search locally.
MAX_EXAMPLES = int(os.environ.get("ESGX_FUZZ_EXAMPLES", "25"))
SEED = 20261126
HTTPS = "https://localhost"  # the PACT host under /3/ answers over HTTPS only
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
RUN: Counter[str] = Counter()
STATUSES: defaultdict[str, set[int]] = defaultdict(set)


def _config(world: HostileWorld) -> SchemathesisConfig:
    pinned = [
        {
            "include-path-regex": pattern,
            "parameters": {f"path.{name}": world.ids[key] for name, key in names.items()},
        }
        for pattern, names in PINNED
    ]
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "with-security-parameters": False,
            },
            "operations": pinned,
        }
    )


@pytest.fixture
def world(app: Flask, session: Session) -> HostileWorld:
    return build_world(app, session)


@pytest.fixture
def api(app: Flask, world: HostileWorld) -> Any:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=_config(world))


@pytest.fixture(autouse=True)
def _node_id(request: pytest.FixtureRequest) -> None:
    # schemathesis' lazy (fixture) schemas rename the test node through `_nodeid`, which
    # pytest 9 no longer sets on Function items.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api").exclude(path="/api/docs")  # an HTML page


@schema.parametrize()
def test_the_api_answers_every_generated_request_as_documented(
    case: Any, world: HostileWorld
) -> None:
    operation = case.operation
    RUN[operation.label] += 1
    who = world.callers[caller(operation.path, operation.definition.raw.get("security", []))]
    response = case.call_and_validate(
        base_url=HTTPS, headers=who.headers, cookies=who.cookies, checks=CHECKS
    )
    STATUSES[operation.label].add(response.status_code)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nschemathesis: {len(RUN)} operations, {sum(RUN.values())} cases")
    for label, statuses in sorted(STATUSES.items()):
        print(f"  {label}: {sorted(statuses)}")
