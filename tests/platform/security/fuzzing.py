"""What the fuzzing of the signed intake (test_fuzz_intake.py) is made of: the hypothesis
settings, the world with a supplier's client and the check every answer passes (no 5xx,
nothing stored but audit events), and the strategies that make hostile JWS and key events
from ones already on file or refused as they are (so no mutation can be new and valid)."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from signing import CanonicalizationError, PrivateKey, build_registration, public_jwk
from signing._encoding import b64url_decode, b64url_encode
from signing._json import canonicalize
from signing._jws import sign_message
from tests.platform.security.hostile import HostileWorld, build_world, stored_counts

# Examples per test; ESGX_FUZZ_EXAMPLES runs a deeper search locally.
EXAMPLES = int(os.environ.get("ESGX_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one world per test, shared by its examples
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
RUN: Counter[str] = Counter()
ANSWERS: Counter[str] = Counter()  # status and problem type: how deep the examples got
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
NOISE = B64URL + ".=+/ \t\n\x00é€\u200b"
JWS_TYPES = ("application/vc+jwt", "application/jose", "application/jwt")
INTAKE = ("/api/v1/disclosures", "/api/v1/footprints")


@dataclass(repr=False)
class Intake:
    """The world, a client with the supplier's token, and the check every answer passes."""

    world: HostileWorld
    client: FlaskClient
    before: dict[str, int]
    session: Session

    def refused(self, test: str, response: TestResponse) -> TestResponse:
        RUN[test] += 1
        assert response.status_code < 500, response.get_data()[:500]
        body = response.get_json(silent=True)
        problem = body.get("type", "") if isinstance(body, dict) else ""
        ANSWERS[f"{response.status_code} {problem.removeprefix('urn:esgx:problem:')}"] += 1
        after = stored_counts(self.session)
        assert {k: v for k, v in after.items() if k != "audit_events"} == {
            k: v for k, v in self.before.items() if k != "audit_events"
        }, response.get_data()[:500]
        return response

    def submit(self, url: str, jws: str) -> TestResponse:
        return self.client.post(url, json={"jws": jws})


def make_intake(app: Flask, session: Session) -> Intake:
    """A fresh world and the supplier's client, the stored rows counted."""
    world = build_world(app, session)
    client = world.callers["supplier"].client(app)
    return Intake(world, client, stored_counts(session), session)


# --- strategies ----------------------------------------------------------------------------


@st.composite
def string_mutation(draw: st.DrawFn, jws: str) -> str:
    """The JWS with one segment's characters flipped, inserted or dropped, or its segments
    cut, doubled, swapped or joined wrongly."""
    parts = jws.split(".")
    how = draw(st.sampled_from(["flip", "insert", "drop", "cut", "double", "swap", "join"]))
    if how in ("flip", "insert", "drop"):
        segment = draw(st.integers(0, 2))
        text = parts[segment]
        at = draw(st.integers(0, len(text) - 1))
        char = draw(st.sampled_from(NOISE))
        edited = {
            "flip": text[:at] + char + text[at + 1 :],
            "insert": text[:at] + char + text[at:],
            "drop": text[:at] + text[at + 1 :],
        }[how]
        parts[segment] = edited
        mutated = ".".join(parts)
    elif how == "cut":
        mutated = jws[: draw(st.integers(0, len(jws) - 1))]
    elif how == "double":
        mutated = ".".join([*parts, draw(st.sampled_from(parts))])
    elif how == "swap":
        i, j = draw(st.permutations(range(3)).filter(lambda p: p != [0, 1, 2]))[:2]
        parts[i], parts[j] = parts[j], parts[i]
        mutated = ".".join(parts)
    else:
        mutated = draw(st.sampled_from(["", " ", "..", "\n"])).join(parts)
    assume(mutated != jws)
    return mutated


def resign(key: PrivateKey, header: dict[str, Any], payload: bytes) -> str:
    """A compact JWS over exactly these bytes, signed by the supplier's registered key."""
    signing_input = b64url_encode(json.dumps(header).encode()) + "." + b64url_encode(payload)
    signature = sign_message(key, signing_input.encode("ascii"))
    return signing_input + "." + b64url_encode(signature)


def jcs(value: Any) -> bytes:
    """The canonical bytes, or the example is dropped (a value JCS cannot write, such as an
    integral float beyond 2**53, is in no JWS anyone can make)."""
    try:
        return canonicalize(value)
    except CanonicalizationError:
        assume(False)
        raise


def decoded(jws: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header_b64, payload_b64, _ = jws.split(".")
    header = json.loads(b64url_decode(header_b64, what="header"))
    return header, json.loads(b64url_decode(payload_b64, what="payload"))


SAFE_INT = 2**53 - 1
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-SAFE_INT, SAFE_INT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)


