"""Roll-ups for lead factories' systems (OAuth2 client tokens with `rollups:read`) and analysts."""

from __future__ import annotations

import uuid

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from esgx_platform.accounts.models import Role
from esgx_platform.errors import NotFound
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization, OrgKind
from esgx_platform.rollups.report import report_json
from esgx_platform.rollups.services import compute_rollup, parse_period
from esgx_platform.rollups.snapshots import rollup_snapshots
from esgx_platform.web.api_schemas import PeriodPath
from esgx_platform.web.context import auth_required, scope
from esgx_platform.web.openapi import operation
from esgx_platform.web.report_schemas import Rollup, RollupQuery

bp = Blueprint("rollup_api", __name__, url_prefix="/api/v1")


def lead_factory(org_id: uuid.UUID) -> Organization:
    """The lead factory when the principal is its analyst (or an operator); else 404/403."""
    org = scope().require(org_id, Role.FACTORY_ANALYST)
    if org.kind is not OrgKind.LEAD_FACTORY:
        raise NotFound(Text("No such lead factory.", "没有该龙头工厂。"))
    return org


@bp.get("/factories/<uuid:org_id>/rollups/<period>")
@auth_required("rollups:read")
@operation(
    Text("The Scope 3 roll-up of a year or quarter", "某年或某季度的范围三汇总"),
    description=Text(
        "With the responsibility-extension indicators, the filing status and (unless "
        "suppliers=false) each supplier's quarters.",
        "含责任延伸指标、报送状态，以及（除非 suppliers=false）各供应商的季度明细。",
    ),
    tags=("rollups",),
    path=PeriodPath,
    query=RollupQuery,
    responses={200: Rollup},
)
def rollup(org_id: uuid.UUID, period: str) -> ResponseReturnValue:
    """The Scope 3 roll-up of a year (`2025`) or quarter (`2025-Q3`), with indicators;
    `?suppliers=false` leaves out the per-supplier drill-down."""
    org = lead_factory(org_id)
    report = compute_rollup(scope().session, lead_factory_id=org.id, period=period)
    with_suppliers = request.args.get("suppliers", "true").lower() != "false"
    return jsonify(report_json(report, suppliers=with_suppliers))


class RollupSnapshotOut(Schema):
    computed_at = fields.AwareDateTime(data_key="computedAt", required=True)
    log_size = fields.Integer(data_key="logSize", required=True)
    total_tco2e = fields.Decimal(data_key="totalTco2e", as_string=True, required=True)
    report = fields.Nested(Rollup, required=True)


class RollupSnapshots(Schema):
    period = fields.String(required=True)
    data = fields.List(fields.Nested(RollupSnapshotOut), required=True)


@bp.get("/factories/<uuid:org_id>/rollups/<period>/snapshots")
@auth_required("rollups:read")
@operation(
    Text("How a roll-up moved as verified data arrived", "范围三汇总随已验证数据的变化"),
    description=Text(
        "The snapshots the scheduler's refresh job stored for the period, oldest first (the "
        "newest 200): each the roll-up without the per-supplier drill-down.",
        "调度器刷新任务为该期间保存的快照，按时间先后排列（最新的 200 个），"
        "每个为不含供应商明细的汇总。",
    ),
    tags=("rollups",),
    path=PeriodPath,
    responses={200: RollupSnapshots},
)
def rollup_history(org_id: uuid.UUID, period: str) -> ResponseReturnValue:
    org = lead_factory(org_id)
    parse_period(period)  # a clear 422 for a malformed period, as the roll-up gives
    snapshots = rollup_snapshots(scope().session, org.id, period)
    return jsonify(RollupSnapshots().dump({"period": period, "data": snapshots}))
