"""Assessments for lead factories: JSON for their systems, the evidence pack for auditors."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, url_for
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from esgx_platform.assessment.evidence import evidence_pack, pack_checkpoint
from esgx_platform.assessment.records import AssessmentSnapshot
from esgx_platform.assessment.services import (
    factory_model_body,
    get_snapshot,
    list_snapshots,
    run_assessment,
    snapshot_findings,
    upload_model,
)
from esgx_platform.db import begin_write
from esgx_platform.i18n import Text
from esgx_platform.ledger.checkpoints import publish_checkpoint
from esgx_platform.schemas import load
from esgx_platform.tenancy import Purpose
from esgx_platform.web.api_schemas import listing
from esgx_platform.web.context import auth_required, db_session, json_body, principal, scope
from esgx_platform.web.intake_api import log_signer
from esgx_platform.web.openapi import ANY_JSON_OBJECT, BINARY, Reply, operation
from esgx_platform.web.report_schemas import Assessment, AssessmentSummary, ModelRef
from esgx_platform.web.rollup_api import lead_factory

bp = Blueprint("assessment_api", __name__, url_prefix="/api/v1")


class RunIn(Schema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))


def snapshot_json(snapshot: AssessmentSnapshot, *, full: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(snapshot.id),
        "period": snapshot.period,
        "grade": snapshot.grade,
        "totalScore": str(snapshot.total_score),
        "model": {
            "id": snapshot.model_id,
            "version": snapshot.model_version,
            "sha256": snapshot.model_sha256,
        },
        "createdAt": snapshot.created_at.isoformat(),
        "evidenceUrl": url_for(
            "assessment_api.evidence", org_id=snapshot.organization_id, snapshot_id=snapshot.id
        ),
    }
    if full:
        body |= {"inputs": snapshot.inputs, "metrics": snapshot.metrics, **snapshot.result}
    return body


@bp.get("/factories/<uuid:org_id>/assessments")
@auth_required("assessments:read")
@operation(
    Text("The factory's assessment snapshots", "工厂的评价快照"),
    tags=("assessments",),
    responses={200: listing(AssessmentSummary)},
)
def assessments(org_id: uuid.UUID) -> ResponseReturnValue:
    org = lead_factory(org_id)
    rows = list_snapshots(db_session(), org.id)
    return jsonify({"data": [snapshot_json(s, full=False) for s in rows]})


@bp.post("/factories/<uuid:org_id>/assessments")
@auth_required("assessments:write")
@operation(
    Text("Assess the factory for a year", "对工厂进行年度评价"),
    description=Text("People only: machine clients read.", "仅限用户操作：机器客户端只读。"),
    tags=("assessments",),
    body=RunIn,
    responses={201: Reply(Assessment, headers={"Location": Text("The snapshot", "评价快照")})},
)
def run(org_id: uuid.UUID) -> ResponseReturnValue:
    """Assess the factory for a year (people only: machine clients read)."""
    org = lead_factory(org_id)
    values = load(RunIn(), json_body())
    db = db_session()
    snapshot = run_assessment(
        db,
        organization=org,
        year=values["year"],
        actor_user_id=principal().user_id,
        signer=log_signer(),
    )
    db.commit()
    response = jsonify(snapshot_json(snapshot, full=True))
    response.status_code = 201
    response.headers["Location"] = url_for(
        "assessment_api.assessment", org_id=org.id, snapshot_id=snapshot.id
    )
    return response


@bp.get("/factories/<uuid:org_id>/assessments/<uuid:snapshot_id>")
@auth_required("assessments:read")
@operation(
    Text("One assessment snapshot in full", "单个评价快照（完整）"),
    tags=("assessments",),
    responses={200: Assessment},
)
def assessment(org_id: uuid.UUID, snapshot_id: uuid.UUID) -> ResponseReturnValue:
    org = lead_factory(org_id)
    snapshot = get_snapshot(db_session(), org.id, snapshot_id)
    return jsonify(snapshot_json(snapshot, full=True))


@bp.get("/factories/<uuid:org_id>/assessments/<uuid:snapshot_id>/evidence.zip")
@auth_required("assessments:read", "disclosures:read")
@operation(
    Text("The evidence pack (ZIP)", "证据包（ZIP）"),
    description=Text(
        "Every disclosure used that the reader may still see, with its offline bundle, and "
        "the snapshot; `esgx-sign` verifies it offline.",
        "所用的、读者仍有权查看的每份披露及其离线验证包，以及评价快照；可用 `esgx-sign` 离线验证。",
    ),
    tags=("assessments",),
    responses={200: Reply(BINARY, content_type="application/zip")},
)
def evidence(org_id: uuid.UUID, snapshot_id: uuid.UUID) -> ResponseReturnValue:
    """The evidence pack: every disclosure used (that the reader may still see) with its
    offline bundle, and the snapshot. It holds disclosures, so machines need both scopes."""
    org = lead_factory(org_id)
    db = db_session()
    snapshot = get_snapshot(db, org.id, snapshot_id)
    checkpoint = pack_checkpoint(db, snapshot)
    if checkpoint is None:  # an older snapshot that no checkpoint covers yet: sign one
        db.commit()
        begin_write(db)
        signer = log_signer()
        checkpoint = publish_checkpoint(db, box=signer.box, origin=signer.origin)
        db.commit()
    tenant = scope()
    data = evidence_pack(
        db,
        snapshot=snapshot,
        findings=snapshot_findings(db, snapshot.id),
        checkpoint=checkpoint,
        readable=functools.cache(lambda org_id: tenant.can_read(org_id, Purpose.DATA)),
    )
    name = f"esgx-evidence-{snapshot.period}-{str(snapshot.id)[:8]}.zip"
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/factories/<uuid:org_id>/assessment-model")
@auth_required("assessments:read")
@operation(
    Text("The indicator model in use", "当前使用的指标模型"),
    tags=("assessments",),
    responses={200: ANY_JSON_OBJECT},
)
def model(org_id: uuid.UUID) -> ResponseReturnValue:
    """The indicator model the factory's assessments use (its own, or the default)."""
    org = lead_factory(org_id)
    return jsonify(factory_model_body(db_session(), org.id))


@bp.put("/factories/<uuid:org_id>/assessment-model")
@auth_required("assessments:write")
@operation(
    Text("Replace the factory's indicator model", "替换工厂的指标模型"),
    description=Text(
        "Checked against the model schema (422 with JSON paths); earlier snapshots keep theirs.",
        "按模型结构校验（不通过时返回 422 及 JSON 路径）；已有快照保留原模型。",
    ),
    tags=("assessments",),
    body=ANY_JSON_OBJECT,
    responses={200: ModelRef},
)
def replace_model(org_id: uuid.UUID) -> ResponseReturnValue:
    """Check a model against the schema (422 with JSON paths when it fails) and use it for the
    factory's assessments from now on; earlier snapshots keep the model they were made with."""
    org = lead_factory(org_id)
    db = db_session()
    record = upload_model(db, organization=org, body=json_body(), actor_user_id=principal().user_id)
    db.commit()
    return jsonify({"id": record.model_id, "version": record.version, "sha256": record.sha256})
