"""Proof of possession and key events: build, sign, verify, and key status replay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import signing
from signing._encoding import b64url_encode
from signing._pop import POP_TYP
from tests.signing.support import ORG, T0, forge_jws

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)
NONCE = "n0nce-0123456789abcdef"
ED, EC, OTHER = (signing.generate_key(a) for a in ("Ed25519", "ES256", "Ed25519"))


def _challenge(**changes: Any) -> dict[str, str]:
    challenge = signing.build_challenge(
        organization=ORG, expires_at=NOW + timedelta(minutes=10), nonce=NONCE
    )
    return {**challenge, **changes}


def _pop_header(key: signing.PrivateKey, **changes: Any) -> dict[str, Any]:
    jwk = {k: v for k, v in signing.public_jwk(key).items() if k != "kid"}
    alg = "EdDSA" if key is not EC else "ES256"
    return {"alg": alg, "typ": POP_TYP, "jwk": jwk, **changes}


def _verify_pop(jws: str) -> dict[str, str]:
    return signing.verify_pop(jws, nonce=NONCE, organization=ORG, now=NOW)


def test_build_challenge_defaults_to_a_random_nonce() -> None:
    first = signing.build_challenge(organization=ORG, expires_at=NOW)
    second = signing.build_challenge(organization=ORG, expires_at=NOW)
    assert set(first) == {"nonce", "organization", "expires"}
    assert first["nonce"] != second["nonce"] and len(first["nonce"]) == 43
    assert first["expires"] == "2025-10-01T12:00:00Z"


@pytest.mark.parametrize("key", [ED, EC], ids=["Ed25519", "ES256"])
def test_pop_round_trip_returns_the_new_key(key: signing.PrivateKey) -> None:
    jws = signing.sign_pop(_challenge(), private_key=key)
    assert _verify_pop(jws) == signing.public_jwk(key)


def _canonical(challenge: dict[str, Any]) -> bytes:
    return signing.canonicalize(challenge)


POP_TAMPERED = [
    (
        "nonce",
        lambda: signing.sign_pop(_challenge(nonce="x" * 22), private_key=ED),
        signing.ChallengeError,
    ),
    (
        "organization",
        lambda: signing.sign_pop(_challenge(organization="urn:esgx:org:X"), private_key=ED),
        signing.ChallengeError,
    ),
    (
        "expired",
        lambda: signing.sign_pop(_challenge(expires="2025-10-01T12:00:00Z"), private_key=ED),
        signing.ChallengeError,
    ),
    (
        "typ",
        lambda: forge_jws(_pop_header(ED, typ="JWT"), _canonical(_challenge()), ED),
        signing.HeaderError,
    ),
    (
        "kid-present",
        lambda: forge_jws(_pop_header(ED, kid="k"), _canonical(_challenge()), ED),
        signing.HeaderError,
    ),
    (
        "jwk-missing",
        lambda: forge_jws({"alg": "EdDSA", "typ": POP_TYP}, _canonical(_challenge()), ED),
        signing.HeaderError,
    ),
    (
        "jwk-other-key",
        lambda: forge_jws(_pop_header(OTHER), _canonical(_challenge()), ED),
        signing.SignatureError,
    ),
    (
        "jwk-small-order",
        lambda: forge_jws(
            _pop_header(ED, jwk={"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(bytes(32))}),
            _canonical(_challenge()),
            ED,
        ),
        signing.InvalidKeyError,
    ),
    (
        "jwk-private",
        lambda: forge_jws(
            _pop_header(ED, jwk={**_pop_header(ED)["jwk"], "d": "AA"}), _canonical(_challenge()), ED
        ),
        signing.InvalidKeyError,
    ),
    (
        "alg-mismatch",
        lambda: forge_jws(_pop_header(ED, alg="ES256"), _canonical(_challenge()), ED),
        signing.AlgorithmError,
    ),
    (
        "extra-member",
        lambda: forge_jws(_pop_header(ED), _canonical({**_challenge(), "x": 1}), ED),
        signing.CredentialError,
    ),
    (
        "non-canonical",
        lambda: forge_jws(_pop_header(ED), json.dumps(_challenge()).encode(), ED),
        signing.NonCanonicalError,
    ),
]


@pytest.mark.parametrize(("build", "error"), [pytest.param(b, e, id=n) for n, b, e in POP_TAMPERED])
def test_tampered_pop_is_rejected(build: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        _verify_pop(build())


def test_sign_pop_refuses_a_malformed_challenge() -> None:
    with pytest.raises(signing.InputError):
        signing.sign_pop({"nonce": NONCE}, private_key=ED)


def _registration(key: signing.PrivateKey, at: datetime = T0) -> dict[str, Any]:
    event = signing.build_registration(
        organization=ORG, public_jwk=signing.public_jwk(key), issued_at=at
    )
    return signing.sign_key_event(event, private_keys=[key])


def _rotation(
    old: signing.PrivateKey,
    new: signing.PrivateKey,
    not_after: datetime,
    signers: list[signing.PrivateKey] | None = None,
) -> dict[str, Any]:
    event = signing.build_rotation(
        organization=ORG,
        new_jwk=signing.public_jwk(new),
        previous_kid=signing.public_jwk(old)["kid"],
        previous_not_after=not_after,
        issued_at=T0,
    )
    return signing.sign_key_event(event, private_keys=signers or [old, new])


def _revocation(
    key: signing.PrivateKey,
    signer: signing.PrivateKey,
    effective: datetime,
    reason: str = "keyCompromise",
) -> dict[str, Any]:
    event = signing.build_revocation(
        organization=ORG,
        kid=signing.public_jwk(key)["kid"],
        reason=reason,
        effective_at=effective,
        issued_at=T0,
    )
    return signing.sign_key_event(event, private_keys=[signer])


def test_registration_event_verifies() -> None:
    event = signing.verify_key_event(_registration(ED))
    assert (event.event, event.organization, event.kid) == (
        "registered",
        ORG,
        signing.public_jwk(ED)["kid"],
    )
    assert event.jwk == signing.public_jwk(ED)
    assert event.signers == (event.kid,)
    assert len(event.digest) == 64


def test_rotation_needs_both_keys() -> None:
    known = {"old": signing.public_jwk(ED)}
    event = signing.verify_key_event(_rotation(ED, EC, NOW), known_keys=known)
    assert (event.previous_kid, event.previous_not_after) == (signing.public_jwk(ED)["kid"], NOW)
    with pytest.raises(signing.SignatureError, match="old and the new"):
        signing.verify_key_event(_rotation(ED, EC, NOW, signers=[EC]), known_keys=known)
    with pytest.raises(signing.SignatureError, match="unknown key"):
        signing.verify_key_event(_rotation(ED, EC, NOW))


def test_revocation_needs_a_known_signer() -> None:
    envelope = _revocation(ED, OTHER, T0)
    with pytest.raises(signing.SignatureError):
        signing.verify_key_event(envelope, known_keys={"k": signing.public_jwk(ED)})
    event = signing.verify_key_event(envelope, known_keys={"k": signing.public_jwk(OTHER)})
    assert (event.reason, event.effective_at) == ("keyCompromise", T0)


def test_registration_signed_by_another_key_is_rejected() -> None:
    event = signing.build_registration(organization=ORG, public_jwk=signing.public_jwk(ED))
    with pytest.raises(signing.SignatureError):
        signing.verify_key_event(signing.sign_key_event(event, private_keys=[OTHER]))


def test_registration_signed_by_a_known_other_key_is_rejected() -> None:
    event = signing.build_registration(organization=ORG, public_jwk=signing.public_jwk(EC))
    envelope = signing.sign_key_event(event, private_keys=[ED])
    with pytest.raises(signing.SignatureError, match="registered key alone"):
        signing.verify_key_event(envelope, known_keys={"ed": signing.public_jwk(ED)})


def test_key_event_payload_change_breaks_the_signature() -> None:
    envelope = _registration(ED)
    payload = json.loads(signing._encoding.b64url_decode(envelope["payload"], what="p"))
    payload["issuedAt"] = "2030-01-01T00:00:00Z"
    tampered = {**envelope, "payload": b64url_encode(signing.canonicalize(payload))}
    with pytest.raises(signing.SignatureError):
        signing.verify_key_event(tampered)


@pytest.mark.parametrize(
    "arguments",
    [{"reason": "lost"}, {"effective_at": datetime(2025, 1, 1)}],  # noqa: DTZ001
    ids=["reason", "naive-time"],
)
def test_build_revocation_refuses(arguments: dict[str, Any]) -> None:
    base = {"organization": ORG, "kid": "k", "reason": "superseded", "effective_at": T0}
    with pytest.raises(signing.InputError):
        signing.build_revocation(**{**base, **arguments})


def _history(*events: tuple[dict[str, Any], int, datetime]) -> signing.KeyHistory:
    history = signing.KeyHistory(ORG)
    for envelope, index, at in events:
        history.apply(envelope, index=index, logged_at=at)
    return history


def _check(history: signing.KeyHistory, key: signing.PrivateKey, index: int, at: datetime) -> None:
    history.check_valid(kid=signing.public_jwk(key)["kid"], index=index, logged_at=at)


H = timedelta(hours=1)


def test_key_is_valid_only_after_its_registration() -> None:
    history = _history((_registration(ED), 5, T0))
    _check(history, ED, 6, T0)
    with pytest.raises(signing.KeyStatusError, match="registered at index 5"):
        _check(history, ED, 4, T0)
    with pytest.raises(signing.KeyStatusError, match="registered at index 5"):
        _check(history, ED, 5, T0)
    with pytest.raises(signing.KeyStatusError, match="no registration"):
        _check(history, EC, 6, T0)


def test_compromise_revocation_logged_later_reaches_back_to_its_effective_time() -> None:
    history = _history(
        (_registration(ED), 0, T0), (_revocation(ED, ED, T0 + 2 * H), 10, T0 + 5 * H)
    )
    _check(history, ED, 3, T0 + H)  # logged before the effective time: still valid
    with pytest.raises(signing.KeyStatusError, match="revoked \\(keyCompromise\\)"):
        _check(history, ED, 4, T0 + 3 * H)  # logged before the revocation entry, after effect
    with pytest.raises(signing.KeyStatusError, match="revoked"):
        _check(history, ED, 11, T0 + 6 * H)


def test_future_dated_revocation_still_ends_validity_at_its_log_index() -> None:
    history = _history(
        (_registration(ED), 0, T0), (_revocation(ED, ED, T0 + 9 * H, "superseded"), 4, T0 + H)
    )
    _check(history, ED, 3, T0 + H)
    with pytest.raises(signing.KeyStatusError, match="superseded"):
        _check(history, ED, 5, T0 + H)


def test_rotated_key_stays_valid_through_its_overlap() -> None:
    history = _history((_registration(ED), 0, T0), (_rotation(ED, EC, T0 + 3 * H), 2, T0 + H))
    _check(history, ED, 3, T0 + 3 * H)
    _check(history, EC, 3, T0 + 3 * H)
    with pytest.raises(signing.KeyStatusError, match="rotated away"):
        _check(history, ED, 4, T0 + 3 * H + timedelta(seconds=1))


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([(_registration(ED), 0, T0), (_registration(ED), 1, T0)], "registered twice"),
        ([(_registration(ED), 1, T0), (_registration(EC), 1, T0)], "out of log order"),
        ([(_registration(ED), 0, T0 + H), (_registration(EC), 1, T0)], "out of log order"),
        ([(_registration(ED), 0, T0), (_rotation(ED, EC, T0), 1, T0 + H)], "overlap ends before"),
        ([(_registration(ED), 0, T0), (_revocation(EC, ED, T0), 1, T0)], "never registered"),
        (
            [
                (_registration(ED), 0, T0),
                (_revocation(ED, ED, T0), 1, T0),
                (_revocation(ED, ED, T0), 2, T0),
            ],
            "unknown key",
        ),
    ],
    ids=[
        "double-registration",
        "same-index",
        "time-backwards",
        "overlap",
        "unknown",
        "revoked-signer",
    ],
)
def test_inconsistent_histories_are_rejected(events: Any, message: str) -> None:
    with pytest.raises(signing.VerificationError, match=message):
        _history(*events)


def test_history_of_another_organization_is_rejected() -> None:
    history = signing.KeyHistory("urn:esgx:org:OTHER")
    with pytest.raises(signing.KeyStatusError, match="not urn:esgx:org:OTHER"):
        history.apply(_registration(ED), index=0, logged_at=T0)
