"""Credentials: build, sign, verify; one tampered field per test; joserfc interoperability."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jws as jose
from joserfc.jwk import ECKey, OKPKey

import signing
from signing._encoding import b64url_decode, b64url_encode
from tests.signing.support import JSON_VALUES, ORG, disclosure_subject, forge_jws

# joserfc warns that "EdDSA" is deprecated by RFC 9864; signing.md still fixes EdDSA for signing.
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")

ALGS = ["Ed25519", "ES256"]
KEYS = {alg: signing.generate_key(alg) for alg in ALGS}
OTHER = signing.generate_key("Ed25519")
WHEN = datetime(2025, 10, 12, 8, 30, tzinfo=UTC)


def _credential() -> dict[str, Any]:
    return signing.build_credential(subject=disclosure_subject(), issuer=ORG, valid_from=WHEN)


_CANONICAL = signing.canonicalize(_credential())


def _header(alg: str) -> dict[str, Any]:
    name = "EdDSA" if alg == "Ed25519" else "ES256"
    return {"alg": name, "kid": signing.public_jwk(KEYS[alg])["kid"], "typ": "vc+jwt", "cty": "vc"}


def test_build_credential_shape() -> None:
    credential = _credential()
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "EmissionDisclosure"]
    assert credential["issuer"] == ORG
    assert credential["validFrom"] == "2025-10-12T08:30:00Z"
    assert credential["credentialSubject"]["period"] == "2025-Q3"


@pytest.mark.parametrize(
    "arguments",
    [
        {"subject": ["not", "an", "object"]},
        {"issuer": "91320500MA1N2K3P99"},
        {"kind": "emission disclosure"},
        {"valid_from": datetime(2025, 10, 12)},  # noqa: DTZ001 - a naive time is the point
    ],
    ids=["subject", "issuer", "kind", "naive-time"],
)
def test_build_credential_refuses(arguments: dict[str, Any]) -> None:
    with pytest.raises(signing.InputError):
        signing.build_credential(**{"subject": {}, "issuer": ORG, **arguments})


@pytest.mark.parametrize("alg", ALGS)
def test_sign_verify_round_trip(alg: str) -> None:
    credential = _credential()
    jws = signing.sign(credential=credential, private_key=KEYS[alg])
    result = signing.verify(jws, signing.public_jwk(KEYS[alg]))
    assert result.payload == credential
    assert result.payload_bytes == signing.canonicalize(credential)
    assert result.content_id == hashlib.sha256(result.payload_bytes).hexdigest()
    assert result.header == _header(alg)
    assert (result.issuer, result.kid, result.jws) == (ORG, _header(alg)["kid"], jws)
    assert len(b64url_decode(jws.split(".")[2], what="signature")) == 64


def test_sign_refuses_a_payload_that_is_not_a_vc() -> None:
    with pytest.raises(signing.InputError, match="@context"):
        signing.sign(credential={"issuer": ORG}, private_key=KEYS["Ed25519"])
    with pytest.raises(signing.InputError, match="JSON object"):
        signing.sign(credential=["not", "an", "object"], private_key=KEYS["Ed25519"])  # type: ignore[arg-type]


def test_rfc9864_algorithm_name_ed25519_is_accepted() -> None:
    header = {**_header("Ed25519"), "alg": "Ed25519"}
    jws = forge_jws(header, signing.canonicalize(_credential()), KEYS["Ed25519"])
    assert signing.verify(jws, signing.public_jwk(KEYS["Ed25519"])).header["alg"] == "Ed25519"


def _hs256(header: dict[str, Any], payload: bytes) -> str:
    signing_input = f"{b64url_encode(json.dumps(header).encode())}.{b64url_encode(payload)}"
    mac = hmac.new(b"secret", signing_input.encode(), "sha256").digest()
    return f"{signing_input}.{b64url_encode(mac)}"


def _unsigned(header: dict[str, Any]) -> str:
    return f"{b64url_encode(json.dumps(header).encode())}.{b64url_encode(_CANONICAL)}."


def _resigned(change: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    def build(alg: str) -> str:
        header = _header(alg)
        change(header)
        return forge_jws(header, signing.canonicalize(_credential()), KEYS[alg])

    return build


def _payload(payload: bytes) -> Callable[[str], str]:
    return lambda alg: forge_jws(_header(alg), payload, KEYS[alg])


def _segment(position: int, change: Callable[[str], str]) -> Callable[[str], str]:
    def build(alg: str) -> str:
        parts = signing.sign(credential=_credential(), private_key=KEYS[alg]).split(".")
        parts[position] = change(parts[position])
        return ".".join(parts)

    return build


def _flip(text: str) -> str:
    return text[:5] + ("A" if text[5] != "A" else "B") + text[6:]


TAMPERED: list[tuple[str, Callable[[str], str], type[Exception]]] = [
    (
        "alg-none",
        lambda alg: _unsigned({**_header(alg), "alg": "none"}),
        signing.AlgorithmError,
    ),
    (
        "alg-hs256",
        lambda alg: _hs256({**_header(alg), "alg": "HS256"}, _CANONICAL),
        signing.AlgorithmError,
    ),
    ("alg-rs256", _resigned(lambda h: h.update(alg="RS256")), signing.AlgorithmError),
    (
        "alg-key-mismatch",
        _resigned(lambda h: h.update(alg="ES256" if h["alg"] != "ES256" else "EdDSA")),
        signing.AlgorithmError,
    ),
    ("alg-missing", _resigned(lambda h: h.pop("alg")), signing.AlgorithmError),
    ("typ-missing", _resigned(lambda h: h.pop("typ")), signing.HeaderError),
    ("typ-jwt", _resigned(lambda h: h.update(typ="JWT")), signing.HeaderError),
    ("cty-json", _resigned(lambda h: h.update(cty="json")), signing.HeaderError),
    (
        "kid-other-key",
        _resigned(lambda h: h.update(kid=signing.public_jwk(OTHER)["kid"])),
        signing.HeaderError,
    ),
    ("kid-missing", _resigned(lambda h: h.pop("kid")), signing.HeaderError),
    ("crit", _resigned(lambda h: h.update(crit=["exp"], exp=1)), signing.HeaderError),
    ("b64-false", _resigned(lambda h: h.update(b64=False)), signing.HeaderError),
    (
        "header-duplicate-alg",
        _segment(0, lambda s: b64url_encode(b'{"alg":"EdDSA","alg":"ES256"}')),
        signing.JSONError,
    ),
    ("header-not-object", _segment(0, lambda s: b64url_encode(b"[]")), signing.HeaderError),
    ("header-not-base64url", _segment(0, lambda s: s + "*"), signing.MalformedError),
    ("payload-byte", _segment(1, _flip), signing.SignatureError),
    ("payload-whitespace", _payload(json.dumps(_credential()).encode()), signing.NonCanonicalError),
    ("payload-duplicate-key", _payload(b'{"a":1,"a":1}'), signing.JSONError),
    ("payload-lone-surrogate", _payload(b'{"a":"\\ud800"}'), signing.JSONError),
    ("payload-not-vc", _payload(b'{"issuer":"urn:esgx:org:1"}'), signing.CredentialError),
    ("payload-not-utf8", _payload(b'{"a":"\xff"}'), signing.JSONError),
    ("signature-byte", _segment(2, _flip), signing.SignatureError),
    (
        "signature-truncated",
        _segment(2, lambda s: b64url_encode(b64url_decode(s, what="s")[:60])),
        signing.SignatureError,
    ),
    (
        "signature-trailing-bits",
        _segment(2, lambda s: s[:-1] + ("B" if s[-1] == "A" else "A")),
        signing.VerificationError,
    ),
    (
        "extra-segment",
        lambda alg: signing.sign(credential=_credential(), private_key=KEYS[alg]) + ".x",
        signing.MalformedError,
    ),
]


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize(("build", "error"), [pytest.param(b, e, id=n) for n, b, e in TAMPERED])
def test_tampered_jws_is_rejected(
    alg: str, build: Callable[[str], str], error: type[Exception]
) -> None:
    jws = build(alg)
    with pytest.raises(error):
        signing.verify(jws, signing.public_jwk(KEYS[alg]))


def test_verify_with_the_wrong_key_names_the_kid() -> None:
    jws = signing.sign(credential=_credential(), private_key=KEYS["Ed25519"])
    with pytest.raises(signing.HeaderError, match="kid"):
        signing.verify(jws, signing.public_jwk(OTHER))


@settings(max_examples=40, deadline=None)
@given(subject=st.dictionaries(st.text(), JSON_VALUES, max_size=6), alg=st.sampled_from(ALGS))
def test_sign_verify_round_trips_arbitrary_json(subject: dict[str, Any], alg: str) -> None:
    credential = signing.build_credential(subject=subject, issuer=ORG, valid_from=WHEN)
    jws = signing.sign(credential=credential, private_key=KEYS[alg])
    result = signing.verify(jws, signing.public_jwk(KEYS[alg]))
    assert result.payload_bytes == signing.canonicalize(credential)
    assert signing.canonicalize(result.payload) == result.payload_bytes


def _jose_key(alg: str, private: bool) -> OKPKey | ECKey:
    key = KEYS[alg]
    jwk: dict[str, str | list[str]] = {**signing.public_jwk(key)}
    material = signing.private_key_pem(key) if private else jwk
    return OKPKey.import_key(material) if alg == "Ed25519" else ECKey.import_key(material)


@pytest.mark.parametrize("alg", ALGS)
def test_joserfc_verifies_our_jws(alg: str) -> None:
    jws = signing.sign(credential=_credential(), private_key=KEYS[alg])
    name = _header(alg)["alg"]
    result = jose.deserialize_compact(jws, _jose_key(alg, private=False), algorithms=[name])
    assert result.protected == _header(alg)
    assert result.payload == signing.canonicalize(_credential())


@pytest.mark.parametrize(
    ("alg", "name"), [("Ed25519", "EdDSA"), ("Ed25519", "Ed25519"), ("ES256", "ES256")]
)
def test_we_verify_joserfc_jws(alg: str, name: str) -> None:
    header = {**_header(alg), "alg": name}
    payload = signing.canonicalize(_credential())
    jws = jose.serialize_compact(header, payload, _jose_key(alg, private=True), algorithms=[name])
    assert signing.verify(jws, signing.public_jwk(KEYS[alg])).payload == _credential()
