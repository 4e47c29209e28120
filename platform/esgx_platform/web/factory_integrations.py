"""What a lead factory's integration pages share (API clients, webhooks, PACT requests): who
may open them and who may change them, and the page that shows a new secret once."""

from __future__ import annotations

import uuid

from flask import Response, render_template

from esgx_platform.errors import NotFound
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization, OrgKind
from esgx_platform.tenancy import INTEGRATION_ADMIN_ROLES as MANAGER_ROLES
from esgx_platform.tenancy import INTEGRATION_VIEWER_ROLES as VIEWER_ROLES
from esgx_platform.web.context import current_user, principal, scope

NOT_A_FACTORY = Text("No such lead factory.", "没有该龙头工厂。")


def integration_factory(org_id: uuid.UUID, *, manage: bool = False) -> Organization:
    """The lead factory when the person may look at (or, with `manage`, change) its
    integrations; NotFound for another tenant's, Forbidden for a role that may not."""
    org = scope().require(org_id, *(MANAGER_ROLES if manage else VIEWER_ROLES))
    if org.kind is not OrgKind.LEAD_FACTORY:
        raise NotFound(NOT_A_FACTORY)
    return org


def can_manage_integrations(org: Organization) -> bool:
    who = principal()
    return who.is_operator or bool(who.roles_in(org.id) & MANAGER_ROLES)


def integration_pages(org: Organization) -> bool:
    """Whether the signed-in person may open the factory's integration pages (for links)."""
    if current_user() is None or org.kind is not OrgKind.LEAD_FACTORY:
        return False
    who = principal()
    return who.is_operator or bool(who.roles_in(org.id) & VIEWER_ROLES)


def secret_page(template: str, status: int, **context: object) -> Response:
    """A page showing a secret this once; never cached."""
    response = Response(render_template(template, **context), status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
