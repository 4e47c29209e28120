"""The bytes of transparency-log entries: accepted disclosures and key events."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from signing._credentials import VerifiedCredential
from signing._encoding import format_time, parse_time
from signing._errors import CredentialError, InputError
from signing._json import canonicalize, parse_canonical
from signing._keyevents import KeyEvent

_HEX64 = re.compile(r"[0-9a-f]{64}")
_MEMBERS = {
    "disclosure": {"kind", "contentId", "issuer", "kid", "jwsSha256", "loggedAt"},
    "keyEvent": {"kind", "event", "issuer", "kid", "eventSha256", "loggedAt"},
}


@dataclass(frozen=True)
class LogEntry:
    """A parsed log entry: its kind, members as written, and its log time."""

    kind: str
    members: dict[str, Any]
    logged_at: datetime


def _time(logged_at: datetime) -> str:
    try:
        return format_time(logged_at)
    except ValueError as exc:
        raise InputError(f"logged_at: {exc}") from None


def disclosure_log_entry(*, credential: VerifiedCredential, logged_at: datetime) -> bytes:
    """Return the canonical log entry for an accepted disclosure.

    {"kind":"disclosure","contentId","issuer","kid","jwsSha256","loggedAt"} plus "restates"
    when the subject restates an earlier disclosure; jwsSha256 binds the exact JWS text.
    """
    entry: dict[str, Any] = {
        "kind": "disclosure",
        "contentId": credential.content_id,
        "issuer": credential.issuer,
        "kid": credential.kid,
        "jwsSha256": hashlib.sha256(credential.jws.encode("ascii")).hexdigest(),
        "loggedAt": _time(logged_at),
    }
    restates = credential.payload["credentialSubject"].get("restates")
    if isinstance(restates, str):
        entry["restates"] = restates
    return canonicalize(entry)


def key_event_log_entry(*, event: KeyEvent, logged_at: datetime) -> bytes:
    """Return the canonical log entry for a verified key event.

    {"kind":"keyEvent","event","issuer","kid","eventSha256","loggedAt"}; eventSha256 is the
    SHA-256 hex of the canonical envelope.
    """
    return canonicalize(
        {
            "kind": "keyEvent",
            "event": event.event,
            "issuer": event.organization,
            "kid": event.kid,
            "eventSha256": event.digest,
            "loggedAt": _time(logged_at),
        }
    )


def parse_log_entry(data: bytes) -> LogEntry:
    """Parse canonical log-entry bytes and check their members (JSONError, CredentialError)."""
    entry = parse_canonical(data, what="log entry")
    kind = entry.get("kind") if isinstance(entry, dict) else None
    if kind not in _MEMBERS:
        raise CredentialError(f"log entry kind {kind!r} is not disclosure or keyEvent")
    allowed = _MEMBERS[kind] | ({"restates"} if kind == "disclosure" else set())
    if not _MEMBERS[kind] <= set(entry) <= allowed:
        raise CredentialError(f"{kind} log entry does not have exactly its members")
    digest = entry["jwsSha256"] if kind == "disclosure" else entry["eventSha256"]
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise CredentialError("log entry digest must be 64 lowercase hex digits")
    return LogEntry(kind, entry, parse_time(entry["loggedAt"], what="log entry loggedAt"))
