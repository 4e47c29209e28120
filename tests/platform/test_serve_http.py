"""The production server over real HTTP on loopback: `esgx serve`, then a demo sign-in."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from esgx_platform.demo.world import DEMO_PASSWORD
from esgx_platform.server import PortInUse, ensure_port_free
from tests.platform.live import ESGX, free_port, live_server


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


def test_serve_refuses_a_port_another_server_listens_on(tmp_path: Path) -> None:
    """Workers listen with SO_REUSEPORT (one socket each, so the kernel spreads connections),
    which would let a second server bind beside a running one and take half its traffic:
    `esgx serve` checks first and stops with a clear message."""
    env = {
        **os.environ,
        "ESGX_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ESGX_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    with socket.socket() as running:  # a listener as gunicorn's workers open theirs
        running.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        running.bind(("127.0.0.1", 0))
        running.listen()
        port = running.getsockname()[1]
        done = subprocess.run(
            [*ESGX, "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"127.0.0.1:{port} is already in use" in done.stderr
    assert "Traceback" not in done.stderr


def test_port_check_passes_a_free_port() -> None:
    port = free_port()
    ensure_port_free("127.0.0.1", port)  # raises PortInUse otherwise
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        with pytest.raises(PortInUse):
            ensure_port_free("127.0.0.1", port)
