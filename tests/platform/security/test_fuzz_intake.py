"""Property-based fuzzing (hypothesis) of the signed intake as the supplier's own system (API
token): `POST /api/v1/disclosures`, its `/batch`, `/api/v1/footprints` and the key API.

Inputs: random bytes in every media type; the filed disclosure's and footprint's JWS with
characters flipped, inserted or dropped in a segment, or segments cut, doubled or swapped;
payloads re-signed with the registered key that are JSON but not canonical, or canonical but
altered anywhere; headers re-signed with a wrong, huge or look-alike kid, another alg or typ,
extra members; registrations (proof, event, label) of the key already registered, rotations
signed by the new key only, revocations of a key never registered, mutated or replaced by any
JSON. Property: no 5xx, and nothing stored (disclosures, footprints, log entries, key events,
keys counted before and after each example); only audit events may be added. Deterministic
(derandomized, no example database); the examples run are printed at the end (`pytest -s`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from signing import build_revocation, build_rotation, generate_key, public_jwk, sign_key_event
from signing import sign_pop as sign_proof
from signing._encoding import b64url_encode
from signing._json import canonicalize
from tests.platform.intake.helpers import register_key_via_api
from tests.platform.security.fuzzing import (
    FUZZ,
    INTAKE,
    JSON_VALUES,
    JWS_TYPES,
    Intake,
    decoded,
    hostile_jws,
    key_url,
    make_intake,
    mutated_event,
    registration,
    report,
    resign,
)


@pytest.fixture
def intake(app: Flask, session: Session) -> Intake:
    return make_intake(app, session)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print("\n" + report())


@FUZZ
@given(data=st.data())
def test_random_bytes_in_any_media_type_store_nothing(intake: Intake, data: st.DataObject) -> None:
    body = data.draw(st.binary(max_size=2048) | st.text(max_size=500).map(str.encode))
    media = data.draw(st.sampled_from([*JWS_TYPES, "application/json", "text/plain", "x/y"]))
    url = data.draw(st.sampled_from(INTAKE))
    intake.refused("random-bytes", intake.client.post(url, data=body, content_type=media))


@FUZZ
@given(data=st.data())
def test_mutated_disclosures_store_nothing(intake: Intake, data: st.DataObject) -> None:
    world = intake.world
    jws = data.draw(hostile_jws(world.filer.key, world.jws["disclosure"]))
    if data.draw(st.booleans()):
        sent = intake.submit(INTAKE[0], jws)
    else:
        sent = intake.client.post(INTAKE[0], data=jws.encode(), content_type=JWS_TYPES[0])
    intake.refused("disclosure", sent)


@FUZZ
@given(data=st.data())
def test_mutated_footprints_store_nothing(intake: Intake, data: st.DataObject) -> None:
    world = intake.world
    jws = data.draw(hostile_jws(world.filer.key, world.jws["footprint"]))
    intake.refused("footprint", intake.submit(INTAKE[1], jws))


@FUZZ
@given(data=st.data())
def test_mutated_batches_store_nothing(intake: Intake, data: st.DataObject) -> None:
    world = intake.world
    items = data.draw(
        st.lists(
            hostile_jws(world.filer.key, world.jws["disclosure"])
            | st.just(world.jws["disclosure"]),
            min_size=1,
            max_size=6,
        )
    )
    answer = intake.refused(
        "batch", intake.client.post("/api/v1/disclosures/batch", json={"jws": items})
    )
    if answer.status_code == 200:
        assert {r["status"] for r in answer.get_json()["results"]} <= {200, 400, 403, 409, 422}


def test_a_huge_protected_header_is_not_kept_in_memory(intake: Intake) -> None:
    """A header of 600 KB under the real kid verifies (the same filing: a 200, nothing new),
    but is not added to signing's header cache, which would otherwise hold 256 of them."""
    from signing._jws import _parse_protected

    header, payload = decoded(intake.world.jws["disclosure"])
    jws = resign(intake.world.filer.key, {**header, "x": "A" * 600_000}, canonicalize(payload))
    misses = _parse_protected.cache_info().misses
    answer = intake.refused("huge-header", intake.submit(INTAKE[0], jws))
    assert answer.status_code == 200 and answer.get_json()["duplicate"] is True
    assert _parse_protected.cache_info().misses == misses


