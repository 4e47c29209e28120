"""A real `esgx serve` process on a free loopback port, with its own SQLite database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ESGX = [sys.executable, "-m", "esgx_platform.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    base: str
    env: dict[str, str]

    def esgx(self, *args: str) -> str:
        """Run the `esgx` CLI against the server's database; its standard output."""
        done = subprocess.run(
            [*ESGX, *args], env=self.env, capture_output=True, text=True, check=True
        )
        return done.stdout

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any, str]:
        """(status, parsed JSON or None, raw text) of one HTTP request."""
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310
        if data is not None:
            req.add_header("Content-Type", content_type)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - loopback
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        return status, parsed, text


def start_server(
    env: dict[str, str], *, workers: int, own_group: bool = False
) -> tuple[Live, subprocess.Popen[bytes]]:
    """Start `esgx serve` on a free port and wait until /healthz answers (up to 60 s: on a
    loaded machine the first worker can take a while). `own_group` puts master and workers in
    a process group of their own, so a test can kill them all at once."""
    port = free_port()
    server = subprocess.Popen(
        [*ESGX, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=own_group,
    )
    live = Live(f"http://127.0.0.1:{port}", env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(live.base + "/healthz", timeout=5)  # noqa: S310
            return live, server
        except OSError:  # refused, reset or timed out: not up yet
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start")


@contextmanager
def live_server(tmp_path: Path, *, seed_demo: bool = False) -> Iterator[Live]:
    env = {
        **os.environ,
        "ESGX_DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "ESGX_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    subprocess.run(
        [*ESGX, "demo", "--no-serve"] if seed_demo else [*ESGX, "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
    )
    live, server = start_server(env, workers=1)
    try:
        yield live
    finally:
        server.terminate()
        server.wait(timeout=10)
