"""Supplier portal pages: the supplier's home and data-sharing consent per customer."""

from __future__ import annotations

import uuid

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.accounts.models import Role
from esgx_platform.errors import NotFound
from esgx_platform.i18n import Text
from esgx_platform.intake.queries import filing_history
from esgx_platform.keys.services import list_keys
from esgx_platform.organizations.models import SupplyRelationship
from esgx_platform.organizations.services import give_consent, list_relationships, withdraw_consent
from esgx_platform.tenancy import SUPPLIER_ROLES
from esgx_platform.web.context import current_user, db_session, principal, roles_required, scope
from supplier_portal.charts import emissions_chart
from supplier_portal.form_views import draft_subject_json

bp = Blueprint(
    "portal",
    __name__,
    url_prefix="/portal",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@bp.get("/")
@roles_required(*SUPPLIER_ROLES)
def home() -> ResponseReturnValue:
    tenant = scope()
    org_ids = principal().org_ids(*SUPPLIER_ROLES)
    suppliers = [
        (
            tenant.organization(org_id),
            list_relationships(tenant.session, supplier_id=org_id),
            emissions_chart(filing_history(tenant.session, org_id)),
        )
        for org_id in org_ids
    ]
    return render_template(
        "portal/home.html",
        suppliers=suppliers,
        admin_of=set(principal().org_ids(Role.SUPPLIER_ADMIN)),
    )


@bp.get("/orgs/<uuid:org_id>/disclosures")
@roles_required(*SUPPLIER_ROLES)
def disclosures(org_id: uuid.UUID) -> ResponseReturnValue:
    """Every filing with its receipt and offline bundle, restatements included."""
    tenant = scope()
    org = tenant.require(org_id, *SUPPLIER_ROLES)
    return render_template(
        "portal/disclosures.html", org=org, rows=filing_history(tenant.session, org.id)
    )


@bp.get("/orgs/<uuid:org_id>/keys")
@roles_required(*SUPPLIER_ROLES)
def keys(org_id: uuid.UUID) -> ResponseReturnValue:
    tenant = scope()
    org = tenant.require(org_id, *SUPPLIER_ROLES)
    return render_template(
        "portal/keys.html",
        org=org,
        keys=list_keys(tenant.session, organization=org),
        is_admin=principal().is_operator or Role.SUPPLIER_ADMIN in principal().roles_in(org.id),
    )


@bp.get("/orgs/<uuid:org_id>/sign")
@roles_required(*SUPPLIER_ROLES)
def sign(org_id: uuid.UUID) -> ResponseReturnValue:
    """Sign a disclosure in this browser (the key file is read here, never uploaded)."""
    org = scope().require(org_id, *SUPPLIER_ROLES)
    period = request.args.get("period", "")
    return render_template(
        "portal/sign.html", org=org, prefilled=draft_subject_json(org.id, period) if period else ""
    )


@bp.post("/relationships/<uuid:rel_id>/consent/<any(give,withdraw):action>")
@roles_required(Role.SUPPLIER_ADMIN)
def consent(rel_id: uuid.UUID, action: str) -> ResponseReturnValue:
    """Only the supplier's own administrators decide what a customer may see."""
    db = db_session()
    rel = db.get(SupplyRelationship, rel_id)
    if rel is None or rel.supplier_id not in principal().org_ids(Role.SUPPLIER_ADMIN):
        raise NotFound(Text("No such relationship.", "供应关系不存在。"))
    actor = current_user()
    actor_id = actor.id if actor else None
    if action == "give":
        give_consent(db, rel, actor_user_id=actor_id)
    else:
        withdraw_consent(db, rel, actor_user_id=actor_id)
    db.commit()
    return redirect(url_for("portal.home"))
