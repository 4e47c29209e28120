"""Signing secrets and signatures in the Standard Webhooks scheme (pure; no database).

A secret is `whsec_` + base64 of 32 random bytes; the HMAC key is those bytes. A message is
signed as `v1,` + base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")), one
signature per live secret, separated by spaces (two during a secret rotation's overlap).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"  # noqa: S105 - a public marker, not a secret
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret, shown once to whoever registers or rotates the endpoint."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a `whsec_` secret."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def signature(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of the message under one secret."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(
    live_secrets: Sequence[str], *, msg_id: str, timestamp: int, body: bytes
) -> str:
    """The `webhook-signature` value: a signature per live secret, newest first."""
    return " ".join(
        signature(s, msg_id=msg_id, timestamp=timestamp, body=body) for s in live_secrets
    )


def headers_for(
    live_secrets: Sequence[str], *, msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The headers of one delivery attempt (CloudEvents structured mode, Standard Webhooks)."""
    return {
        "Content-Type": "application/cloudevents+json; charset=utf-8",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            live_secrets, msg_id=msg_id, timestamp=timestamp, body=body
        ),
    }
