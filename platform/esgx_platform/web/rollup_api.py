"""Roll-ups for lead factories' systems (OAuth2 client tokens with `rollups:read`) and analysts."""

from __future__ import annotations

import uuid

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from esgx_platform.accounts.models import Role
from esgx_platform.errors import NotFound
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization, OrgKind
from esgx_platform.rollups.report import report_json
from esgx_platform.rollups.services import compute_rollup
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