@st.composite
def noncanonical(draw: st.DrawFn, payload: dict[str, Any]) -> bytes:
    """The payload's JSON written another way: spaced, indented, keys unsorted, escaped."""
    keys = draw(st.permutations(sorted(payload)))
    written = json.dumps(
        {k: payload[k] for k in keys},
        indent=draw(st.sampled_from([None, 0, 1, "\t"])),
        ensure_ascii=draw(st.booleans()),
        separators=draw(st.sampled_from([(",", ":"), (", ", ": "), (",", " : ")])),
        sort_keys=draw(st.booleans()),
    ).encode()
    assume(written != canonicalize(payload))
    return written


@st.composite
def altered(draw: st.DrawFn, payload: dict[str, Any]) -> bytes:
    """The payload, canonical, with one member anywhere replaced, added or removed (never
    `period`, so the filed quarter stays the one on file)."""
    doc = json.loads(json.dumps(payload))
    target: Any = doc
    while True:
        members = [k for k in target if k != "period"] if isinstance(target, dict) else None
        items = list(range(len(target))) if isinstance(target, list) else None
        keys: list[Any] = members or items or []
        if not keys or draw(st.booleans()):
            break
        key = draw(st.sampled_from(keys))
        if not isinstance(target[key], dict | list):
            break
        target = target[key]
    value = draw(JSON_VALUES)
    if isinstance(target, dict) and (not target or draw(st.booleans())):
        target[draw(st.sampled_from([*target, "extra", "kid", "__proto__"]))] = value
    elif isinstance(target, dict):
        del target[draw(st.sampled_from(sorted(target)))]
    elif target:
        target[draw(st.integers(0, len(target) - 1))] = value
    written = jcs(doc)
    assume(written != canonicalize(payload))
    return written


def kids(real: str) -> st.SearchStrategy[Any]:
    """Wrong, huge and look-alike kids, and kids that are not strings."""
    look_alikes = [
        real + "\u200b",
        "\u200b" + real,
        real.replace("A", "\u0410", 1) if "A" in real else "\u0410" + real[1:],
        real[:-1] + "\uff21",
        real.upper() if real.upper() != real else real.lower(),
        real + " ",
        real + "\x00",
    ]
    return st.one_of(
        st.sampled_from(look_alikes),
        st.sampled_from(["", "A" * 300_000, real * 2000]),
        st.text(max_size=80),
        JSON_VALUES,
    )


@st.composite
def resigned(draw: st.DrawFn, key: PrivateKey, base: str) -> str:
    """The base JWS re-signed by the registered key with its header or payload changed."""
    header, payload = decoded(base)
    what = draw(st.sampled_from(["noncanonical", "altered", "kid", "header", "random"]))
    if what == "noncanonical":
        return resign(key, header, draw(noncanonical(payload)))
    if what == "altered":
        return resign(key, header, draw(altered(payload)))
    if what == "random":
        return resign(key, header, jcs(draw(JSON_VALUES)))
    new_header = dict(header)
    if what == "kid":
        new_header["kid"] = draw(kids(str(header.get("kid", "kid"))))
    else:
        member = draw(st.sampled_from(["alg", "typ", "crit", "b64", "cty", "jwk", "x5u"]))
        new_header[member] = draw(
            st.sampled_from(["none", "HS256", "ES256", "RS256", "EdDSA", "vc+ld+json", "JWT"])
            | JSON_VALUES
        )
    assume(new_header != header)
    return resign(key, new_header, canonicalize(payload))


def hostile_jws(key: PrivateKey, base: str) -> st.SearchStrategy[str]:
    return st.one_of(
        string_mutation(base),
        resigned(key, base),
        st.text(alphabet=NOISE, max_size=300),
    )


def key_url(world: HostileWorld, kind: str = "") -> str:
    return f"/api/v1/organizations/{world.ids['supplier']}/keys" + (f"/{kind}" if kind else "")


def registration(world: HostileWorld) -> dict[str, Any]:
    """A registration event of the key already registered (refused as a conflict)."""
    jwk = public_jwk(world.filer.key)
    return build_registration(organization=world.filer.supplier.urn, public_jwk=jwk)


@st.composite
def mutated_event(draw: st.DrawFn, event: dict[str, Any]) -> Any:
    """A signed key event (JWS JSON general serialization) changed in one place."""
    doc = json.loads(json.dumps(event))
    how = draw(st.sampled_from(["payload", "protected", "signature", "member", "random"]))
    if how == "random":
        return draw(JSON_VALUES)
    if how == "member":
        doc[draw(st.sampled_from(["extra", "payload", "signatures"]))] = draw(JSON_VALUES)
        return doc
    target = doc if how == "payload" else doc["signatures"][0]
    text = target[how]
    at = draw(st.integers(0, len(text) - 1))
    target[how] = text[:at] + draw(st.sampled_from(NOISE)) + text[at + 1 :]
    assume(doc != event)
    return doc


def report() -> str:
    """The examples run so far, by test, and the answers they got (status and problem)."""
    return (
        f"fuzzed intake: {sum(RUN.values())} examples {dict(sorted(RUN.items()))}\n"
        f"answers: {dict(ANSWERS.most_common())}"
    )
