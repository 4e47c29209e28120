"""JSON API for signing keys and signed disclosure submissions (suppliers, and lead factories
filing their own operations)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import begin_write
from esgx_platform.disclosures.pact import ProductFootprintSchema
from esgx_platform.disclosures.schemas import DisclosureSchema
from esgx_platform.errors import EsgxError, NotFound
from esgx_platform.i18n import Text
from esgx_platform.intake.credentials import Submitter, claimed_period
from esgx_platform.intake.footprints import submit_footprint
from esgx_platform.intake.grouped import GroupCommit, Outcome, commit_group
from esgx_platform.intake.models import FootprintCredential, StoredDisclosure
from esgx_platform.intake.pipeline import Prepared, prepare_submission
from esgx_platform.intake.receipts import (
    LogSigner,
    bundle_for,
    checkpoint_after_commit,
    receipt_for,
)
from esgx_platform.keys.services import (
    change_key,
    issue_challenge,
    key_events,
    list_keys,
    register_key,
)
from esgx_platform.problems import UnsupportedMediaType
from esgx_platform.schemas import load
from esgx_platform.tenancy import FILER_ROLES, KEY_ADMIN_ROLES, Purpose
from esgx_platform.web.api_schemas import (
    Accepted,
    BatchResults,
    Bundle,
    Challenge,
    FootprintFiled,
    listing,
)
from esgx_platform.web.context import (
    auth_required,
    database,
    db_session,
    end_request_reads,
    json_body,
    principal,
    reads_first,
    scope,
)
from esgx_platform.web.intake_schemas import (
    BatchIn,
    DisclosureOut,
    FootprintOut,
    JwsIn,
    KeyEventIn,
    KeyEventOut,
    KeyOut,
    KeyRegistrationIn,
)
from esgx_platform.web.openapi import TEXT, Body, Reply, operation

bp = Blueprint("intake_api", __name__, url_prefix="/api/v1")
JWS_MEDIA_TYPES = ("application/vc+jwt", "application/jose", "application/jwt")
JWS_BODY = Body(
    {"application/json": JwsIn, **dict.fromkeys(JWS_MEDIA_TYPES, TEXT)},
    Text(
        'The compact JWS as application/vc+jwt, or JSON {"jws": "..."}.',
        '紧凑 JWS，以 application/vc+jwt 发送，或发送 JSON {"jws": "..."}。',
    ),
)
LOCATION = {"Location": Text("Where the filed record is read", "所提交记录的读取地址")}
BUNDLE = Reply(
    Bundle,
    Text("The offline bundle, as an attachment", "离线验证包（附件）"),
    headers={"Content-Disposition": Text("attachment", "附件")},
)


def log_signer() -> LogSigner:
    return cast(LogSigner, current_app.extensions["esgx_log_signer"])


def group_commit() -> GroupCommit:
    return cast(GroupCommit, current_app.extensions["esgx_group_commit"])


def _writing(db: Session) -> None:
    """End the request's read transaction and start a writing one (SQLite: BEGIN IMMEDIATE)."""
    db.commit()
    begin_write(db)


def _actor() -> tuple[uuid.UUID | None, str]:
    who = principal()
    return who.user_id, who.machine or f"user:{who.user_id}"


def _rejected(
    db: Session, action: str, org_id: uuid.UUID | None, exc: EsgxError, details: dict[str, Any]
) -> None:
    """Roll back everything, then keep only an audit event of the rejection (under the
    submitter's organization when it files for exactly one, so it can see its refusals)."""
    db.rollback()
    begin_write(db)
    user_id, via = _actor()
    if org_id is None:
        own = principal().org_ids(*FILER_ROLES)
        org_id = own[0] if len(own) == 1 else None
    record_event(
        db,
        action=action,
        actor_user_id=user_id,
        organization_id=org_id,
        details={"problem": exc.type_slug, "detail": exc.detail.en, "via": via, **details},
        remote_addr=request.remote_addr,
    )
    db.commit()


# --- keys -----------------------------------------------------------------------------------


@bp.post("/organizations/<uuid:org_id>/keys/challenge")
@auth_required("keys:manage")
@operation(
    Text("A one-time challenge for registering a key", "注册密钥用的一次性挑战"),
    description=Text(
        "The new key signs it (proof of possession) within 15 minutes.",
        "新密钥须在 15 分钟内对其签名（持有证明）。",
    ),
    tags=("keys",),
    responses={201: Challenge},
)
def key_challenge(org_id: uuid.UUID) -> ResponseReturnValue:
    org = scope().require(org_id, *KEY_ADMIN_ROLES)
    db = db_session()
    challenge = issue_challenge(db, organization=org)
    db.commit()
    return jsonify(challenge), 201


