"""The production WSGI server (gunicorn), started from code so `esgx serve` needs no extra tool."""

from __future__ import annotations

import functools
import gc
import os
import re
import socket
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

# An invitation link carries its one-time token in the path, and the page's own form sends it
# again in the Referer; percent-encoded when it rides in a `next` parameter.
_INVITATION = re.compile(r"(/invite/|%2Finvite%2F)[^/?&#\s\"]+", re.IGNORECASE)
# Request and response headers a custom access-log format could name; never to be written.
_CREDENTIAL_ATOMS = ("{authorization}i", "{cookie}i", "{set-cookie}o", "{x-csrf-token}i")


def redact(text: str) -> str:
    """`text` with every invitation token replaced by `[redacted]`."""
    return _INVITATION.sub(r"\1[redacted]", text)


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, keeping secrets out of the access log: invitation tokens in paths
    and referrers, and credential headers whatever `access_log_format` says."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        found: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in _CREDENTIAL_ATOMS:
            if key in found:
                found[key] = "[redacted]"
        # Only the atoms the format names are written (a hundred or so are offered, most of
        # them the environ): redacting just those keeps the log cheap on every request.
        for key in _named_atoms(self.cfg.access_log_format):
            value = found.get(key)
            if isinstance(value, str):
                found[key] = redact(value)
        return found


@functools.lru_cache(maxsize=8)
def _named_atoms(log_format: str) -> tuple[str, ...]:
    """The atoms `log_format` names, as gunicorn looks them up (`{header}` names lower-cased)."""
    names = re.findall(r"%\(([^)]*)\)", log_format)
    return tuple(n.lower() if n.startswith("{") else n for n in names)


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
        app = self._factory()
        # What start-up made lives as long as the worker: keep the cyclic collector from scanning
        # it on every collection, and collect young objects less often (a submission allocates
        # thousands). Measured on batch intake: the collector took about a fifth of the CPU.
        gc.collect()
        gc.freeze()
        gc.set_threshold(10_000, 10, 10)
        return app


class PortInUse(OSError):
    """Another process listens on the address `esgx serve` was asked to bind."""


def ensure_port_free(host: str, port: int) -> None:
    """PortInUse unless every address of `host` can bind `port` without SO_REUSEPORT."""
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
            try:
                probe.bind(address)
            except OSError as exc:
                raise PortInUse(exc.errno, f"{host}:{port} is already in use") from None


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
    """Serve until interrupted; TLS when both `certfile` and `keyfile` are given.

    Raises PortInUse when something already listens there: with SO_REUSEPORT a second server
    would otherwise bind beside it and silently share its connections."""
    ensure_port_free(host, port)
    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or default_workers(),
        "threads": threads,
        "worker_class": "gthread",
        "keepalive": 5,
        # A listening socket per worker: the kernel spreads new connections over the workers.
        # On one shared socket a worker that wakes first takes every connection a burst of
        # keep-alive clients opens, and serves them all on one core (measured: bimodal runs,
        # half of them at about 60 % of the others' throughput; docs/pact.md).
        "reuse_port": True,
        "timeout": 60,
        "accesslog": "-",
        "certfile": certfile,
        "keyfile": keyfile,
        "forwarded_allow_ips": "127.0.0.1",
        "logger_class": RedactingLogger,
    }
    _Gunicorn(app_factory, options).run()
