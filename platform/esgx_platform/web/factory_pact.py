"""A lead factory's PACT page: the host's addresses for its PACT client, the credentials the
host uses to answer its footprint requests at the factory's own endpoint, and those requests
with how each was answered. Administrators change credentials; analysts look."""

from __future__ import annotations

import uuid
from typing import cast

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.config import Settings
from esgx_platform.errors import EsgxError, FieldError
from esgx_platform.organizations.models import Organization
from esgx_platform.pact.services import (
    callback_credentials,
    recent_requests,
    remove_callback_credential,
    set_callback_credential,
)
from esgx_platform.secretbox import SecretBox
from esgx_platform.web.context import db_session, principal
from esgx_platform.web.factory_format import helpers
from esgx_platform.web.factory_integrations import can_manage_integrations, integration_factory
from esgx_platform.web.factory_views import analyst_page

bp = Blueprint("factory_pact", __name__, url_prefix="/factories/<uuid:org_id>/pact")
bp.context_processor(helpers)


def _settings() -> Settings:
    return cast(Settings, current_app.extensions["esgx_settings"])


def _page(
    org: Organization,
    *,
    errors: dict[str, FieldError] | None = None,
    values: dict[str, str] | None = None,
) -> str:
    db = db_session()
    return render_template(
        "factory/pact.html",
        org=org,
        host=_settings().base_url.rstrip("/"),
        credentials=callback_credentials(db, org.id),
        requests=recent_requests(db, org.id),
        manage=can_manage_integrations(org),
        errors=errors or {},
        values=values or {"base_url": "", "client_id": ""},
        done=request.args.get("done"),
    )


@bp.get("")
@analyst_page
def pact(org_id: uuid.UUID) -> ResponseReturnValue:
    return _page(integration_factory(org_id))


@bp.post("/credentials")
@analyst_page
def set_credentials(org_id: uuid.UUID) -> ResponseReturnValue:
    """Register or replace the credentials for one source; errors at their fields."""
    org = integration_factory(org_id, manage=True)
    values = {k: request.form.get(k, "").strip() for k in ("base_url", "client_id")}
    db = db_session()
    try:
        set_callback_credential(
            db,
            organization=org,
            base_url=values["base_url"],
            client_id=values["client_id"],
            secret=request.form.get("secret", ""),
            box=SecretBox(_settings().encryption_keys),
            actor_user_id=principal().user_id,
        )
    except EsgxError as exc:
        db.rollback()
        found = {e.path: e for e in exc.errors} or {"form": FieldError("form", exc.detail)}
        return _page(org, errors=found, values=values), 422
    db.commit()
    return redirect(url_for("factory_pact.pact", org_id=org.id, done="saved"), 303)


@bp.post("/credentials/remove")
@analyst_page
def remove_credentials(org_id: uuid.UUID) -> ResponseReturnValue:
    org = integration_factory(org_id, manage=True)
    db = db_session()
    remove_callback_credential(
        db,
        organization=org,
        base_url=request.form.get("base_url", ""),
        actor_user_id=principal().user_id,
    )
    db.commit()
    return redirect(url_for("factory_pact.pact", org_id=org.id, done="removed"), 303)
