"""JSON API v1 (session-authenticated for now; API tokens and OAuth2 arrive with intake/pull)."""

from __future__ import annotations

import uuid

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from esgx_platform.i18n import Text
from esgx_platform.organizations.models import OrgKind
from esgx_platform.organizations.services import list_relationships
from esgx_platform.tenancy import FACTORY_ROLES, SUPPLIER_ROLES
from esgx_platform.web.api_schemas import listing
from esgx_platform.web.context import auth_required, current_user, login_required, scope
from esgx_platform.web.openapi import operation
from esgx_platform.web.schemas import MeOut, OrganizationOut, RelationshipOut

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/me")
@login_required
@operation(
    Text("The signed-in person and their roles", "当前登录用户及其角色"),
    tags=("accounts",),
    responses={200: MeOut},
)
def me() -> ResponseReturnValue:
    return jsonify(MeOut().dump(current_user()))


@bp.get("/organizations/<uuid:org_id>")
@auth_required()
@operation(
    Text("An organization's profile", "组织概况"),
    tags=("accounts",),
    responses={200: OrganizationOut},
)
def organization(org_id: uuid.UUID) -> ResponseReturnValue:
    return jsonify(OrganizationOut().dump(scope().organization(org_id)))


@bp.get("/organizations/<uuid:org_id>/relationships")
@auth_required()
@operation(
    Text("Supply relationships of an organization", "组织的供应关系"),
    description=Text(
        "A lead factory's suppliers or a supplier's customers; members of that organization only.",
        "龙头工厂的供应商或供应商的客户；仅限该组织成员。",
    ),
    tags=("accounts",),
    responses={200: listing(RelationshipOut)},
)
def relationships(org_id: uuid.UUID) -> ResponseReturnValue:
    """A lead factory's suppliers or a supplier's customers; members of that organization only."""
    tenant = scope()
    org = tenant.require(org_id, *FACTORY_ROLES, *SUPPLIER_ROLES)
    if org.kind is OrgKind.LEAD_FACTORY:
        rows = list_relationships(tenant.session, lead_factory_id=org.id)
    else:
        rows = list_relationships(tenant.session, supplier_id=org.id)
    return jsonify({"data": RelationshipOut(many=True).dump(rows)})
