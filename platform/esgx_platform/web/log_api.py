"""The transparency log over HTTP: checkpoint, verifier key, entries, proofs, cosignatures."""

from __future__ import annotations

import base64
import re
from typing import cast

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from esgx_platform.db import begin_write
from esgx_platform.errors import InvalidInput, NotFound
from esgx_platform.i18n import Text
from esgx_platform.intake.receipts import LogSigner
from esgx_platform.ledger import log
from esgx_platform.ledger.checkpoints import (
    active_log_key,
    add_cosignature,
    checkpoint_with_cosignatures,
    latest_checkpoint,
    publish_checkpoint,
)
from esgx_platform.ledger.models import LogCheckpoint, LogKey
from esgx_platform.schemas import load
from esgx_platform.tenancy import FACTORY_ROLES
from esgx_platform.web.api_schemas import (
    ConsistencyProof,
    ConsistencyQuery,
    Cosigned,
    InclusionProof,
    InclusionQuery,
    LogEntry,
    VerifierKey,
    listing,
)
from esgx_platform.web.context import auth_required, db_session, json_body, roles_required
from esgx_platform.web.intake_schemas import CosignatureIn
from esgx_platform.web.openapi import TEXT, Reply, operation

bp = Blueprint("log_api", __name__, url_prefix="/api/v1/log")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


MAX_INDEX = 2**62  # beyond any log; keeps database integer types from overflowing


def _int_arg(name: str) -> int:
    raw = request.args.get(name, "")
    # ASCII digits only: str.isdigit() would let "²" through to int().
    if not re.fullmatch(r"[0-9]{1,18}", raw):
        raise InvalidInput(
            Text(
                "Query parameter {n} must be a whole number.", "查询参数 {n} 必须为非负整数。"
            ).format(n=name)
        )
    return int(raw)


@bp.get("/checkpoint")
@operation(
    Text("The newest signed checkpoint", "最新的已签名检查点"),
    description=Text(
        "A C2SP signed note with its cosignatures; public, for witnesses.",
        "C2SP 签名注记及其联署签名；公开，供见证方轮询。",
    ),
    tags=("log",),
    responses={200: Reply(TEXT, content_type="text/plain")},
)
def checkpoint() -> ResponseReturnValue:
    """The newest signed checkpoint with its cosignatures (public: witnesses poll it)."""
    db = db_session()
    latest = latest_checkpoint(db)
    active = active_log_key(db)
    if (
        latest is None
        or latest.size < log.current_state(db).size
        or (active is not None and latest.log_key_id != active.id)
    ):
        signer = cast(LogSigner, current_app.extensions["esgx_log_signer"])
        db.commit()
        begin_write(db)
        latest = publish_checkpoint(db, box=signer.box, origin=signer.origin)
        db.commit()
    return Response(checkpoint_with_cosignatures(db, latest), mimetype="text/plain")


@bp.get("/key")
@operation(
    Text("The log's verifier keys, newest first", "日志的验证公钥（最新在前）"),
    tags=("log",),
    responses={200: listing(VerifierKey)},
)
def verifier_keys() -> ResponseReturnValue:
    """The log's verifier keys (C2SP vkey), newest first, retired ones marked."""
    rows = db_session().scalars(select(LogKey).order_by(LogKey.id.desc())).all()
    return jsonify(
        {
            "data": [
                {"verifierKey": k.verifier_key, "name": k.name, "retired": k.retired_at is not None}
                for k in rows
            ]
        }
    )


@bp.get("/entries/<int:index>")
@auth_required()
@operation(Text("One log entry", "单条日志条目"), tags=("log",), responses={200: LogEntry})
def entry(index: int) -> ResponseReturnValue:
    if index >= MAX_INDEX:
        raise NotFound(Text("No log entry {i}.", "日志条目 {i} 不存在。").format(i=index))
    record = log.entry(db_session(), index)
    return jsonify(
        {
            "index": record.index,
            "kind": record.kind,
            "entry": record.body.decode("utf-8"),
            "leafHash": _b64(record.leaf_hash),
        }
    )


@bp.get("/proofs/inclusion")
@auth_required()
@operation(
    Text("An inclusion proof (RFC 9162)", "包含证明（RFC 9162）"),
    tags=("log",),
    query=InclusionQuery,
    responses={200: InclusionProof},
)
def inclusion() -> ResponseReturnValue:
    index, size = _int_arg("index"), _int_arg("size")
    db = db_session()
    if not 0 <= index < size <= log.current_state(db).size:
        raise InvalidInput(
            Text(
                "Need 0 <= index < size <= the log's size.",
                "须满足 0 <= index < size <= 日志大小。",
            )
        )
    proof = log.inclusion_proof(db, index=index, size=size)
    return jsonify({"index": index, "size": size, "proof": [_b64(h) for h in proof]})


@bp.get("/proofs/consistency")
@auth_required()
@operation(
    Text("A consistency proof (RFC 9162)", "一致性证明（RFC 9162）"),
    tags=("log",),
    query=ConsistencyQuery,
    responses={200: ConsistencyProof},
)
def consistency() -> ResponseReturnValue:
    first, second = _int_arg("first"), _int_arg("second")
    db = db_session()
    if not 0 < first <= second <= log.current_state(db).size:
        raise InvalidInput(
            Text(
                "Need 0 < first <= second <= the log's size.",
                "须满足 0 < first <= second <= 日志大小。",
            )
        )
    proof = log.consistency_proof(db, size1=first, size2=second)
    return jsonify({"first": first, "second": second, "proof": [_b64(h) for h in proof]})


@bp.post("/checkpoints/<int:size>/cosignatures")
@roles_required(*FACTORY_ROLES)
@operation(
    Text("Cosign a checkpoint as a witness", "以见证方身份联署检查点"),
    tags=("log",),
    body=CosignatureIn,
    responses={201: Cosigned},
)
def cosign(size: int) -> ResponseReturnValue:
    """A lead factory, as witness, posts its cosignature of the checkpoint at `size`."""
    values = load(CosignatureIn(), json_body())
    if size >= MAX_INDEX:
        raise NotFound(Text("No checkpoint of that size.", "没有该大小的检查点。"))
    db = db_session()
    target = db.scalar(
        select(LogCheckpoint)
        .where(LogCheckpoint.size == size)
        .order_by(LogCheckpoint.id.desc())
        .limit(1)
    )
    if target is None:
        raise NotFound(Text("No checkpoint of that size.", "没有该大小的检查点。"))
    add_cosignature(
        db, checkpoint=target, witness_key=values["witness_key"], cosigned_note=values["note"]
    )
    db.commit()
    return jsonify({"checkpoint": checkpoint_with_cosignatures(db, target)}), 201
