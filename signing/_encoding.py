"""Strict base64, base64url and timestamp encodings shared by the signing formats."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime

from signing._errors import MalformedError

_B64URL_VALUES = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# Map the base64url alphabet onto the standard one, and the standard-only characters and "="
# onto an invalid byte, so binascii's strict mode rejects anything outside base64url.
_URL_TO_STD = bytes.maketrans(b"-_+/=", b"+/!!!")
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def b64url_encode(data: bytes) -> str:
    """Encode bytes as unpadded base64url (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, *, what: str) -> bytes:
    """Decode canonical unpadded base64url; raise MalformedError naming `what` otherwise.

    Canonical means: only the base64url alphabet, no padding, no whitespace, and the unused
    low bits of the last character are zero (so each byte string has exactly one encoding).
    """
    if not isinstance(text, str) or not text.isascii():
        raise MalformedError(f"{what} is not base64url text")
    remainder = len(text) % 4
    if remainder == 1:
        raise MalformedError(f"{what} has an impossible base64url length")
    raw = text.encode("ascii").translate(_URL_TO_STD) + b"=" * ((4 - remainder) % 4)
    try:
        data = binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error:
        raise MalformedError(f"{what} is not valid base64url") from None
    if remainder and _B64URL_VALUES.index(text[-1]) & (0x0F if remainder == 2 else 0x03):
        raise MalformedError(f"{what} is non-canonical base64url (non-zero trailing bits)")
    return data


def b64_encode(data: bytes) -> str:
    """Encode bytes as padded standard base64 (RFC 4648 section 4)."""
    return base64.b64encode(data).decode("ascii")


def b64_decode(text: str, *, what: str) -> bytes:
    """Decode canonical padded standard base64; raise MalformedError naming `what` otherwise."""
    if not text.isascii():
        raise MalformedError(f"{what} is not base64 text")
    try:
        data = binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except binascii.Error:
        raise MalformedError(f"{what} is not valid base64") from None
    if b64_encode(data) != text:
        raise MalformedError(f"{what} is non-canonical base64")
    return data


def format_time(moment: datetime) -> str:
    """Write an aware datetime as RFC 3339 UTC with whole seconds, e.g. 2025-10-12T08:30:00Z.

    Raises ValueError for a naive datetime (its zone would be a guess).
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: object, *, what: str) -> datetime:
    """Parse the format of `format_time` (and nothing looser); raise MalformedError otherwise."""
    if not isinstance(text, str) or not _TIME_RE.fullmatch(text):
        raise MalformedError(f"{what} must be a UTC time like 2025-10-12T08:30:00Z")
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise MalformedError(f"{what} is not a valid date and time") from None
