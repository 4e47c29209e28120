"""Ed25519 and P-256 keys: generation, PKCS#8 PEM, public JWKs, RFC 7638 thumbprints, validation."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple, TypeAlias

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from signing._ed25519 import check_ed25519_public_key
from signing._encoding import b64url_decode, b64url_encode
from signing._errors import InvalidKeyError, KeyFormatError, MalformedError
from signing._json import canonicalize

PrivateKey: TypeAlias = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey: TypeAlias = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

KEY_ALGORITHMS = ("Ed25519", "ES256")
_P256_PRIME = 2**256 - 2**224 + 2**192 + 2**96 - 1
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
_PRIVATE_SET = frozenset(_PRIVATE_MEMBERS)
_THUMBPRINT_MEMBERS = {
    "OKP": ("crv", "kty", "x"),
    "EC": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
    "oct": ("k", "kty"),
}
# JWS algorithm names each key family may sign with; "Ed25519" is the RFC 9864 name.
JWS_ALGORITHMS = {"OKP": ("EdDSA", "Ed25519"), "EC": ("ES256",)}


class KeyInfo(NamedTuple):
    """A validated public key: the key object, its thumbprint and its minimal JWK."""

    key: PublicKey
    kid: str
    kty: str
    jwk: Mapping[str, str]


def generate_key(alg: str) -> PrivateKey:
    """Generate a private key for `alg` ("Ed25519" or "ES256"); KeyFormatError otherwise."""
    if alg == "Ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    raise KeyFormatError(f"unsupported key algorithm {alg!r}: use Ed25519 or ES256")


def load_private_key(pem: bytes, *, password: bytes | None = None) -> PrivateKey:
    """Load a PKCS#8 PEM Ed25519 or P-256 private key; KeyFormatError for anything else."""
    if b"-----BEGIN PRIVATE KEY-----" not in pem and b"-----BEGIN ENCRYPTED PRIVATE KEY" not in pem:
        raise KeyFormatError("private key must be PKCS#8 PEM (BEGIN PRIVATE KEY)")
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFormatError(f"cannot load private key: {exc}") from None
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise KeyFormatError("private key must be Ed25519 or P-256")


def private_key_pem(key: PrivateKey, *, password: bytes | None = None) -> bytes:
    """Serialize a private key as PKCS#8 PEM, encrypted when a password is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def _minimal_jwk(key: PublicKey) -> dict[str, str]:
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    if not isinstance(key.curve, ec.SECP256R1):
        raise KeyFormatError("EC key must be on P-256")
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(numbers.x.to_bytes(32, "big")),
        "y": b64url_encode(numbers.y.to_bytes(32, "big")),
    }


def public_jwk(key: PrivateKey | PublicKey) -> dict[str, str]:
    """Return the public JWK of a key (kty, crv, x[, y]) with its thumbprint as `kid`."""
    public = key.public_key() if isinstance(key, PrivateKey) else key
    jwk = _minimal_jwk(public)
    jwk["kid"] = jwk_thumbprint(jwk)
    return jwk


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """Return the RFC 7638 SHA-256 thumbprint (base64url) of a JWK.

    Only the required members of its `kty` are hashed; the key itself is not validated here.
    Raises InvalidKeyError for an unknown `kty` or a missing or non-string required member.
    """
    kty = jwk.get("kty")
    members = _THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None:
        raise InvalidKeyError(f"cannot compute a thumbprint for key type {jwk.get('kty')!r}")
    required = {name: jwk.get(name) for name in members}
    if not all(isinstance(value, str) for value in required.values()):
        raise InvalidKeyError(f"JWK thumbprint needs string members {', '.join(members)}")
    return b64url_encode(hashlib.sha256(canonicalize(required)).digest())


def _key_bytes(text: str, what: str) -> bytes:
    try:
        return b64url_decode(text, what=what)
    except MalformedError as exc:
        raise InvalidKeyError(str(exc)) from None


def _ec_coordinate(text: str, name: str) -> int:
    raw = _key_bytes(text, f"EC coordinate {name}")
    if len(raw) != 32:
        raise InvalidKeyError(
            f"EC coordinate {name} must be exactly 32 bytes (RFC 7518 6.2.1.2), got {len(raw)}"
        )
    value = int.from_bytes(raw, "big")
    if value >= _P256_PRIME:
        raise InvalidKeyError(f"EC coordinate {name} is non-canonical: not below the field prime")
    return value


@lru_cache(maxsize=1024)
def _validated(kty: str, crv: object, x: object, y: object) -> KeyInfo:
    """Validate the key material of a JWK; cached because verification repeats the same keys."""
    if kty == "OKP" and crv == "Ed25519" and isinstance(x, str) and y is None:
        raw = _key_bytes(x, "Ed25519 key x")
        check_ed25519_public_key(raw)
        key: PublicKey = ed25519.Ed25519PublicKey.from_public_bytes(raw)
    elif kty == "EC" and crv == "P-256" and isinstance(x, str) and isinstance(y, str):
        numbers = ec.EllipticCurvePublicNumbers(
            _ec_coordinate(x, "x"), _ec_coordinate(y, "y"), ec.SECP256R1()
        )
        try:
            key = numbers.public_key()
        except ValueError:
            raise InvalidKeyError("EC key is not a point on P-256") from None
    elif kty in ("OKP", "EC"):
        raise InvalidKeyError(f"unsupported {kty} key: need crv Ed25519 (OKP) or P-256 (EC)")
    else:
        raise InvalidKeyError(f"unsupported key type {kty!r}: only OKP Ed25519 and EC P-256")
    jwk = _minimal_jwk(key)
    return KeyInfo(key, jwk_thumbprint(jwk), kty, jwk)


def key_info(jwk: Mapping[str, Any]) -> KeyInfo:
    """Validate a public JWK and return the key; raise InvalidKeyError saying what is wrong."""
    if not isinstance(jwk, Mapping):
        raise InvalidKeyError("JWK must be a JSON object")
    if not _PRIVATE_SET.isdisjoint(jwk):
        name = next(name for name in _PRIVATE_MEMBERS if name in jwk)
        raise InvalidKeyError(f"public JWK contains private member {name!r}")
    kty, crv, x, y = jwk.get("kty"), jwk.get("crv"), jwk.get("x"), jwk.get("y")
    if not all(v is None or isinstance(v, str) for v in (kty, crv, x, y)):
        raise InvalidKeyError("JWK members kty, crv, x, y must be strings")
    info = _validated(kty, crv, x, y)
    if "alg" in jwk and jwk["alg"] not in JWS_ALGORITHMS[info.kty]:
        raise InvalidKeyError(f"JWK alg {jwk['alg']!r} does not fit a {info.kty} key")
    if "use" in jwk and jwk["use"] != "sig":
        raise InvalidKeyError("JWK use must be 'sig'")
    if "kid" in jwk and jwk["kid"] != info.kid:
        raise InvalidKeyError("JWK kid is not the key's RFC 7638 thumbprint")
    return info


def validate_public_jwk(jwk: Mapping[str, Any]) -> dict[str, str]:
    """Validate a public JWK for registration; return its minimal form with `kid`.

    Rejects other key types and curves, private members (`d`, ...), non-canonical base64url,
    EC coordinates not exactly 32 bytes or not below p, points off the curve, Ed25519 y >= p
    and small-order Ed25519 points, a mismatching `kid`, `alg` or `use` (InvalidKeyError).
    """
    info = key_info(jwk)
    return {**info.jwk, "kid": info.kid}


def load_public_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """Validate a public JWK (as validate_public_jwk) and return the cryptography key."""
    return key_info(jwk).key
