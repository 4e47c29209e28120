"""Hostile JSON bodies sent to every operation of the API document that takes one: oversized,
nested 10,000 deep, numbers JSON allows but Python struggles with (1e400, -0, 1e-400, an integer
of 5,000 digits: beyond Python's int-string limit), NaN and Infinity tokens, repeated member
names. Each must be refused cleanly (a 4xx in the operation's own error format, never a 5xx) and
none may store anything. The operations come from the document, so a new one is covered too."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.platform.security.hostile import HostileWorld, build_world, caller, stored_counts

DEPTH = 10_000
HUGE_INTEGER = "9" * 5_000  # Python refuses int("9" * 5000): the int-string limit is 4,300
NUMBERS = ("1e400", "-1e400", "-0", "1e-400", "-0.0e-999", HUGE_INTEGER, "-" + HUGE_INTEGER)
CONSTANTS = ("NaN", "Infinity", "-Infinity")
# What each kind of path answers errors in: problem+json, PACT's JSON, OAuth's JSON.
ERROR_TYPES = {"/api/": "application/problem+json", "/3/": "application/json"}


Body = bytes | str | Callable[["JsonOperation"], str]


@dataclass(frozen=True)
class JsonOperation:
    method: str
    path: str  # the template
    url: str
    members: tuple[str, ...]  # the body's documented top-level members
    who: str


def _members(document: dict[str, Any], schema: dict[str, Any]) -> tuple[str, ...]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return tuple(schema.get("properties", {})) or ("value",)


def json_operations(app: Flask, world: HostileWorld) -> list[JsonOperation]:
    """Every documented operation whose request body may be JSON."""
    document = app.test_client().get("/api/openapi.json").get_json()
    found = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            media = next((m for m in content if m.endswith("json")), None)
            if media is None:
                continue
            members = _members(document, content[media].get("schema", {}))
            who = caller(path, op.get("security", []))
            found.append(JsonOperation(method.upper(), path, world.url(path), members, who))
    return found


@pytest.fixture
def world(app: Flask, session: Session) -> HostileWorld:
    return build_world(app, session)


@pytest.fixture
def send(app: Flask, world: HostileWorld, session: Session) -> Iterator[Any]:
    """Send a raw body to every JSON operation; check each answer is a clean refusal and that
    nothing but audit events was stored. Yields the function; returns the answers' statuses."""
    operations = json_operations(app, world)
    assert len(operations) >= 12, [o.path for o in operations]
    before = stored_counts(session)

    def to_all(body: Body, content_type: str = "application/json") -> set[int]:
        statuses = set()
        for op in operations:
            client = world.callers[op.who].client(app)
            response = client.open(
                "https://localhost" + op.url,
                method=op.method,
                data=body(op) if callable(body) else body,
                content_type=content_type,
            )
            where = f"{op.method} {op.path}"
            assert 400 <= response.status_code < 500, (where, response.get_data()[:300])
            prefix = next((p for p in ERROR_TYPES if op.path.startswith(p)), None)
            if prefix is not None:
                assert response.mimetype == ERROR_TYPES[prefix], (where, response.mimetype)
            statuses.add(response.status_code)
        return statuses

    yield to_all
    after = stored_counts(session)
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"
    }


def _object(members: tuple[str, ...], token: str) -> str:
    return "{" + ",".join(f"{json.dumps(m)}:{token}" for m in members) + "}"


def test_a_body_over_the_limit_is_a_413_problem(app: Flask, world: HostileWorld, send: Any) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert send('{"jws": "' + "A" * limit + '"}') == {413}
    client = world.callers["supplier"].client(app)
    for url in ("/api/v1/disclosures", "/api/v1/footprints"):  # a raw JWS, too
        raw = client.post(url, data=b"A" * (limit + 1), content_type="application/vc+jwt")
        assert raw.status_code == 413
        assert raw.get_json()["type"] == "urn:esgx:problem:too-large"


@pytest.mark.parametrize(
    "body",
    [
        "[" * DEPTH + "]" * DEPTH,
        '{"a":' * DEPTH + "1" + "}" * DEPTH,
        '{"jws": ' + "[" * DEPTH + "]" * DEPTH + "}",
    ],
    ids=["arrays", "objects", "inside-a-member"],
)
def test_deep_nesting_is_refused(send: Any, body: str) -> None:
    assert send(body) <= {400, 401, 403, 404, 409, 415, 422}


@pytest.mark.parametrize("token", NUMBERS, ids=lambda t: t if len(t) < 20 else f"{t[:2]}…")
def test_extreme_numbers_are_refused_cleanly(send: Any, token: str) -> None:
    """Every documented member of the body set to the number."""
    send(lambda op: _object(op.members, token))


@pytest.mark.parametrize("token", CONSTANTS)
def test_nan_and_infinity_are_not_json(send: Any, token: str) -> None:
    assert send(lambda op: _object(op.members, token)) == {400}


def test_repeated_member_names_are_refused(send: Any) -> None:
    """A repeated name would silently win over the first (what a proxy or a person read)."""
    assert send(lambda op: "{" + ",".join(f'"{m}":null,"{m}":null' for m in op.members) + "}") == {
        400
    }


@pytest.mark.parametrize(
    "text",
    ['"\\ud800"', '"a\\udfffb"', b'"\xff\xfe"', b'"\xed\xa0\x80"'],
    ids=["lone-high-surrogate", "lone-low-surrogate", "invalid-utf8", "encoded-surrogate"],
)
def test_strings_no_database_can_store_are_refused(send: Any, text: str | bytes) -> None:
    """A lone surrogate reached the database before and failed there with a 500."""
    raw = text.encode() if isinstance(text, str) else text
    assert send(
        lambda op: b"{" + b",".join(b'"%s":%s' % (m.encode(), raw) for m in op.members) + b"}"
    ) == {400}


def test_a_refusal_never_echoes_a_huge_member_name(app: Flask, world: HostileWorld) -> None:
    name = "k" * 400_000
    body = '{"%s": 1, "%s": 2}' % (name, name)  # noqa: UP031 - a body, not a message
    answer = (
        world.callers["supplier"]
        .client(app)
        .post("/api/v1/disclosures", data=body, content_type="application/json")
    )
    assert answer.status_code == 400 and len(answer.get_data()) < 5_000
