"""The native feed (docs/pact.md): verified disclosures with their proof, for lead factories'
systems that follow a cursor and verify every record offline with `esgx-sign verify-bundle`."""

from __future__ import annotations

import json
from typing import cast

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields
from sqlalchemy.orm import Session

from esgx_platform.config import Settings
from esgx_platform.cursors import CursorCodec
from esgx_platform.errors import InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.intake.feed import (
    FeedItem,
    FeedRecord,
    FeedSupplier,
    feed_page,
)
from esgx_platform.intake.receipts import covering_checkpoint
from esgx_platform.ledger.checkpoints import latest_checkpoint
from esgx_platform.ledger.log import current_state
from esgx_platform.ledger.models import LogCheckpoint
from esgx_platform.memo import Lru
from esgx_platform.tenancy import Purpose
from esgx_platform.web.api_schemas import paged
from esgx_platform.web.context import (
    auth_required,
    database,
    db_session,
    scope,
    statement_reads,
)
from esgx_platform.web.intake_api import log_signer
from esgx_platform.web.openapi import Reply, operation
from esgx_platform.web.paging import conditional_bytes, next_link
from esgx_platform.web.pull_schemas import NOT_MODIFIED, PAGE_HEADERS, FeedQuery

bp = Blueprint("feed_api", __name__, url_prefix="/api/v1")

DEFAULT_LIMIT, MAX_LIMIT = 20, 100


class SupplierOut(Schema):
    id = fields.UUID()
    urn = fields.String()
    name_en = fields.String(data_key="nameEn")
    name_zh = fields.String(data_key="nameZh")


class FeedItemOut(Schema):
    """One record: what it is, the disclosure as JSON, and the bundle that proves it."""

    id = fields.UUID(attribute="record.id")
    supplier = fields.Nested(SupplierOut)
    period = fields.String(attribute="record.period_key")
    content_id = fields.String(attribute="record.content_id", data_key="contentId")
    log_index = fields.Integer(attribute="record.log_index", data_key="logIndex")
    logged_at = fields.AwareDateTime(attribute="record.logged_at", data_key="loggedAt")
    restates_id = fields.UUID(
        attribute="record.restates_id", allow_none=True, data_key="restatesId"
    )
    restatement_reason = fields.String(
        attribute="record.restatement_reason", allow_none=True, data_key="restatementReason"
    )
    subject = fields.Dict(data_key="credentialSubject")
    bundle = fields.Dict()


# Serialised items, per process: an item is a function of its record, its supplier's names
# and the bundle's receipt (which names the checkpoint, cosignatures included), so a hit is
# the same text built again. Followers polling the tail and paging recent records hit it.
_ITEMS: Lru[tuple[FeedRecord, FeedSupplier, str], str] = Lru(2000)


def _item_json(item: FeedItem) -> str:
    key = (item.record, item.supplier, str(item.bundle["receipt"]))
    text = _ITEMS.get(key)
    if text is None:
        text = json.dumps(FeedItemOut().dump(item), ensure_ascii=False, separators=(",", ":"))
        _ITEMS.put(key, text)
    return text


def _codec() -> CursorCodec:
    settings = cast(Settings, current_app.extensions["esgx_settings"])
    return CursorCodec(settings.secret_key.encode("utf-8"), "disclosure-feed")


def _after() -> int:
    token = request.args.get("cursor")
    if token is None:
        return -1
    values = _codec().decode(token)
    position = values[0] if len(values) == 1 else None
    if not isinstance(position, int):
        raise InvalidInput(Text("Malformed cursor.", "游标格式错误。"))
    return position


def _limit() -> int:
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(
            Text(
                "limit must be a whole number from 1 to {n}.", "limit 必须是 1 到 {n} 的整数。"
            ).format(n=MAX_LIMIT)
        )
    return int(raw)


def _sign_checkpoint(db: Session, size: int) -> LogCheckpoint:
    """A checkpoint covering the log's first `size` entries, signed in a transaction of its
    own: the feed's statements run in autocommit (the commit ends nothing then; where the
    session does hold a transaction it must not enclose the writer's)."""
    db.commit()
    with database().transaction() as writer:
        return covering_checkpoint(writer, size - 1, log_signer())


@bp.get("/feed/disclosures")
@statement_reads
@auth_required("disclosures:read")
@operation(
    Text("The feed of verified disclosures", "已验证披露的数据流"),
    description=Text(
        "Oldest first, restatements as records of their own, each with the bundle that "
        "proves it offline; follow the cursor and poll it for what is new.",
        "按时间先后排列，重述作为单独记录，每条附带可离线验证的验证包；跟随游标并轮询以获取新数据。",
    ),
    tags=("feed",),
    query=FeedQuery,
    responses={200: Reply(paged(FeedItemOut), headers=PAGE_HEADERS), 304: NOT_MODIFIED},
)
def disclosure_feed() -> ResponseReturnValue:
    """Verified disclosures of the suppliers the caller may read, oldest first, restatements as
    records of their own; follow `cursor` (or the Link header) and poll it for what is new."""
    after, limit = _after(), _limit()
    db = db_session()
    readable = scope().readable(Purpose.DATA)
    latest = latest_checkpoint(db)
    page = feed_page(db, readable, after=after, limit=limit, checkpoint=latest)
    if not page.more:
        # At the tail: entries no checkpoint covers yet (a submission's receipt signs one,
        # so seldom) would be missing. Sign a checkpoint, as a receipt or bundle request
        # would, and read the page against it. A page with more after it needs no look.
        size = current_state(db).size
        if size > (latest.size if latest is not None else 0):
            latest = _sign_checkpoint(db, size)
            page = feed_page(db, readable, after=after, limit=limit, checkpoint=latest)
    cursor = _codec().encode([page.position])
    tail = json.dumps({"cursor": cursor, "hasMore": page.more}, separators=(",", ":"))
    items = ",".join(_item_json(item) for item in page.items)
    response = conditional_bytes(f'{{"data":[{items}],{tail[1:]}'.encode())
    if page.more:
        response.headers["Link"] = f'<{next_link(cursor)}>; rel="next"'
    return response
