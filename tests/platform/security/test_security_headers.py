"""Security headers (web/security.py) on pages, API answers, errors and static files, HSTS only
over TLS; and templates that the Content-Security-Policy cannot break: no inline script, no
`on*=` handler attribute, no inline style (the authorization matrix checks the headers on every
route's answers over HTTPS; tests/browser/test_content_security_policy.py runs the pages)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from esgx_platform.web.security import HEADERS, STRICT_TRANSPORT_SECURITY

ROOT = Path(__file__).parents[3]
TEMPLATES = [
    *sorted((ROOT / "platform" / "esgx_platform" / "templates").rglob("*.html")),
    *sorted((ROOT / "supplier_portal" / "templates").rglob("*.html")),
]
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_templates_carry_no_inline_script_or_style() -> None:
    assert len(TEMPLATES) > 40
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in TEMPLATES
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text("utf-8"))
    ]
    assert not found, "\n".join(found)


def test_the_policy_allows_nothing_inline() -> None:
    policy = dict(d.split(" ", 1) for d in HEADERS["Content-Security-Policy"].split("; "))
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == policy["form-action"] == "'self'"
    assert not any("unsafe" in v or "data:" in v for v in policy.values())


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/login", 200),
        ("/", 302),
        ("/api/v1/me", 401),
        ("/no/such/page", 404),
        ("/static/esgx.css", 200),
        ("/portal/static/portal.js", 200),
        ("/healthz", 200),
    ],
)
def test_every_kind_of_answer_carries_the_headers(
    client: FlaskClient, path: str, status: int
) -> None:
    plain = client.get(path)
    assert plain.status_code == status
    for name, value in HEADERS.items():
        assert plain.headers[name] == value, name
    assert "Strict-Transport-Security" not in plain.headers  # not over plain HTTP
    secure = client.get(path, base_url="https://esgx.test")
    assert secure.headers["Strict-Transport-Security"] == STRICT_TRANSPORT_SECURITY
