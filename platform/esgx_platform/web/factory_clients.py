"""A lead factory's OAuth2 clients (its systems' client credentials for the pull APIs): the
list, creating one with chosen scopes, rotating its secret and revoking it, each confirmed and
the secret shown once.

The factory's administrators manage; its analysts may look; nobody else sees anything (another
factory's clients answer 404, like everything of another tenant). The services audit every
change.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.machine.models import OAuthClient
from esgx_platform.machine.scopes import scope_text
from esgx_platform.machine.services import (
    CLIENT_SCOPES,
    Issued,
    create_oauth_client,
    get_oauth_client,
    list_oauth_clients,
    revoke_oauth_client,
    rotate_oauth_client_secret,
)
from esgx_platform.organizations.models import Organization
from esgx_platform.web.context import db_session, principal
from esgx_platform.web.factory_format import helpers
from esgx_platform.web.factory_integrations import (
    can_manage_integrations,
    integration_factory,
    integration_pages,
    secret_page,
)
from esgx_platform.web.factory_views import analyst_page

bp = Blueprint("factory_clients", __name__, url_prefix="/factories/<uuid:org_id>/clients")
bp.context_processor(helpers)

NOT_CREATED = Text("The client was not created.", "未能创建客户端。")
NAME_NEEDED = Text(
    "Give the client a name of 1 to 100 characters, e.g. the system it is for.",
    "请填写 1 至 100 个字符的客户端名称，例如所用的系统。",
)
SCOPES_NEEDED = Text(
    "Choose at least one of the scopes listed.", "请从所列权限范围中至少选择一项。"
)
ACTIONS = ("rotate", "revoke")


def _client(org: Organization, client_id: str) -> OAuthClient:
    return get_oauth_client(db_session(), organization_id=org.id, client_id=client_id)


@bp.app_context_processor
def _links() -> dict[str, object]:
    # The same people open the factory's integration pages: its webhooks and its clients.
    return {"client_pages": integration_pages, "scope_text": scope_text}


def _list_page(
    org: Organization,
    *,
    errors: dict[str, FieldError] | None = None,
    values: dict[str, object] | None = None,
) -> str:
    return render_template(
        "factory/clients.html",
        org=org,
        clients=list_oauth_clients(db_session(), organization_id=org.id),
        scopes=sorted(CLIENT_SCOPES),
        manage=can_manage_integrations(org),
        errors=errors or {},
        values=values or {"name": "", "scopes": []},
        done=request.args.get("done"),
    )


def _secret_page(org: Organization, issued: Issued[OAuthClient], *, rotated: bool) -> Response:
    return secret_page(
        "factory/client_secret.html",
        200 if rotated else 201,
        org=org,
        client=issued.record,
        secret=issued.secret,
        rotated=rotated,
    )


@bp.get("")
@analyst_page
def clients(org_id: uuid.UUID) -> ResponseReturnValue:
    return _list_page(integration_factory(org_id))


def _form_errors(name: str, scopes: list[str]) -> dict[str, FieldError]:
    errors = {}
    if not 1 <= len(name) <= 100:
        errors["name"] = FieldError("name", NAME_NEEDED)
    if not scopes or not set(scopes) <= CLIENT_SCOPES:
        errors["scopes"] = FieldError("scopes", SCOPES_NEEDED)
    return errors


@bp.post("")
@analyst_page
def create(org_id: uuid.UUID) -> ResponseReturnValue:
    """Create a client with the chosen scopes; problems at their fields, the secret once."""
    org = integration_factory(org_id, manage=True)
    name = request.form.get("name", "").strip()
    scopes = request.form.getlist("scopes")
    errors = _form_errors(name, scopes)
    db = db_session()
    try:
        if errors:
            raise InvalidInput(NOT_CREATED, tuple(errors.values()))
        issued = create_oauth_client(
            db, organization=org, name=name, scopes=scopes, actor_user_id=principal().user_id
        )
    except InvalidInput as exc:
        db.rollback()
        found = {e.path: e for e in exc.errors} or {"form": FieldError("form", exc.detail)}
        return _list_page(org, errors=found, values={"name": name, "scopes": scopes}), 422
    db.commit()
    return _secret_page(org, issued, rotated=False)


@bp.get("/<client_id>/<any(rotate,revoke):action>")
@analyst_page
def confirm(org_id: uuid.UUID, client_id: str, action: str) -> ResponseReturnValue:
    """Ask before rotating or revoking: both stop the system's current secret at once."""
    org = integration_factory(org_id, manage=True)
    return render_template(
        "factory/client_confirm.html", org=org, client=_client(org, client_id), action=action
    )


@bp.post("/<client_id>/rotate")
@analyst_page
def rotate(org_id: uuid.UUID, client_id: str) -> ResponseReturnValue:
    org = integration_factory(org_id, manage=True)
    db = db_session()
    issued = rotate_oauth_client_secret(
        db, _client(org, client_id), actor_user_id=principal().user_id
    )
    db.commit()
    return _secret_page(org, issued, rotated=True)


@bp.post("/<client_id>/revoke")
@analyst_page
def revoke(org_id: uuid.UUID, client_id: str) -> ResponseReturnValue:
    org = integration_factory(org_id, manage=True)
    db = db_session()
    found = _client(org, client_id)
    revoke_oauth_client(db, found, actor_user_id=principal().user_id)
    db.commit()
    target = url_for("factory_clients.clients", org_id=org.id, done=found.client_id)
    return redirect(f"{target}#client-{found.client_id}", 303)
