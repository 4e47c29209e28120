"""VC 2.0 disclosure credentials: build, sign as compact JWS (typ vc+jwt), verify."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from signing._encoding import format_time
from signing._errors import CredentialError, HeaderError, InputError
from signing._json import canonicalize, parse_canonical
from signing._jws import open_compact, sign_compact
from signing._keys import PrivateKey, key_info, public_jwk

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_TYP = "vc+jwt"
_URN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+")
_KIND = re.compile(r"[A-Z][A-Za-z0-9]{0,63}")


@dataclass(frozen=True)
class VerifiedCredential:
    """A credential JWS that passed `verify`.

    `payload` is the parsed VC, `payload_bytes` its canonical bytes, `header` the protected
    header, `content_id` the SHA-256 hex of the payload bytes, `jws` the compact JWS itself.
    """

    payload: dict[str, Any]
    payload_bytes: bytes
    header: Mapping[str, Any]
    content_id: str
    jws: str

    @property
    def issuer(self) -> str:
        """The credential's `issuer` URN."""
        return str(self.payload["issuer"])

    @property
    def kid(self) -> str:
        """The signing key's thumbprint (the protected `kid`)."""
        return str(self.header["kid"])


def is_urn(value: object) -> bool:
    """Whether `value` is a string of the form urn:<nid>:<nss>."""
    return isinstance(value, str) and _URN.fullmatch(value) is not None


def vc_problem(payload: Any) -> str | None:
    """Describe how `payload` falls short of the VC 2.0 shape signing.md fixes, or None."""
    if not isinstance(payload, dict):
        return "credential is not a JSON object"
    context = payload.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_CONTEXT:
        return f"credential @context must be a list starting with {VC_CONTEXT}"
    types = payload.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return "credential type must be a list including VerifiableCredential"
    if not all(isinstance(t, str) for t in types):
        return "credential type entries must be strings"
    if not is_urn(payload.get("issuer")):
        return "credential issuer must be a URN string"
    if not isinstance(payload.get("credentialSubject"), dict):
        return "credentialSubject must be a JSON object"
    return None


def build_credential(
    *,
    subject: Mapping[str, Any],
    issuer: str,
    kind: str = "EmissionDisclosure",
    valid_from: datetime | None = None,
) -> dict[str, Any]:
    """Build the VC 2.0 payload for a disclosure; `valid_from` defaults to now (UTC seconds).

    Raises InputError for a subject that is not an object, an issuer that is not a URN,
    a kind that is not a PascalCase name, or a naive `valid_from`.
    """
    if not isinstance(subject, Mapping):
        raise InputError("credential subject must be a JSON object")
    if not is_urn(issuer):
        raise InputError(f"issuer must be a URN such as urn:esgx:org:<code>, got {issuer!r}")
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise InputError(f"kind must be a PascalCase name such as EmissionDisclosure, got {kind!r}")
    try:
        valid = format_time(valid_from or datetime.now(UTC))
    except ValueError as exc:
        raise InputError(f"valid_from: {exc}") from None
    return {
        "@context": [VC_CONTEXT],
        "type": ["VerifiableCredential", kind],
        "issuer": issuer,
        "validFrom": valid,
        "credentialSubject": dict(subject),
    }


def sign(*, credential: Mapping[str, Any], private_key: PrivateKey) -> str:
    """Sign a VC payload: compact JWS over its JCS bytes, header {alg, kid, typ, cty}.

    Raises InputError when the credential lacks the VC 2.0 shape, CanonicalizationError
    when it is not representable as canonical JSON.
    """
    if not isinstance(credential, Mapping):
        raise InputError("credential must be a JSON object")
    document = dict(credential)
    payload = canonicalize(document)
    problem = vc_problem(document)
    if problem:
        raise InputError(problem)
    header = {"kid": public_jwk(private_key)["kid"], "typ": VC_TYP, "cty": "vc"}
    return sign_compact(header=header, payload=payload, key=private_key)


def verify(jws: str | bytes, public_jwk: Mapping[str, Any]) -> VerifiedCredential:
    """Verify a credential JWS against the issuer's public JWK; return the verified payload.

    Checks, in order: the JWK (as validate_public_jwk); JWS structure; `alg` is EdDSA,
    Ed25519 or ES256; `typ` is vc+jwt and `cty` (if present) vc; `kid` is the key's
    thumbprint; `alg` fits the key and the signature verifies; the payload is canonical JSON
    (its bytes equal canonicalize(parse_json(bytes))) in the VC shape. Raises the
    VerificationError subclass of the first failing check.
    """
    info = key_info(public_jwk)
    text = jws.decode("ascii", errors="replace") if isinstance(jws, bytes) else jws
    parts = open_compact(text, typ=VC_TYP)
    header = parts.header
    if header.get("cty", "vc") != "vc":
        raise HeaderError(f"JWS cty must be 'vc', got {header.get('cty')!r}")
    if header.get("kid") != info.kid:
        raise HeaderError(f"JWS kid {header.get('kid')!r} is not the thumbprint of the given key")
    payload_bytes = parts.verify_with(info)
    payload = parse_canonical(payload_bytes, what="credential payload")
    problem = vc_problem(payload)
    if problem:
        raise CredentialError(problem)
    return VerifiedCredential(
        payload=payload,
        payload_bytes=payload_bytes,
        header=header,
        content_id=hashlib.sha256(payload_bytes).hexdigest(),
        jws=text.strip(),
    )
