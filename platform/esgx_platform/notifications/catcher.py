"""A mail catcher's handler for development: prints each message aiosmtpd receives decoded
(headers and the plain-text part in Chinese or English as written), where aiosmtpd's own
Debugging handler prints the base64 a UTF-8 mail travels in.

    python -m aiosmtpd -n -l 127.0.0.1:8025 -c esgx_platform.notifications.catcher.Readable

It needs nothing but the standard library here; aiosmtpd (a test dependency) calls it.
"""

from __future__ import annotations

import email
import sys
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any, TextIO, cast

RULE = "=" * 72


class Readable:
    """aiosmtpd handler: accept every message and print it readably to `stream`."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        out = self.stream or sys.stdout
        out.write(render(message) + "\n")
        out.flush()
        return "250 Message accepted for delivery"


def render(message: EmailMessage) -> str:
    """The headers a reader wants and the plain-text body, decoded."""
    lines = [RULE]
    for name in ("Date", "From", "To", "Subject", "Message-ID"):
        value = message.get(name)
        if value is not None:
            lines.append(f"{name}: {' '.join(str(value).split())}")
    body = message.get_body(preferencelist=("plain",))
    text = str(cast(EmailMessage, body).get_content()) if body is not None else "(no text part)"
    lines += ["", text.replace("\r\n", "\n").rstrip(), RULE]
    return "\n".join(lines)