def _key_change(org_id: uuid.UUID, apply: Any) -> ResponseReturnValue:
    org = scope().require(org_id, *KEY_ADMIN_ROLES)
    db = db_session()
    body = json_body()
    _writing(db)
    try:
        key = apply(db, org, body)
        db.commit()
    except EsgxError as exc:
        _rejected(db, "key.rejected", org.id, exc, {})
        raise
    return jsonify(KeyOut().dump(key)), 201


@bp.post("/organizations/<uuid:org_id>/keys")
@auth_required("keys:manage")
@operation(
    Text("Register a signing key", "注册签名密钥"),
    tags=("keys",),
    body=KeyRegistrationIn,
    responses={201: KeyOut},
    problems=(409,),
)
def key_register(org_id: uuid.UUID) -> ResponseReturnValue:
    def apply(db: Session, org: Any, body: dict[str, Any]) -> Any:
        values = load(KeyRegistrationIn(), body)
        return register_key(
            db,
            organization=org,
            proof=values["proof"],
            event=values["event"],
            label=values["label"],
            actor_user_id=principal().user_id,
        )

    return _key_change(org_id, apply)


@bp.post("/organizations/<uuid:org_id>/keys/<any(rotations,revocations):kind>")
@auth_required("keys:manage")
@operation(
    Text("Rotate or revoke a signing key", "轮换或撤销签名密钥"),
    description=Text(
        "A signed key event: `rotations` for a rotation, `revocations` for a revocation.",
        "已签名的密钥事件：轮换用 `rotations`，撤销用 `revocations`。",
    ),
    tags=("keys",),
    body=KeyEventIn,
    responses={201: KeyOut},
    problems=(409,),
)
def key_event(org_id: uuid.UUID, kind: str) -> ResponseReturnValue:
    expected = "rotated" if kind == "rotations" else "revoked"

    def apply(db: Session, org: Any, body: dict[str, Any]) -> Any:
        values = load(KeyEventIn(), body)
        return change_key(
            db,
            organization=org,
            event=values["event"],
            expected=expected,
            actor_user_id=principal().user_id,
        )

    return _key_change(org_id, apply)


@bp.get("/organizations/<uuid:org_id>/keys")
@auth_required()
@operation(
    Text("Public keys of an organization and their status", "组织的公钥及其状态"),
    tags=("keys",),
    responses={200: listing(KeyOut)},
)
def keys(org_id: uuid.UUID) -> ResponseReturnValue:
    """Public keys and their status: the supplier itself and customers with consent."""
    org = scope().organization(org_id, Purpose.DATA)
    return jsonify({"data": KeyOut(many=True).dump(list_keys(db_session(), organization=org))})


@bp.get("/organizations/<uuid:org_id>/key-events")
@auth_required()
@operation(
    Text("Key events of an organization, as logged", "组织的密钥事件（按日志记录）"),
    tags=("keys",),
    responses={200: listing(KeyEventOut)},
)
def events(org_id: uuid.UUID) -> ResponseReturnValue:
    org = scope().organization(org_id, Purpose.DATA)
    rows = key_events(db_session(), organization_id=org.id)
    return jsonify({"data": KeyEventOut(many=True).dump(rows)})


# --- disclosures ----------------------------------------------------------------------------


def _submitted_jws() -> str:
    if request.mimetype in JWS_MEDIA_TYPES:
        return request.get_data(as_text=True)
    if request.is_json:
        return str(load(JwsIn(), json_body())["jws"])
    raise UnsupportedMediaType(
        Text(
            'Send the compact JWS as application/vc+jwt, or JSON {"jws": "..."}.',
            '请以 application/vc+jwt 发送紧凑 JWS，或发送 JSON {"jws": "..."}。',
        )
    )


def _submitter() -> Submitter:
    user_id, via = _actor()
    return Submitter(frozenset(principal().org_ids(*FILER_ROLES)), user_id, via)


def _period_of(jws: str) -> dict[str, str]:
    """The period a refused disclosure claims, for the audit record (so a roll-up can list who
    was refused for a quarter); nothing when the payload does not say it readably."""
    period = claimed_period(jws)
    return {} if period is None else {"period": period}


def _accepted_body(row: StoredDisclosure, receipt: str, duplicate: bool) -> dict[str, Any]:
    return {
        **DisclosureOut(exclude=("jws",)).dump(row),
        "receipt": receipt,
        "duplicate": duplicate,
        "bundleUrl": url_for("intake_api.bundle", disclosure_id=row.id),
    }


