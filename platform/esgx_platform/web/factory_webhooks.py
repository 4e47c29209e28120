"""A lead factory's webhook pages: endpoints, registering (the secret shown once), rotating,
disabling and deleting, each endpoint's delivery log, and the dead letters with "redeliver".

The factory's administrators manage; its analysts may look; nobody else sees anything (another
factory's endpoints and deliveries answer 404, like everything of another tenant).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.machine.services import Issued
from esgx_platform.organizations.models import Organization
from esgx_platform.schemas import load
from esgx_platform.web.context import db_session, local_path, principal
from esgx_platform.web.factory_format import helpers
from esgx_platform.web.factory_integrations import (
    can_manage_integrations,
    integration_factory,
    integration_pages,
    secret_page,
)
from esgx_platform.web.factory_views import analyst_page
from esgx_platform.web.webhooks_api import base_url, box
from esgx_platform.webhooks.deliveries import (
    STATES,
    dead_letters,
    delivery_log,
    get_delivery,
    redeliver,
)
from esgx_platform.webhooks.endpoints import (
    delete_endpoint,
    get_endpoint,
    list_endpoints,
    register_endpoint,
    rotate_secret,
    set_enabled,
)
from esgx_platform.webhooks.events import EVENT_TYPES, cloud_event
from esgx_platform.webhooks.models import WebhookEndpoint
from esgx_platform.webhooks.schemas import EndpointIn

bp = Blueprint("factory_webhooks", __name__, url_prefix="/factories/<uuid:org_id>/webhooks")
bp.context_processor(helpers)


def _endpoint(org: Organization, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    return get_endpoint(db_session(), organization_id=org.id, endpoint_id=endpoint_id)


@bp.app_context_processor
def _links() -> dict[str, object]:
    return {"webhook_pages": integration_pages}


def _list_page(
    org: Organization, *, errors: dict[str, FieldError] | None = None, values: Any = None
) -> str:
    return render_template(
        "factory/webhooks.html",
        org=org,
        endpoints=list_endpoints(db_session(), org.id),
        event_types=EVENT_TYPES,
        manage=can_manage_integrations(org),
        errors=errors or {},
        values=values or {"url": "", "description": "", "eventTypes": []},
    )


def _secret_page(org: Organization, issued: Issued[WebhookEndpoint], *, rotated: bool) -> Response:
    return secret_page(
        "factory/webhook_secret.html",
        200 if rotated else 201,
        org=org,
        endpoint=issued.record,
        secret=issued.secret,
        rotated=rotated,
    )


@bp.get("")
@analyst_page
def endpoints(org_id: uuid.UUID) -> ResponseReturnValue:
    return _list_page(integration_factory(org_id))


@bp.post("")
@analyst_page
def register(org_id: uuid.UUID) -> ResponseReturnValue:
    """Register an endpoint; every problem is shown at its field, the secret once."""
    org = integration_factory(org_id, manage=True)
    values = {
        "url": request.form.get("url", "").strip(),
        "description": request.form.get("description", "").strip() or None,
        "eventTypes": request.form.getlist("eventTypes"),
    }
    db = db_session()
    try:
        loaded = load(EndpointIn(), values)
        issued = register_endpoint(
            db, organization=org, values=loaded, box=box(), actor_user_id=principal().user_id
        )
    except InvalidInput as exc:
        errors = {_field(e.path): e for e in exc.errors}
        if not errors:  # not about a field (e.g. not a lead factory): at the top of the form
            errors["form"] = FieldError("form", exc.detail)
        return _list_page(org, errors=errors, values=values), 422
    db.commit()
    return _secret_page(org, issued, rotated=False)


def _field(path: str) -> str:
    """`$.eventTypes[1]` → `eventTypes`: the form field an error belongs to."""
    return path.removeprefix("$.").split("[", 1)[0]


@bp.get("/<uuid:endpoint_id>")
@analyst_page
def endpoint(org_id: uuid.UUID, endpoint_id: uuid.UUID) -> ResponseReturnValue:
    """One endpoint, what may be done with it, and its latest deliveries with every attempt."""
    org = integration_factory(org_id)
    found = _endpoint(org, endpoint_id)
    state = request.args.get("state")
    return render_template(
        "factory/webhook.html",
        org=org,
        endpoint=found,
        deliveries=delivery_log(
            db_session(), found.id, state=state if state in STATES else None, limit=100
        ),
        state=state,
        manage=can_manage_integrations(org),
        body=lambda event: json.dumps(cloud_event(event, base_url()), ensure_ascii=False, indent=2),
        done=request.args.get("done"),
    )


@bp.post("/<uuid:endpoint_id>/rotate")
@analyst_page
def rotate(org_id: uuid.UUID, endpoint_id: uuid.UUID) -> ResponseReturnValue:
    org = integration_factory(org_id, manage=True)
    db = db_session()
    issued = rotate_secret(
        db, _endpoint(org, endpoint_id), box=box(), actor_user_id=principal().user_id
    )
    db.commit()
    return _secret_page(org, issued, rotated=True)


@bp.post("/<uuid:endpoint_id>/<any(enable,disable,delete):change>")
@analyst_page
def change(org_id: uuid.UUID, endpoint_id: uuid.UUID, change: str) -> ResponseReturnValue:
    """Enable, disable or delete the endpoint, then back to its page."""
    org = integration_factory(org_id, manage=True)
    db = db_session()
    found = _endpoint(org, endpoint_id)
    actor = principal().user_id
    if change == "delete":
        delete_endpoint(db, found, actor_user_id=actor)
    else:
        set_enabled(db, found, change == "enable", actor_user_id=actor)
    db.commit()
    target = url_for("factory_webhooks.endpoint", org_id=org.id, endpoint_id=found.id, done=change)
    return redirect(target, 303)


@bp.get("/dead-letters")
@analyst_page
def dead(org_id: uuid.UUID) -> ResponseReturnValue:
    """Deliveries that failed for 72 hours, with "redeliver" for those who manage."""
    org = integration_factory(org_id)
    return render_template(
        "factory/webhook_dead_letters.html",
        org=org,
        deliveries=dead_letters(db_session(), org.id),
        manage=can_manage_integrations(org),
        redelivered=request.args.get("redelivered"),
    )


@bp.post("/deliveries/<uuid:delivery_id>/redeliver")
@analyst_page
def redeliver_one(org_id: uuid.UUID, delivery_id: uuid.UUID) -> ResponseReturnValue:
    """Schedule a fresh delivery of the same event now (audited), then back where it came
    from (the dead letters, or the endpoint's page)."""
    org = integration_factory(org_id, manage=True)
    db = db_session()
    view = get_delivery(db, organization_id=org.id, delivery_id=delivery_id)
    fresh = redeliver(db, view, actor_user_id=principal().user_id, via=None)
    db.commit()
    back = local_path(request.form.get("next"), url_for("factory_webhooks.dead", org_id=org.id))
    separator = "&" if "?" in back else "?"
    return redirect(f"{back}{separator}redelivered={fresh.id}", 303)
