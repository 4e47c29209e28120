"""Security headers on every response, and the client address sign-in throttling counts.

The Content-Security-Policy allows scripts, styles and everything else from this origin only:
no inline script or style and no `on*=` handler attributes anywhere (templates load
`static/*.js` and `*.css`), no plugins, no framing, forms posting only here. Charts are inline
SVG drawn with presentation attributes and CSS classes, so nothing needs `data:` images or
`'unsafe-inline'` styles. HSTS is sent only on responses to requests that came over TLS
(directly, or from the local proxy gunicorn trusts with `X-Forwarded-Proto`).
"""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Same-origin pages keep the full referrer; other sites get none (invitation links carry
    # their token in the path).
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
# Proxies whose X-Forwarded-For is believed: the same loopback proxy gunicorn trusts for
# X-Forwarded-Proto (server.py `forwarded_allow_ips`).
TRUSTED_PROXIES = frozenset({"127.0.0.1", "::1"})


def _secure(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def client_address() -> str | None:
    """The address the request came from: the peer, or, when the peer is the trusted local
    proxy, the address that proxy appended last to X-Forwarded-For (earlier entries are the
    client's own claims)."""
    peer = request.remote_addr
    forwarded = request.headers.get("X-Forwarded-For", "")
    if peer in TRUSTED_PROXIES and forwarded.strip():
        last = forwarded.split(",")[-1].strip()
        return last[:64] or peer
    return peer


def init_app(app: Flask) -> None:
    app.after_request(_secure)
