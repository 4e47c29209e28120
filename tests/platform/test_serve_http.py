"""The production server over real HTTP on loopback: `esgx serve`, then a demo sign-in."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from esgx_platform.demo.world import DEMO_PASSWORD


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "ESGX_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "ESGX_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    esgx = [sys.executable, "-m", "esgx_platform.cli"]
    subprocess.run([*esgx, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [*esgx, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 - loopback
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_demo_sign_in_over_http(demo_server: str) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(demo_server + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    body = urllib.parse.urlencode(
        {"email": "analyst@esgx.example", "password": DEMO_PASSWORD, "csrf_token": token.group(1)}
    ).encode()
    page = opener.open(demo_server + "/login", data=body).read().decode()
    assert "Jingang Electronics Manufacturing (Tianjin) Co., Ltd." in page
    cookie = next(c for c in jar if c.name == "esgx_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