@bp.post("/disclosures")
@reads_first
@auth_required("disclosures:submit")
@operation(
    Text("Submit a signed disclosure", "提交签名披露"),
    description=Text(
        "201 with the receipt; 200 for an identical resubmission. The JWS payload is a "
        "verifiable credential whose credentialSubject is a Disclosure.",
        "成功时返回 201 及回执；完全相同的重复提交返回 200。JWS 载荷为可验证凭证，"
        "其 credentialSubject 为 Disclosure。",
    ),
    tags=("disclosures",),
    body=JWS_BODY,
    responses={
        201: Reply(Accepted, headers=LOCATION),
        200: Reply(Accepted, Text("Already filed: the same record", "已提交过：同一记录")),
    },
    problems=(400, 409, 422),
    see=(DisclosureSchema,),
)
def submit() -> ResponseReturnValue:
    """Submit one signed disclosure; 201 with the receipt, 200 for an identical resubmission."""
    jws = _submitted_jws()
    submitter = _submitter()
    try:
        # The reads before the lock each stand alone (READ COMMITTED gives a transaction no
        # more than that), so no BEGIN and COMMIT round trips around them; the group's leader
        # opens the writing transaction.
        with database().statement_reads() as reads:
            prepared = prepare_submission(reads, jws=jws, submitter=submitter)
        end_request_reads()
        accepted = group_commit().submit(database().sessions, prepared, submitter)
    except EsgxError as exc:
        details = {"bytes": len(jws), **_period_of(jws)}
        _rejected(db_session(), "disclosure.rejected", None, exc, details)
        raise
    assert accepted.receipt is not None
    response = jsonify(_accepted_body(accepted.disclosure, accepted.receipt, accepted.duplicate))
    response.status_code = 200 if accepted.duplicate else 201
    response.headers["Location"] = url_for(
        "intake_api.disclosure", disclosure_id=accepted.disclosure.id
    )
    return response


@bp.post("/disclosures/batch")
@reads_first
@auth_required("disclosures:submit")
@operation(
    Text("Submit up to 500 signed disclosures", "批量提交签名披露（最多 500 份）"),
    description=Text(
        "Each accepted or refused on its own; each result has its own status and either the "
        "accepted record or its problem.",
        "每份单独受理或拒绝；每个结果有各自的状态，以及受理的记录或其问题说明。",
    ),
    tags=("disclosures",),
    body=BatchIn,
    responses={200: BatchResults},
    see=(DisclosureSchema,),
)
def submit_batch() -> ResponseReturnValue:
    """Up to 500 JWS in one transaction; each accepted or refused on its own, and every
    accepted one receipted against one checkpoint signed at the end, in the transaction."""
    items = load(BatchIn(), json_body())["jws"]
    submitter, signer = _submitter(), log_signer()
    db = db_session()
    prepared: list[Prepared | EsgxError] = []
    for jws in items:  # verification and parsing before the lock
        try:
            prepared.append(prepare_submission(db, jws=jws, submitter=submitter))
        except EsgxError as exc:
            prepared.append(exc)
    db.commit()  # the reads' transaction

    def refused(session: Session, position: int, exc: EsgxError) -> None:
        own = submitter.organization_ids
        record_event(
            session,
            action="disclosure.rejected",
            actor_user_id=submitter.user_id,
            organization_id=next(iter(own)) if len(own) == 1 else None,
            remote_addr=request.remote_addr,
            details={
                "problem": exc.type_slug,
                "detail": exc.detail.en,
                "via": submitter.via,
                "batch_position": position,
                **_period_of(items[position]),
            },
        )

    outcomes = commit_group(db, [(p, submitter) for p in prepared], signer, refused)
    return jsonify({"results": [_batch_result(i, o) for i, o in enumerate(outcomes)]}), 200


def _batch_result(position: int, outcome: Outcome) -> dict[str, Any]:
    if isinstance(outcome, EsgxError):
        return {"index": position, "status": outcome.status, "problem": _problem_dict(outcome)}
    assert outcome.receipt is not None
    return {
        "index": position,
        "status": 200 if outcome.duplicate else 201,
        **_accepted_body(outcome.disclosure, outcome.receipt, outcome.duplicate),
    }


def _problem_dict(exc: EsgxError) -> dict[str, Any]:
    from esgx_platform.web.errors import problem

    response: Response = problem(
        exc.status, exc.type_slug, exc.title, exc.detail, tuple(exc.errors), dict(exc.extra)
    )
    return cast(dict[str, Any], response.get_json())


def _readable(disclosure_id: uuid.UUID) -> StoredDisclosure:
    """A disclosure the principal may read (its supplier, or a customer with consent)."""
    row = db_session().get(StoredDisclosure, disclosure_id)
    if row is None or not scope().can_read(row.organization_id, Purpose.DATA):
        raise NotFound(Text("No such disclosure.", "披露不存在。"))
    return row


