"""`/healthz`: the database answers and its schema is at the newest migration."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from esgx_platform.i18n import Text
from esgx_platform.migrate import current_revision, head_revision
from esgx_platform.web.api_schemas import Health
from esgx_platform.web.context import database
from esgx_platform.web.openapi import Reply, operation

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@operation(
    Text("Health: the database answers, its schema is current", "健康检查：数据库可用且结构为最新"),
    tags=("operations",),
    responses={
        200: Health,
        503: Reply(Health, Text("Unreachable, or migrations pending", "不可达，或有待执行的迁移")),
    },
)
def healthz() -> ResponseReturnValue:
    head = head_revision()
    try:
        with database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = current_revision(connection)
    except SQLAlchemyError as exc:
        # Say which class of failure, never the URL (it may hold a password).
        failure = {"status": "fail", "database": "unreachable", "error": type(exc).__name__}
        return jsonify(failure), 503
    ok = current == head
    body: dict[str, object] = {
        "status": "ok" if ok else "fail",
        "database": "ok",
        "migrations": {"current": current, "head": head, "at_head": ok},
    }
    return jsonify(body), 200 if ok else 503
