"""The production WSGI server (gunicorn), started from code so `esgx serve` needs no extra tool."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app_factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self._factory = app_factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        # Each worker builds its own app (and engine) after the fork: connections are not shared.
        return self._factory()


def default_workers() -> int:
    return max(2, (os.cpu_count() or 1) * 2)


def serve(
    app_factory: Callable[[], Flask],
    *,
    host: str,
    port: int,
    workers: int | None = None,
    threads: int = 4,
    certfile: str | None = None,
    keyfile: str | None = None,
) -> None:
    """Serve until interrupted; TLS when both `certfile` and `keyfile` are given."""
    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or default_workers(),
        "threads": threads,
        "worker_class": "gthread",
        "keepalive": 5,
        "timeout": 60,
        "accesslog": "-",
        "certfile": certfile,
        "keyfile": keyfile,
        "forwarded_allow_ips": "127.0.0.1",
    }
    _Gunicorn(app_factory, options).run()
