"""JSON API v1 (session-authenticated for now; API tokens and OAuth2 arrive with intake/pull)."""

from __future__ import annotations

import uuid

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from esgx_platform.organizations.models import OrgKind
from esgx_platform.organizations.services import list_relationships
from esgx_platform.tenancy import FACTORY_ROLES, SUPPLIER_ROLES
from esgx_platform.web.context import auth_required, current_user, login_required, scope
from esgx_platform.web.schemas import MeOut, OrganizationOut, RelationshipOut

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/me")
@login_required
def me() -> ResponseReturnValue:
    return jsonify(MeOut().dump(current_user()))


@bp.get("/organizations/<uuid:org_id>")
@auth_required()
def organization(org_id: uuid.UUID) -> ResponseReturnValue:
    return jsonify(OrganizationOut().dump(scope().organization(org_id)))


@bp.get("/organizations/<uuid:org_id>/relationships")
@auth_required()
def relationships(org_id: uuid.UUID) -> ResponseReturnValue:
    """A lead factory's suppliers or a supplier's customers; members of that organization only."""
    tenant = scope()
    org = tenant.require(org_id, *FACTORY_ROLES, *SUPPLIER_ROLES)
    if org.kind is OrgKind.LEAD_FACTORY:
        rows = list_relationships(tenant.session, lead_factory_id=org.id)
    else:
        rows = list_relationships(tenant.session, supplier_id=org.id)
    return jsonify({"data": RelationshipOut(many=True).dump(rows)})
