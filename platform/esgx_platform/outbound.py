"""HTTPS calls the platform makes to lead factories' systems (webhooks, PACT callbacks).

Only https:// URLs; certificates are verified against the system's CAs plus, when set,
ESGX_OUTBOUND_CA_FILE (a private CA or a test's self-signed certificate). Redirects are not
followed: a receiver that moved must be re-registered, so a signed body never lands somewhere
nobody registered. Every failure is an OutboundError with a one-line reason for the retry log.
"""

from __future__ import annotations

import http.client
import random
import ssl
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from esgx_platform.errors import EsgxError
from esgx_platform.i18n import Text

USER_AGENT = "esgx/0.1 (+https://github.com/esgx)"
_MAX_RESPONSE_BYTES = 64 * 1024  # enough for an error message or a token; the rest is dropped


class OutboundError(EsgxError):
    """A call that did not get an answer: `reason` is one line for the retry log."""

    type_slug = "outbound-failed"
    title = Text("Outbound call failed", "外发请求失败")
    status = 502

    @property
    def reason(self) -> str:
        return self.detail.en

    @classmethod
    def because(cls, reason: str) -> OutboundError:
        return cls(Text("{r}", "{r}").format(r=reason))


FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
JITTER = 0.2  # a retry comes up to this fraction earlier, so failed receivers are not hit in step


def backoff(failures: int, jitter: float | None = None) -> timedelta:
    """The wait after the n-th failed call to a receiver (webhooks, PACT answers): 30 s
    doubling each time, at most 6 hours, less up to 20 % at random (`jitter` in [0, 1) fixes
    the draw)."""
    draw = random.random() if jitter is None else jitter  # noqa: S311 - spreading, not secrecy
    base = min(FIRST_DELAY * (1 << min(max(failures - 1, 0), 20)), MAX_DELAY)
    return base * (1 - JITTER * draw)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    ca_file: Path | None = None,
    timeout: float = 10.0,
) -> Answer:
    """POST `body` to an https:// URL and return the answer whatever its status; raises
    OutboundError when no answer came (refused, TLS failure, timeout) or the URL is not https."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise OutboundError.because(f"not an https:// URL: {url[:200]}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPSConnection(
        parts.hostname, parts.port or 443, timeout=timeout, context=tls_context(ca_file)
    )
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"User-Agent": USER_AGENT, "Content-Length": str(len(body)), **headers},
        )
        response = connection.getresponse()
        data = response.read(_MAX_RESPONSE_BYTES)
        return Answer(response.status, data, response.getheader("Content-Type", ""))
    except (OSError, http.client.HTTPException) as exc:
        # ssl.SSLError, timeouts and refusals are OSErrors; keep the reason short.
        raise OutboundError.because(f"{type(exc).__name__}: {exc}"[:300]) from None
    finally:
        connection.close()