def test_a_huge_kid_is_never_echoed(intake: Intake) -> None:
    """A kid of 300,000 characters, in a disclosure's header or a key event's: the answer and
    the audit event stay small (no reflection of what an attacker sent)."""
    from esgx_platform.audit.models import AuditEvent

    world, huge = intake.world, "K" * 300_000
    header, payload = decoded(world.jws["disclosure"])
    jws = resign(world.filer.key, {**header, "kid": huge}, canonicalize(payload))
    event = sign_key_event(registration(world), private_keys=[world.filer.key])
    event["signatures"][0]["protected"] = b64url_encode(
        json.dumps({"alg": "EdDSA", "kid": huge, "typ": "esgx-key-event+jws"}).encode()
    )
    answers = [
        intake.submit(INTAKE[0], jws),
        intake.client.post(key_url(world, "revocations"), json={"event": event}),
    ]
    for answer in answers:
        intake.refused("huge-kid", answer)
        assert len(answer.get_data()) < 5_000, answer.get_data()[:300]
    details = intake.session.scalars(select(AuditEvent.details)).all()
    assert max(len(json.dumps(d)) for d in details) < 5_000


# --- keys ----------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_mutated_key_registrations_store_nothing(intake: Intake, data: st.DataObject) -> None:
    """The base registers the key already registered (409 as it is): proof, event, label
    mutated, or the body replaced by any JSON."""
    world = intake.world
    challenge = intake.client.post(key_url(world, "challenge")).get_json()
    key = world.filer.key
    proof = sign_proof(challenge, private_key=key)
    event = sign_key_event(registration(world), private_keys=[key])
    body: Any = {"proof": proof, "event": event, "label": "fuzz"}
    what = data.draw(st.sampled_from(["proof", "event", "label", "body"]))
    if what == "proof":
        body["proof"] = data.draw(hostile_jws(key, proof))
    elif what == "event":
        body["event"] = data.draw(mutated_event(event))
    elif what == "label":
        body["label"] = data.draw(st.text(max_size=300) | JSON_VALUES)
    else:
        body = data.draw(JSON_VALUES)
    intake.refused("key-registration", intake.client.post(key_url(world), json=body))


@FUZZ
@given(data=st.data())
def test_mutated_key_changes_store_nothing(
    intake: Intake, data: st.DataObject, bases: dict[str, Any]
) -> None:
    """Bases refused as they are: a rotation signed by the new key only, a revocation of a
    key never registered."""
    world = intake.world
    kind = data.draw(st.sampled_from(["rotations", "revocations"]))
    event = data.draw(mutated_event(bases[kind]) | st.just(bases[kind]))
    intake.refused("key-change", intake.client.post(key_url(world, kind), json={"event": event}))


@pytest.fixture
def bases(intake: Intake) -> dict[str, Any]:
    world = intake.world
    stranger = generate_key("Ed25519")
    urn = world.filer.supplier.urn
    now = datetime.now(UTC)
    rotation = build_rotation(
        organization=urn,
        new_jwk=public_jwk(stranger),
        previous_kid=public_jwk(world.filer.key)["kid"],
        previous_not_after=now,
    )
    revocation = build_revocation(
        organization=urn, kid=public_jwk(stranger)["kid"], reason="superseded", effective_at=now
    )
    return {
        "rotations": sign_key_event(rotation, private_keys=[stranger]),
        "revocations": sign_key_event(revocation, private_keys=[world.filer.key]),
    }


def test_a_registration_still_registers(intake: Intake) -> None:
    """The fuzzed path is live: a new key registers through the same client."""
    assert register_key_via_api(intake.world.filer, generate_key("Ed25519")).status_code == 201
