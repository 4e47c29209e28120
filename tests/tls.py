"""Real TLS on loopback for tests: a self-signed certificate (esgx_platform.devcert) and an
HTTPS server in a thread that records what it is sent and answers what a test scripts."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from esgx_platform.devcert import Certificate


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


# A handler decides the answer to one request: (status, content type, body).
Handler = Callable[[Received], tuple[int, str, bytes]]


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    handler: Handler = lambda r: (200, "application/json", b"{}")

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]


@contextmanager
def https_receiver(cert: Certificate) -> Iterator[Receiver]:
    """An HTTPS server on 127.0.0.1 recording every POST; `receiver.handler` answers."""
    receiver = Receiver("")

    class _Handle(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            got = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            receiver.received.append(got)
            status, content_type, body = receiver.handler(got)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handle)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.cert_file, cert.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    receiver.url = f"https://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
