"""Opaque page cursors: a few values, base64url JSON with an HMAC so a changed cursor is refused
with a clear error instead of paging from somewhere nobody asked for."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from esgx_platform.errors import InvalidInput
from esgx_platform.i18n import Text

Value = int | str

BAD_CURSOR = Text(
    "The cursor is not one this server issued; start again from the first page.",
    "游标不是本服务器签发的，请从第一页重新开始。",
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, key: bytes, purpose: str) -> None:
        # One key per purpose: a feed cursor never passes as a footprint cursor.
        self._key = hmac.new(key, purpose.encode("utf-8"), hashlib.sha256).digest()

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest()[:16])

    def encode(self, values: list[Value]) -> str:
        payload = _b64(json.dumps(values, separators=(",", ":")).encode("utf-8"))
        return f"{payload}.{self._mac(payload)}"

    def decode(self, token: str) -> list[Value]:
        """The values behind `token`; raises InvalidInput for anything not issued here."""
        payload, _, mac = token.partition(".")
        if not payload or not token.isascii() or not hmac.compare_digest(mac, self._mac(payload)):
            raise InvalidInput(BAD_CURSOR)
        try:
            values = json.loads(_unb64(payload))
        except (binascii.Error, ValueError):
            raise InvalidInput(BAD_CURSOR) from None
        if not isinstance(values, list) or not all(isinstance(v, int | str) for v in values):
            raise InvalidInput(BAD_CURSOR)
        return values
