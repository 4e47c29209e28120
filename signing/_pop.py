"""Proof of possession for key registration: a challenge signed by the new key (ACME style)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from signing._credentials import is_urn
from signing._encoding import b64url_encode, format_time, parse_time
from signing._errors import ChallengeError, CredentialError, HeaderError, InputError
from signing._json import canonicalize, parse_canonical
from signing._jws import open_compact, sign_compact
from signing._keys import PrivateKey, key_info, public_jwk

POP_TYP = "esgx-pop+jwt"
_CHALLENGE_MEMBERS = {"nonce", "organization", "expires"}


def build_challenge(
    *, organization: str, expires_at: datetime, nonce: str | None = None
) -> dict[str, str]:
    """Build a one-time registration challenge {nonce, organization, expires}.

    The nonce defaults to 32 random bytes in base64url. Raises InputError for an
    organization that is not a URN, a naive expiry or a nonce shorter than 16 characters.
    """
    if not is_urn(organization):
        raise InputError(f"organization must be a URN, got {organization!r}")
    nonce = b64url_encode(secrets.token_bytes(32)) if nonce is None else nonce
    if not isinstance(nonce, str) or len(nonce) < 16:
        raise InputError("nonce must be a string of at least 16 characters")
    try:
        expires = format_time(expires_at)
    except ValueError as exc:
        raise InputError(f"expires_at: {exc}") from None
    return {"nonce": nonce, "organization": organization, "expires": expires}


def sign_pop(challenge: Mapping[str, Any], *, private_key: PrivateKey) -> str:
    """Answer a challenge: compact JWS over its canonical bytes, public key in header `jwk`.

    Raises InputError when the challenge lacks exactly nonce, organization and expires.
    """
    if not isinstance(challenge, Mapping) or set(challenge) != _CHALLENGE_MEMBERS:
        raise InputError("challenge must have exactly nonce, organization and expires")
    jwk = {k: v for k, v in public_jwk(private_key).items() if k != "kid"}
    header = {"typ": POP_TYP, "jwk": jwk}
    return sign_compact(header=header, payload=canonicalize(dict(challenge)), key=private_key)


def verify_pop(
    jws: str | bytes, *, nonce: str, organization: str, now: datetime | None = None
) -> dict[str, str]:
    """Verify a proof of possession; return the new key's validated public JWK with `kid`.

    Checks typ, that the header has a `jwk` and no `kid` (RFC 8555 6.2), the key (as
    validate_public_jwk), alg fit and signature, a canonical payload, then nonce (constant
    time), organization and expiry against the expected values. Raises a VerificationError
    subclass: HeaderError, InvalidKeyError, AlgorithmError, SignatureError, ChallengeError...
    """
    parts = open_compact(jws, typ=POP_TYP)
    if "kid" in parts.header or "jwk" not in parts.header:
        raise HeaderError("proof of possession needs the public key in 'jwk' and no 'kid'")
    info = key_info(parts.header["jwk"])
    challenge = parse_canonical(parts.verify_with(info), what="challenge")
    if not isinstance(challenge, dict) or set(challenge) != _CHALLENGE_MEMBERS:
        raise CredentialError("challenge must have exactly nonce, organization and expires")
    answered = challenge["nonce"]
    if not isinstance(answered, str) or not hmac.compare_digest(
        answered.encode("utf-8"), nonce.encode("utf-8")
    ):
        raise ChallengeError("proof of possession answers a different nonce")
    if challenge["organization"] != organization:
        answered_org = challenge["organization"]
        raise ChallengeError(f"challenge is for {answered_org!r}, not {organization!r}")
    expires = parse_time(challenge["expires"], what="challenge expires")
    if (now or datetime.now(UTC)) >= expires:
        raise ChallengeError(f"challenge expired at {challenge['expires']}")
    return {**info.jwk, "kid": info.kid}
