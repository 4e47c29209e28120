"""Key-event documents (registered, rotated, revoked): build, sign, verify, and replay."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from signing._credentials import is_urn
from signing._encoding import b64url_decode, format_time, parse_time
from signing._errors import CredentialError, HeaderError, InputError, SignatureError
from signing._json import canonicalize, parse_canonical
from signing._jws import sign_general, verify_general
from signing._keys import KeyInfo, PrivateKey, key_info, public_jwk, validate_public_jwk

KEY_EVENT_TYP = "esgx-key-event+jws"
KEY_EVENT_VERSION = 1
REVOCATION_REASONS = ("keyCompromise", "superseded", "cessationOfOperation")
_COMMON = {"esgxKeyEvent", "event", "organization", "kid", "issuedAt"}
_MEMBERS = {
    "registered": _COMMON | {"jwk"},
    "rotated": _COMMON | {"jwk", "previousKid", "previousNotAfter"},
    "revoked": _COMMON | {"reason", "effectiveAt"},
}


@dataclass(frozen=True)
class KeyEvent:
    """A verified key event.

    `kid` is the key the event is about (the new key for registered and rotated), `signers`
    the kids that signed it, `digest` the SHA-256 hex of the canonical envelope (what the
    log entry's eventSha256 holds).
    """

    event: str
    organization: str
    kid: str
    issued_at: datetime
    jwk: Mapping[str, str] | None
    previous_kid: str | None
    previous_not_after: datetime | None
    reason: str | None
    effective_at: datetime | None
    signers: tuple[str, ...]
    envelope: Mapping[str, Any]
    digest: str


def _header(event: str, organization: str, kid: str, issued_at: datetime | None) -> dict[str, Any]:
    if not is_urn(organization):
        raise InputError(f"organization must be a URN, got {organization!r}")
    try:
        issued = format_time(issued_at or datetime.now(UTC))
    except ValueError as exc:
        raise InputError(f"issued_at: {exc}") from None
    return {
        "esgxKeyEvent": KEY_EVENT_VERSION,
        "event": event,
        "organization": organization,
        "kid": kid,
        "issuedAt": issued,
    }


def build_registration(
    *, organization: str, public_jwk: Mapping[str, Any], issued_at: datetime | None = None
) -> dict[str, Any]:
    """Build a `registered` event for a validated public key (InvalidKeyError, InputError)."""
    jwk = validate_public_jwk(public_jwk)
    return {**_header("registered", organization, jwk["kid"], issued_at), "jwk": jwk}


def build_rotation(
    *,
    organization: str,
    new_jwk: Mapping[str, Any],
    previous_kid: str,
    previous_not_after: datetime,
    issued_at: datetime | None = None,
) -> dict[str, Any]:
    """Build a `rotated` event: new key, old key's kid and the end of its overlap window.

    Both keys must sign it (sign_key_event with both). Raises InputError, InvalidKeyError.
    """
    jwk = validate_public_jwk(new_jwk)
    if previous_kid == jwk["kid"]:
        raise InputError("a key cannot be rotated to itself")
    try:
        not_after = format_time(previous_not_after)
    except ValueError as exc:
        raise InputError(f"previous_not_after: {exc}") from None
    event = _header("rotated", organization, jwk["kid"], issued_at)
    return {**event, "jwk": jwk, "previousKid": previous_kid, "previousNotAfter": not_after}


def build_revocation(
    *,
    organization: str,
    kid: str,
    reason: str,
    effective_at: datetime,
    issued_at: datetime | None = None,
) -> dict[str, Any]:
    """Build a `revoked` event; `effective_at` may precede the revocation (keyCompromise).

    Raises InputError for an unknown reason or a naive time.
    """
    if reason not in REVOCATION_REASONS:
        raise InputError(f"reason must be one of {', '.join(REVOCATION_REASONS)}")
    try:
        effective = format_time(effective_at)
    except ValueError as exc:
        raise InputError(f"effective_at: {exc}") from None
    event = _header("revoked", organization, kid, issued_at)
    return {**event, "reason": reason, "effectiveAt": effective}


def sign_key_event(
    event: Mapping[str, Any], *, private_keys: Sequence[PrivateKey]
) -> dict[str, Any]:
    """Sign a key event with each key; return the JWS JSON general serialization envelope."""
    payload = canonicalize(dict(event))
    signers = [(key, {"kid": public_jwk(key)["kid"], "typ": KEY_EVENT_TYP}) for key in private_keys]
    return sign_general(payload=payload, signers=signers)


def _string(payload: Mapping[str, Any], name: str) -> str:
    value = payload[name]
    if not isinstance(value, str) or not value:
        raise CredentialError(f"key event {name} must be a non-empty string")
    return value


def _parse_payload(payload: Any) -> dict[str, Any]:
    """Check a key-event payload's members and types; return the typed fields."""
    if not isinstance(payload, dict) or payload.get("esgxKeyEvent") != KEY_EVENT_VERSION:
        raise CredentialError(f"key event must be an object with esgxKeyEvent {KEY_EVENT_VERSION}")
    event = payload.get("event")
    if event not in _MEMBERS or set(payload) != _MEMBERS[event]:
        raise CredentialError(f"key event {event!r} does not have exactly its members")
    if not is_urn(payload["organization"]):
        raise CredentialError("key event organization must be a URN")
    fields: dict[str, Any] = {
        "event": event,
        "organization": payload["organization"],
        "kid": _string(payload, "kid"),
        "issued_at": parse_time(payload["issuedAt"], what="key event issuedAt"),
        "jwk": None,
        "previous_kid": None,
        "previous_not_after": None,
        "reason": None,
        "effective_at": None,
    }
    if "jwk" in payload:
        fields["jwk"] = validate_public_jwk(payload["jwk"])
        if fields["jwk"]["kid"] != fields["kid"]:
            raise CredentialError("key event kid is not the thumbprint of its jwk")
    if event == "rotated":
        fields["previous_kid"] = _string(payload, "previousKid")
        if fields["previous_kid"] == fields["kid"]:
            raise CredentialError("a rotation must name two different keys")
        fields["previous_not_after"] = parse_time(
            payload["previousNotAfter"], what="previousNotAfter"
        )
    if event == "revoked":
        if payload["reason"] not in REVOCATION_REASONS:
            raise CredentialError(f"revocation reason {payload['reason']!r} is not allowed")
        fields["reason"] = payload["reason"]
        fields["effective_at"] = parse_time(payload["effectiveAt"], what="effectiveAt")
    return fields


def _check_signers(
    fields: Mapping[str, Any], signers: tuple[str, ...], known: Mapping[str, Any]
) -> None:
    event, kid = fields["event"], fields["kid"]
    if len(set(signers)) != len(signers):
        raise SignatureError("key event is signed twice by the same key")
    if event == "registered" and set(signers) != {kid}:
        raise SignatureError("a registration must be signed by the registered key alone")
    if event == "rotated" and set(signers) != {kid, fields["previous_kid"]}:
        raise SignatureError("a rotation must be signed by exactly the old and the new key")
    if event == "revoked" and (len(signers) != 1 or signers[0] not in known):
        raise SignatureError("a revocation must be signed by one of the organization's keys")


def verify_key_event(
    envelope: Mapping[str, Any], *, known_keys: Mapping[str, Mapping[str, Any]] | None = None
) -> KeyEvent:
    """Verify a key-event envelope and return the event.

    `known_keys` maps kid to public JWK for the organization's keys already registered
    (needed for the old key of a rotation and the signer of a revocation). Checks the
    payload is canonical with exactly its event's members, every signature (typ
    esgx-key-event+jws) and who signed: registered by the new key; rotated by old and new
    key; revoked by one known key. Raises a VerificationError subclass.
    """
    if not isinstance(envelope, Mapping):
        raise CredentialError("key event envelope must be a JSON object")
    payload_b64 = envelope.get("payload")
    raw = b64url_decode(payload_b64 if isinstance(payload_b64, str) else "", what="key event")
    fields = _parse_payload(parse_canonical(raw, what="key event payload"))
    # Index known keys by their computed thumbprints, never by the caller's labels.
    known = {info.kid: info for info in map(key_info, (known_keys or {}).values())}
    keys: dict[str, KeyInfo] = dict(known)
    if fields["jwk"] is not None:
        keys[fields["kid"]] = key_info(fields["jwk"])
    _, headers = verify_general(dict(envelope), keys)
    if any(h.get("typ") != KEY_EVENT_TYP for h in headers):
        raise HeaderError(f"key event signatures must have typ {KEY_EVENT_TYP!r}")
    signers = tuple(str(h["kid"]) for h in headers)
    _check_signers(fields, signers, known)
    digest = hashlib.sha256(canonicalize(dict(envelope))).hexdigest()
    return KeyEvent(**fields, signers=signers, envelope=dict(envelope), digest=digest)