@bp.get("/disclosures/<uuid:disclosure_id>")
@auth_required("disclosures:read")
@operation(
    Text("A filed disclosure with its JWS", "已提交的披露及其 JWS"),
    tags=("disclosures",),
    responses={200: DisclosureOut},
)
def disclosure(disclosure_id: uuid.UUID) -> ResponseReturnValue:
    return jsonify(DisclosureOut().dump(_readable(disclosure_id)))


@bp.get("/disclosures/<uuid:disclosure_id>/receipt")
@auth_required("disclosures:read")
@operation(
    Text("The disclosure's receipt", "披露的回执"),
    description=Text(
        "An inclusion proof against a signed checkpoint (text).",
        "针对已签名检查点的包含证明（文本）。",
    ),
    tags=("disclosures",),
    responses={200: Reply(TEXT, content_type="text/plain")},
)
def receipt(disclosure_id: uuid.UUID) -> ResponseReturnValue:
    row = _readable(disclosure_id)
    db = db_session()
    checkpoint = checkpoint_after_commit(db, row.log_index, log_signer())
    text = receipt_for(db, row.log_index, log_signer(), checkpoint)
    return Response(text, mimetype="text/plain")


@bp.get("/disclosures/<uuid:disclosure_id>/bundle")
@auth_required("disclosures:read")
@operation(
    Text("The disclosure's offline bundle", "披露的离线验证包"),
    description=Text(
        "Everything `esgx-sign verify-bundle` needs, with no network or database.",
        "`esgx-sign verify-bundle` 所需的一切，无需网络或数据库。",
    ),
    tags=("disclosures",),
    responses={200: BUNDLE},
)
def bundle(disclosure_id: uuid.UUID) -> ResponseReturnValue:
    """The offline bundle `esgx-sign verify-bundle` checks with no network or database."""
    row = _readable(disclosure_id)
    db = db_session()
    checkpoint_after_commit(db, row.log_index, log_signer())
    body = bundle_for(db, row, log_signer())
    response = jsonify(body)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="esgx-bundle-{row.content_id[:16]}.json"'
    )
    return response


# --- stand-alone product footprints --------------------------------------------------------


@bp.post("/footprints")
@auth_required("disclosures:submit")
@operation(
    Text("File a product footprint credential", "提交产品碳足迹凭证"),
    description=Text(
        "A PACT v3 ProductFootprint signed on its own; 201, or 200 for a resubmission.",
        "单独签名的 PACT v3 ProductFootprint；成功返回 201，重复提交返回 200。",
    ),
    tags=("footprints",),
    body=JWS_BODY,
    responses={201: FootprintFiled, 200: FootprintFiled},
    problems=(400, 409, 422),
    see=(ProductFootprintSchema,),
)
def submit_footprint_credential() -> ResponseReturnValue:
    """File one `ProductFootprint` credential (a PACT v3 footprint signed on its own)."""
    jws = _submitted_jws()
    submitter = _submitter()
    db = db_session()
    try:
        filed = submit_footprint(db, jws=jws, submitter=submitter)
        db.commit()
    except EsgxError as exc:
        _rejected(db, "footprint.rejected", None, exc, {"bytes": len(jws)})
        raise
    row = filed.credential
    checkpoint = checkpoint_after_commit(db, row.log_index, log_signer())
    body = {
        **FootprintOut(exclude=("jws",)).dump(row),
        "duplicate": filed.duplicate,
        "receipt": receipt_for(db, row.log_index, log_signer(), checkpoint),
        "bundleUrl": url_for("intake_api.footprint_bundle", credential_id=row.id),
    }
    return jsonify(body), 200 if filed.duplicate else 201


def _readable_footprint(credential_id: uuid.UUID) -> FootprintCredential:
    row = db_session().get(FootprintCredential, credential_id)
    if row is None or not scope().can_read(row.organization_id, Purpose.DATA):
        raise NotFound(Text("No such footprint.", "碳足迹不存在。"))
    return row


@bp.get("/footprints/<uuid:credential_id>")
@auth_required("disclosures:read")
@operation(
    Text("A filed footprint credential with its JWS", "已提交的碳足迹凭证及其 JWS"),
    tags=("footprints",),
    responses={200: FootprintOut},
)
def footprint(credential_id: uuid.UUID) -> ResponseReturnValue:
    return jsonify(FootprintOut().dump(_readable_footprint(credential_id)))


@bp.get("/footprints/<uuid:credential_id>/bundle")
@auth_required("disclosures:read")
@operation(
    Text("The footprint's offline bundle", "碳足迹的离线验证包"),
    tags=("footprints",),
    responses={200: Reply(Bundle)},
)
def footprint_bundle(credential_id: uuid.UUID) -> ResponseReturnValue:
    row = _readable_footprint(credential_id)
    db = db_session()
    checkpoint_after_commit(db, row.log_index, log_signer())
    return jsonify(bundle_for(db, row, log_signer()))
