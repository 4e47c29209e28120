"""Keys: generation, PKCS#8 PEM, public JWKs, RFC 7638 thumbprints, registration validation."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import signing
from signing._encoding import b64url_decode, b64url_encode
from tests.signing.support import load_vector

P = 2**255 - 19
P256 = 2**256 - 2**224 + 2**192 + 2**96 - 1
ED_KEY = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
# The eight small-order points of Curve25519 in canonical encoding (order 1, 2, 4, 4, 8 x4).
SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
]


def _okp(raw: bytes) -> dict[str, str]:
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}


def _ec_jwk() -> dict[str, str]:
    jwk = signing.public_jwk(signing.generate_key("ES256"))
    del jwk["kid"]
    return jwk


@pytest.mark.parametrize("case", load_vector("rfc7638", "jwk_thumbprints.json")["cases"])
def test_rfc7638_thumbprints(case: dict[str, Any]) -> None:
    assert signing.jwk_thumbprint(case["jwk"]) == case["thumbprint_sha256_b64u"]


def test_thumbprint_needs_the_required_members() -> None:
    with pytest.raises(signing.InvalidKeyError):
        signing.jwk_thumbprint({"kty": "EC", "crv": "P-256", "x": "AA"})
    with pytest.raises(signing.InvalidKeyError):
        signing.jwk_thumbprint({"kty": "XYZ"})


@pytest.mark.parametrize("alg", ["Ed25519", "ES256"])
def test_generate_serialize_load_round_trip(alg: str) -> None:
    key = signing.generate_key(alg)
    pem = signing.private_key_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = signing.load_private_key(pem)
    assert signing.public_jwk(loaded) == signing.public_jwk(key)
    encrypted = signing.private_key_pem(key, password=b"secret")
    assert signing.public_jwk(signing.load_private_key(encrypted, password=b"secret")) == (
        signing.public_jwk(key)
    )


@pytest.mark.parametrize("alg", ["Ed25519", "ES256"])
def test_public_jwk_is_valid_and_kid_is_its_thumbprint(alg: str) -> None:
    jwk = signing.public_jwk(signing.generate_key(alg))
    assert jwk["kid"] == signing.jwk_thumbprint(jwk)
    assert signing.validate_public_jwk(jwk) == jwk
    assert set(jwk) == ({"kty", "crv", "x", "kid"} | ({"y"} if alg == "ES256" else set()))


def test_generate_refuses_other_algorithms() -> None:
    with pytest.raises(signing.KeyFormatError):
        signing.generate_key("RS256")


def _pem(key: Any, fmt: serialization.PrivateFormat) -> bytes:
    return bytes(key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()))


@pytest.mark.parametrize(
    "pem",
    [
        _pem(ec.generate_private_key(ec.SECP384R1()), serialization.PrivateFormat.PKCS8),
        _pem(rsa.generate_private_key(65537, 2048), serialization.PrivateFormat.PKCS8),
        _pem(
            ec.generate_private_key(ec.SECP256R1()), serialization.PrivateFormat.TraditionalOpenSSL
        ),
        b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
        b"",
    ],
    ids=["p384", "rsa", "sec1-not-pkcs8", "garbage", "empty"],
)
def test_load_private_key_refuses(pem: bytes) -> None:
    with pytest.raises(signing.KeyFormatError):
        signing.load_private_key(pem)


def test_wrong_password_is_a_key_format_error() -> None:
    pem = signing.private_key_pem(signing.generate_key("Ed25519"), password=b"right")
    with pytest.raises(signing.KeyFormatError):
        signing.load_private_key(pem, password=b"wrong")


def test_rfc8037_key_validates() -> None:
    assert (
        signing.validate_public_jwk(ED_KEY)["kid"] == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    )


@pytest.mark.parametrize("point", SMALL_ORDER)
def test_small_order_ed25519_points_are_refused(point: str) -> None:
    with pytest.raises(signing.InvalidKeyError, match="small-order"):
        signing.validate_public_jwk(_okp(bytes.fromhex(point)))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ((P).to_bytes(32, "little"), "y coordinate is not below p"),
        ((P + 1).to_bytes(32, "little"), "y coordinate is not below p"),
        (bytes.fromhex("01" + "00" * 30 + "80"), "sign bit set for x = 0"),
        ((2).to_bytes(32, "little"), "not a point on the curve"),
        (bytes(31), "must be 32 bytes"),
        (bytes(33), "must be 32 bytes"),
    ],
    ids=["y=p", "y=p+1", "negative-zero", "off-curve", "short", "long"],
)
def test_non_canonical_or_invalid_ed25519_keys_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises(signing.InvalidKeyError, match=message):
        signing.validate_public_jwk(_okp(raw))


def _replace(jwk: dict[str, str], **members: str) -> dict[str, str]:
    return {**jwk, **members}


def _ec_cases() -> list[Any]:
    jwk = _ec_jwk()
    x = jwk["x"]
    x_int = int.from_bytes(b64url_decode(x, what="x"), "big")
    cases = [
        ("short-x", _replace(jwk, x=b64url_encode(x_int.to_bytes(32, "big")[1:])), "32 bytes"),
        (
            "leading-zero-x",
            _replace(jwk, x=b64url_encode(b"\0" + x_int.to_bytes(32, "big"))),
            "32 bytes",
        ),
        (
            "x-not-below-p",
            _replace(jwk, x=b64url_encode((P256 + 1).to_bytes(32, "big"))),
            "field prime",
        ),
        ("off-curve", _replace(jwk, y=jwk["x"]), "not a point on P-256"),
        ("padded", _replace(jwk, x=x + "="), "base64url"),
        ("std-alphabet", _replace(jwk, x=x.replace("-", "+").replace("_", "/") + "+"), "base64url"),
        ("whitespace", _replace(jwk, x=x[:10] + " " + x[10:]), "base64url"),
        ("missing-y", {k: v for k, v in jwk.items() if k != "y"}, "unsupported EC key"),
        ("p384", _replace(jwk, crv="P-384"), "unsupported EC key"),
        ("private-d", _replace(jwk, d="AAAA"), "private member 'd'"),
        ("kid-mismatch", _replace(jwk, kid="not-the-thumbprint"), "kid"),
        ("alg-mismatch", _replace(jwk, alg="EdDSA"), "alg"),
        ("use-enc", _replace(jwk, use="enc"), "use"),
        ("number-x", {**jwk, "x": 5}, "must be strings"),
    ]
    return [pytest.param(jwk, message, id=name) for name, jwk, message in cases]


@pytest.mark.parametrize(("jwk", "message"), _ec_cases())
def test_invalid_ec_keys_are_refused(jwk: Any, message: str) -> None:
    with pytest.raises(signing.InvalidKeyError, match=message):
        signing.validate_public_jwk(jwk)


def test_non_canonical_base64url_trailing_bits_are_refused() -> None:
    # The last of 43 characters carries 2 unused bits; setting one encodes the same bytes.
    last = ED_KEY["x"][-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(last) | 1]
    assert twin != last
    with pytest.raises(signing.InvalidKeyError, match="non-canonical base64url"):
        signing.validate_public_jwk(_replace(ED_KEY, x=ED_KEY["x"][:-1] + twin))


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        {"kty": "oct", "k": "AAAA"},
        {"kty": "OKP", "crv": "X25519", "x": ED_KEY["x"]},
        {"kty": "OKP", "crv": "Ed448", "x": ED_KEY["x"]},
        {"crv": "Ed25519", "x": ED_KEY["x"]},
        ["not", "an", "object"],
        {**ED_KEY, "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"},
    ],
    ids=["rsa", "oct", "x25519", "ed448", "no-kty", "list", "private-d"],
)
def test_other_key_types_and_private_members_are_refused(jwk: Any) -> None:
    with pytest.raises(signing.InvalidKeyError):
        signing.validate_public_jwk(jwk)


def test_load_public_jwk_returns_a_usable_key() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public = signing.load_public_jwk(signing.public_jwk(key))
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert public.public_numbers() == key.public_key().public_numbers()
