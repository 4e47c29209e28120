"""A minimal JWS layer over cryptography: EdDSA/Ed25519 and ES256, compact and general JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from signing._encoding import b64url_decode, b64url_encode
from signing._errors import AlgorithmError, HeaderError, MalformedError, SignatureError
from signing._json import canonicalize, parse_json
from signing._keys import JWS_ALGORITHMS, KeyInfo, PrivateKey, PublicKey, key_info

_ALLOWED = {alg: kty for kty, algs in JWS_ALGORITHMS.items() for alg in algs}
_ECDSA = ec.ECDSA(hashes.SHA256())


@dataclass(frozen=True)
class VerifiedJws:
    """A JWS whose signature verified: its protected header and payload bytes."""

    header: Mapping[str, Any]
    payload: bytes


def _kty_of(key: PublicKey) -> str:
    return "OKP" if isinstance(key, ed25519.Ed25519PublicKey) else "EC"


def verify_signature(*, alg: str, key: PublicKey, message: bytes, signature: bytes) -> None:
    """Verify a raw JWS signature: Ed25519 (alg EdDSA or Ed25519) or ES256 as raw r||s.

    Raises AlgorithmError for any other algorithm or one that does not fit the key, and
    SignatureError when the signature does not verify (including a wrong length).
    """
    kty = _ALLOWED.get(alg)
    if kty is None:
        raise AlgorithmError(f"algorithm {alg!r} is not allowed (EdDSA, Ed25519 or ES256 only)")
    if kty != _kty_of(key):
        raise AlgorithmError(f"algorithm {alg!r} does not fit a {_kty_of(key)} key")
    if len(signature) != 64:
        raise SignatureError(f"{alg} signature must be 64 bytes, got {len(signature)}")
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        else:
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), message, _ECDSA)
    except InvalidSignature:
        raise SignatureError("signature does not verify") from None


def jws_alg(key: PrivateKey) -> str:
    """The JWS `alg` this package signs with: EdDSA (RFC 8037, as signing.md fixes) or ES256."""
    return "EdDSA" if isinstance(key, ed25519.Ed25519PrivateKey) else "ES256"


def sign_message(key: PrivateKey, message: bytes) -> bytes:
    """Sign bytes; return the JWS-encoded signature (Ed25519, or ES256 as raw r||s)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    r, s = decode_dss_signature(key.sign(message, _ECDSA))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sign_compact(*, header: Mapping[str, Any], payload: bytes, key: PrivateKey) -> str:
    """Return a compact JWS over `payload`; `alg` is set from the key."""
    protected = b64url_encode(canonicalize({**header, "alg": jws_alg(key)}))
    signing_input = f"{protected}.{b64url_encode(payload)}"
    signature = sign_message(key, signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


# Headers longer than this are parsed each time, never cached: 256 cached headers of up to a
# request body each would hold hundreds of megabytes (a signer's own header is ~150 bytes).
_CACHED_HEADER_MAX = 1024


def parse_protected(encoded: str) -> dict[str, Any]:
    """Decode and check a protected header: a JSON object with an allowed `alg`, no `crit`."""
    if len(encoded) > _CACHED_HEADER_MAX:
        return dict(_parse_protected.__wrapped__(encoded))
    return dict(_parse_protected(encoded))


@lru_cache(maxsize=256)
def _parse_protected(encoded: str) -> dict[str, Any]:
    # Cached: one signer's JWSs share one protected header. Callers get copies.
    header = parse_json(b64url_decode(encoded, what="JWS protected header"))
    if not isinstance(header, dict):
        raise HeaderError("JWS protected header is not a JSON object")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in _ALLOWED:
        raise AlgorithmError(f"algorithm {alg!r} is not allowed (EdDSA, Ed25519 or ES256 only)")
    if "crit" in header:
        raise HeaderError("JWS header lists critical extensions ('crit'); none are supported")
    if "b64" in header:
        raise HeaderError("unencoded payloads (RFC 7797 'b64') are not supported")
    return header


@dataclass(frozen=True)
class CompactParts:
    """A compact JWS split and its protected header checked, signature not yet verified."""

    header: dict[str, Any]
    signing_input: bytes
    payload_b64: str
    signature: bytes

    def verify_with(self, info: KeyInfo) -> bytes:
        """Verify the signature with a validated key; return the decoded payload bytes."""
        verify_signature(
            alg=self.header["alg"],
            key=info.key,
            message=self.signing_input,
            signature=self.signature,
        )
        return b64url_decode(self.payload_b64, what="JWS payload")


def open_compact(jws: str | bytes, *, typ: str | None = None) -> CompactParts:
    """Split a compact JWS and check its protected header (and `typ`, when given).

    Raises MalformedError for a wrong shape or encoding, AlgorithmError for a disallowed
    `alg`, HeaderError for `crit`, `b64` or a `typ` other than the one required.
    """
    if isinstance(jws, bytes):
        jws = jws.decode("ascii", errors="replace")
    if not isinstance(jws, str) or not jws.isascii():
        raise MalformedError("JWS must be ASCII text")
    parts = jws.strip().split(".")
    if len(parts) != 3:
        raise MalformedError(f"compact JWS needs 3 segments, got {len(parts)}")
    header_b64, payload_b64, signature_b64 = parts
    header = parse_protected(header_b64)
    if not payload_b64:
        raise MalformedError("detached-payload JWS is not supported")
    if typ is not None and header.get("typ") != typ:
        raise HeaderError(f"JWS typ must be {typ!r}, got {header.get('typ')!r}")
    return CompactParts(
        header=header,
        signing_input=f"{header_b64}.{payload_b64}".encode("ascii"),
        payload_b64=payload_b64,
        signature=b64url_decode(signature_b64, what="JWS signature"),
    )


def verify_jws(jws: str | bytes, public_jwk: Mapping[str, Any]) -> VerifiedJws:
    """Verify any compact JWS (alg EdDSA/Ed25519/ES256) with a public JWK.

    Checks structure, algorithm, algorithm/key fit and signature only: no typ, kid or payload
    rules. Raises a VerificationError subclass naming what failed.
    """
    info = key_info(public_jwk)
    parts = open_compact(jws)
    return VerifiedJws(header=parts.header, payload=parts.verify_with(info))


def sign_general(
    *, payload: bytes, signers: Sequence[tuple[PrivateKey, Mapping[str, Any]]]
) -> dict[str, Any]:
    """Return a JWS JSON general serialization with one signature per (key, header)."""
    encoded = b64url_encode(payload)
    signatures = []
    for key, header in signers:
        protected, _, signature = sign_compact(header=header, payload=payload, key=key).split(".")
        signatures.append({"protected": protected, "signature": signature})
    return {"payload": encoded, "signatures": signatures}


def verify_general(
    envelope: Any, keys: Mapping[str, KeyInfo]
) -> tuple[bytes, list[dict[str, Any]]]:
    """Verify every signature of a JWS JSON general serialization.

    Each signature's protected `kid` selects its key from `keys`; an unknown kid fails.
    Returns the payload bytes and the protected headers in signature order.
    """
    if not isinstance(envelope, dict) or set(envelope) != {"payload", "signatures"}:
        raise MalformedError("signed envelope must have exactly 'payload' and 'signatures'")
    signatures = envelope["signatures"]
    if not isinstance(signatures, list) or not signatures:
        raise MalformedError("signed envelope needs a non-empty 'signatures' list")
    payload_b64 = envelope["payload"]
    payload = b64url_decode(payload_b64, what="envelope payload")
    headers = []
    for item in signatures:
        if not isinstance(item, dict) or set(item) != {"protected", "signature"}:
            raise MalformedError("each signature needs exactly 'protected' and 'signature'")
        header = parse_protected(item["protected"])
        kid = header.get("kid")
        info = keys.get(kid) if isinstance(kid, str) else None
        if info is None:
            raise SignatureError(f"signature by unknown key {header.get('kid')!r}")
        verify_signature(
            alg=header["alg"],
            key=info.key,
            message=f"{item['protected']}.{payload_b64}".encode("ascii"),
            signature=b64url_decode(item["signature"], what="envelope signature"),
        )
        headers.append(header)
    return payload, headers
