"""HTML pages for lead factories, procurement and operators."""

from __future__ import annotations

import uuid

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.accounts.models import Role
from esgx_platform.organizations.models import OrgKind
from esgx_platform.organizations.queries import supplier_overview
from esgx_platform.organizations.services import list_relationships
from esgx_platform.tenancy import FACTORY_ROLES, SUPPLIER_ROLES, Purpose
from esgx_platform.web.context import current_user, principal, scope

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    """Send each person where their work is: suppliers to the portal, others to the dashboard."""
    if current_user() is None:
        return redirect(url_for("auth.login_form"))
    who = principal()
    if who.org_ids(*SUPPLIER_ROLES) and not who.org_ids(*FACTORY_ROLES) and not who.is_operator:
        return redirect(url_for("portal.home"))
    tenant = scope()
    orgs = [tenant.organization(org_id) for org_id in who.org_ids()]
    # Lead factories whose roll-up, assessments and actions this person may open.
    analyst_of = {
        org.id
        for org in orgs
        if org.kind is OrgKind.LEAD_FACTORY
        and (who.is_operator or Role.FACTORY_ANALYST in who.roles_in(org.id))
    }
    # Lead factories whose supplier ranking this person may open (procurement and analysts).
    ranking_of = {
        org.id
        for org in orgs
        if org.kind is OrgKind.LEAD_FACTORY
        and (who.is_operator or who.roles_in(org.id) & FACTORY_ROLES)
    }
    return render_template(
        "dashboard.html",
        orgs=orgs,
        analyst_of=analyst_of,
        ranking_of=ranking_of,
        is_operator=who.is_operator,
    )


@bp.get("/orgs/<uuid:org_id>")
def organization(org_id: uuid.UUID) -> ResponseReturnValue:
    if current_user() is None:
        return redirect(
            url_for("auth.login_form", next=url_for("pages.organization", org_id=org_id))
        )
    tenant = scope()
    org = tenant.organization(org_id, Purpose.PROFILE)
    suppliers = []
    customers = []
    is_member = bool(principal().roles_in(org.id)) or principal().is_operator
    if org.kind is OrgKind.LEAD_FACTORY and is_member:
        suppliers = supplier_overview(tenant.session, org.id)
    elif org.kind is OrgKind.SUPPLIER and is_member:
        customers = list_relationships(tenant.session, supplier_id=org.id)
    factory_pages = org.kind is OrgKind.LEAD_FACTORY and (
        principal().is_operator or Role.FACTORY_ANALYST in principal().roles_in(org.id)
    )
    ranking_pages = org.kind is OrgKind.LEAD_FACTORY and bool(
        principal().is_operator or principal().roles_in(org.id) & FACTORY_ROLES
    )
    return render_template(
        "organization.html",
        org=org,
        suppliers=suppliers,
        customers=customers,
        factory_pages=factory_pages,
        ranking_pages=ranking_pages,
    )
