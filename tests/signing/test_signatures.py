"""Signature vectors: RFC 8032, Wycheproof (Ed25519, P-256 r||s), RFC 7515 A.3, JOSE cookbook."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

import signing
from signing._jws import sign_compact
from tests.signing.support import VECTORS, load_vector

WYCHEPROOF = "wycheproof", "testvectors_v1"
COOKBOOK = VECTORS / "jose-cookbook-rfc7520"


def _public(jwk: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in jwk.items() if k not in ("d", "kid")}


def _wycheproof(name: str) -> list[Any]:
    data = load_vector(*WYCHEPROOF, name)
    cases = []
    for group in data["testGroups"]:
        for test in group["tests"]:
            label = f"{test['tcId']}-{test['result']}"
            cases.append(pytest.param(group["publicKey"], test, id=label))
    assert len(cases) == data["numberOfTests"]
    return cases


@pytest.mark.parametrize("case", load_vector("rfc8032", "rfc8032_sec7.1_ed25519.json")["tests"])
def test_rfc8032_sign_and_verify(case: dict[str, str]) -> None:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(case["secretKey"]))
    message, signature = bytes.fromhex(case["message"]), bytes.fromhex(case["signature"])
    public = private.public_key()
    assert signing.public_jwk(public)["x"] == signing.public_jwk(private)["x"]
    assert private.sign(message) == signature
    signing.verify_signature(alg="EdDSA", key=public, message=message, signature=signature)
    signing.verify_signature(alg="Ed25519", key=public, message=message, signature=signature)
    with pytest.raises(signing.SignatureError):
        signing.verify_signature(
            alg="EdDSA", key=public, message=message + b"x", signature=signature
        )


@pytest.mark.parametrize(("public_key", "test"), _wycheproof("ed25519_test.json"))
def test_wycheproof_ed25519(public_key: dict[str, Any], test: dict[str, Any]) -> None:
    key = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key["pk"]))
    message, signature = bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"])
    if test["result"] == "valid":
        signing.verify_signature(alg="EdDSA", key=key, message=message, signature=signature)
    else:
        with pytest.raises(signing.SignatureError):
            signing.verify_signature(alg="EdDSA", key=key, message=message, signature=signature)


@pytest.mark.parametrize(
    ("public_key", "test"), _wycheproof("ecdsa_secp256r1_sha256_p1363_test.json")
)
def test_wycheproof_p256_raw_r_s(public_key: dict[str, Any], test: dict[str, Any]) -> None:
    point = bytes.fromhex(public_key["uncompressed"])
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    message, signature = bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"])
    if test["result"] == "valid":
        signing.verify_signature(alg="ES256", key=key, message=message, signature=signature)
    else:
        with pytest.raises(signing.SignatureError):
            signing.verify_signature(alg="ES256", key=key, message=message, signature=signature)


def test_wycheproof_valid_der_signatures_are_refused_as_es256() -> None:
    # JWS ES256 is raw r||s (RFC 7518 3.4); a DER-encoded signature must never verify.
    data = load_vector(*WYCHEPROOF, "ecdsa_secp256r1_sha256_test.json")
    refused = 0
    for group in data["testGroups"]:
        point = bytes.fromhex(group["publicKey"]["uncompressed"])
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        for test in group["tests"]:
            if test["result"] != "valid":
                continue
            with pytest.raises(signing.SignatureError):
                signing.verify_signature(
                    alg="ES256",
                    key=key,
                    message=bytes.fromhex(test["msg"]),
                    signature=bytes.fromhex(test["sig"]),
                )
            refused += 1
    assert refused > 100


def test_wycheproof_p256_keys_pass_jwk_validation() -> None:
    data = load_vector(*WYCHEPROOF, "ecdsa_secp256r1_sha256_p1363_test.json")
    jwks = [_public(g["publicKeyJwk"]) for g in data["testGroups"] if "publicKeyJwk" in g]
    assert len(jwks) > 100
    for jwk in jwks:
        assert signing.validate_public_jwk(jwk)["kty"] == "EC"


def test_rfc7515_a3_es256_verifies() -> None:
    vector = load_vector("rfc7515", "rfc7515_appendixA3_es256.json")
    result = signing.verify_jws(vector["compact"], _public(vector["jwk"]))
    assert result.header == {"alg": "ES256"}
    assert result.payload == vector["payload_decoded"].encode()
    with pytest.raises(signing.InvalidKeyError, match="private member 'd'"):
        signing.verify_jws(vector["compact"], vector["jwk"])
    # Not a credential: no typ, no kid, payload not canonical.
    with pytest.raises(signing.HeaderError):
        signing.verify(vector["compact"], _public(vector["jwk"]))


def test_rfc7515_a3_rejects_a_changed_signature() -> None:
    vector = load_vector("rfc7515", "rfc7515_appendixA3_es256.json")
    header, payload, sig = vector["compact"].split(".")
    tampered = f"{header}.{payload}.{sig[:10]}{'A' if sig[10] != 'A' else 'B'}{sig[11:]}"
    with pytest.raises(signing.SignatureError):
        signing.verify_jws(tampered, _public(vector["jwk"]))


def test_rfc8037_ed25519_jws_is_reproduced_and_verifies() -> None:
    vector = json.loads((COOKBOOK / "curve25519" / "jws.json").read_text(encoding="utf-8"))
    jwk = vector["input"]["key"]
    private = ed25519.Ed25519PrivateKey.from_private_bytes(
        signing._encoding.b64url_decode(jwk["d"], what="d")
    )
    payload = vector["input"]["payload"].encode()
    assert sign_compact(header={}, payload=payload, key=private) == vector["output"]["compact"]
    result = signing.verify_jws(vector["output"]["compact"], _public(jwk))
    assert result.payload == payload


def _cookbook_compacts() -> list[Any]:
    """Every cookbook JWS that has a compact form or a flattened form with a protected header."""
    cases = []
    for path in sorted((COOKBOOK / "jws").glob("*.json")) + sorted(
        (COOKBOOK / "rfc7797").glob("*.json")
    ):
        output = json.loads(path.read_text(encoding="utf-8"))["output"]
        forms = [output["compact"]] if "compact" in output else []
        flat = output.get("json_flat") or {}
        signatures = output.get("json", {}).get("signatures", [])
        for item in [flat, *signatures]:
            if "protected" in item:
                forms.append(
                    f"{item['protected']}.{output['json'].get('payload', '')}.{item['signature']}"
                )
        cases += [pytest.param(form, id=f"{path.stem}-{i}") for i, form in enumerate(forms)]
    return cases


@pytest.mark.parametrize("compact", _cookbook_compacts())
def test_cookbook_rsa_hmac_es512_jws_are_rejected(compact: str) -> None:
    # RS256, PS384, ES512 and HS256 are outside the allow-list; the RFC 7797 unencoded payload
    # ("$.02") does not even split into three segments.
    jwk = signing.public_jwk(signing.generate_key("Ed25519"))
    expected = signing.AlgorithmError if compact.count(".") == 2 else signing.MalformedError
    with pytest.raises(expected):
        signing.verify_jws(compact, jwk)
    with pytest.raises(expected):
        signing.verify(compact, jwk)


def test_cookbook_forms_cover_every_rejected_algorithm() -> None:
    algs = set()
    for param in _cookbook_compacts():
        (compact,) = param.values
        header = signing._encoding.b64url_decode(str(compact).split(".")[0], what="header")
        algs.add(json.loads(header)["alg"])
    assert algs == {"RS256", "PS384", "ES512", "HS256"}
