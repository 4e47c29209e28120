"""What the pull APIs share: absolute next links on the request's own origin, and JSON bodies
with a strong ETag so a client polling for changes gets 304 Not Modified instead of the body."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlencode

from flask import Response, request


def next_link(cursor: str) -> str:
    """This request's URL with `cursor` replaced: same scheme, host and port (RFC 8288 links
    that PACT clients follow as they are)."""
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    query = urlencode([*params, ("cursor", cursor)])
    return f"{request.scheme}://{request.host}{request.path}?{query}"


def conditional_json(body: dict[str, Any]) -> Response:
    """`body` as JSON with a strong ETag, or 304 when the client holds that version already."""
    return conditional_bytes(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())


def conditional_bytes(data: bytes) -> Response:
    """JSON text already encoded, with a strong ETag (see conditional_json)."""
    response = Response(data, mimetype="application/json")
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, no-cache"
    response.make_conditional(request)
    return response
