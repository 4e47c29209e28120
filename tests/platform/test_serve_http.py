"""The production server over real HTTP on loopback: `esgx serve`, then a demo sign-in."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from pathlib import Path

from esgx_platform.demo.world import DEMO_PASSWORD
from tests.platform.live import live_server


def test_demo_sign_in_over_http(tmp_path: Path) -> None:
    with live_server(tmp_path, seed_demo=True) as live:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = opener.open(live.base + "/login").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None
        fields = {
            "email": "analyst@esgx.example",
            "password": DEMO_PASSWORD,
            "csrf_token": token.group(1),
        }
        body = urllib.parse.urlencode(fields).encode()
        page = opener.open(live.base + "/login", data=body).read().decode()
    assert "Jingang Electronics Manufacturing (Tianjin) Co., Ltd." in page
    cookie = next(c for c in jar if c.name == "esgx_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
