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
from esgx_platform.web.context import auth_required, scope

bp = Blueprint("rollup_api", __name__, url_prefix="/api/v1")


def lead_factory(org_id: uuid.UUID) -> Organization:
    """The lead factory when the principal is its analyst (or an operator); else 404/403."""
    org = scope().require(org_id, Role.FACTORY_ANALYST)
    if org.kind is not OrgKind.LEAD_FACTORY:
        raise NotFound(Text("No such lead factory.", "没有该龙头工厂。"))
    return org


@bp.get("/factories/<uuid:org_id>/rollups/<period>")
@auth_required("rollups:read")
def rollup(org_id: uuid.UUID, period: str) -> ResponseReturnValue:
    """The Scope 3 roll-up of a year (`2025`) or quarter (`2025-Q3`), with indicators;
    `?suppliers=false` leaves out the per-supplier drill-down."""
    org = lead_factory(org_id)
    report = compute_rollup(scope().session, lead_factory_id=org.id, period=period)
    with_suppliers = request.args.get("suppliers", "true").lower() != "false"
    return jsonify(report_json(report, suppliers=with_suppliers))
