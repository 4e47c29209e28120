"""Procurement's ranking method: the weights in use with their versions (download, upload a
new one), and stored ranking snapshots with the check that they still reproduce."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.db import utcnow
from esgx_platform.errors import EsgxError, FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization
from esgx_platform.scoring.config_schema import load_config_text
from esgx_platform.scoring.report import method_json
from esgx_platform.scoring.services import config_version, current_config, set_config
from esgx_platform.scoring.snapshots import (
    get_snapshot,
    list_snapshots,
    store_snapshot,
    verify_snapshot,
)
from esgx_platform.web import procurement_data as data
from esgx_platform.web.context import db_session, principal
from esgx_platform.web.factory_rollup import default_period, year_options
from esgx_platform.web.procurement_format import helpers
from esgx_platform.web.procurement_views import people_page
from esgx_platform.web.ranking_api import procurement_factory

bp = Blueprint("procurement_method", __name__, url_prefix="/factories/<uuid:org_id>/ranking")
bp.context_processor(helpers)

MAX_CONFIG_BYTES = 256 * 1024
NO_CONFIG_FILE = Text(
    "Choose a JSON configuration file (UTF-8, at most 256 KB).",
    "请选择 JSON 配置文件（UTF-8 编码，不超过 256 KB）。",
)
NO_PERIOD = Text("Choose a period that has reporting periods.", "请选择已有报告期的期间。")


def _method_page(org: Organization, *, errors: Sequence[FieldError] = ()) -> str:
    db = db_session()
    stored = current_config(db, org.id)
    options = year_options(db, utcnow().date())
    return render_template(
        "procurement/method.html",
        org=org,
        stored=stored,
        method=method_json(stored.config, stored.version),
        versions=data.config_entries(db, org.id),
        snapshots=list_snapshots(db, org.id),
        options=options,
        period=default_period(options),
        errors=list(errors),
        band_ids=[b.id for b in stored.config.bands],
    )


@bp.get("/method")
@people_page
def method(org_id: uuid.UUID) -> ResponseReturnValue:
    """The weights, methods, penalties and bands in use, the configuration's versions and
    the form for a new one, and the stored snapshots."""
    return _method_page(procurement_factory(org_id))


@bp.get("/config.json")
@people_page
def config_file(org_id: uuid.UUID) -> ResponseReturnValue:
    """The configuration in use (or `?version=n`) as the JSON file to edit and upload."""
    org = procurement_factory(org_id)
    db = db_session()
    raw = request.args.get("version", "").strip()
    if raw and not raw.isdigit():
        message = Text("A version is a whole number.", "版本须为整数。")
        raise InvalidInput(message, errors=(FieldError("version", message),))
    stored = config_version(db, org.id, int(raw)) if raw else current_config(db, org.id)
    body = json.dumps(stored.body, ensure_ascii=False, indent=2) + "\n"
    response = Response(body.encode("utf-8"), mimetype="application/json")
    name = f"ranking-config-v{stored.version}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/config")
@people_page
def upload_config(org_id: uuid.UUID) -> ResponseReturnValue:
    """Check the uploaded configuration and make it the next version; a configuration that
    fails is refused with every error at its JSON path, and nothing changes."""
    org = procurement_factory(org_id)
    db = db_session()
    upload = request.files.get("config")
    raw = upload.read(MAX_CONFIG_BYTES + 1) if upload else b""
    try:
        if not raw or len(raw) > MAX_CONFIG_BYTES:
            raise UnicodeDecodeError("utf-8", raw, 0, 0, "empty or too large")
        body, _ = load_config_text(raw.decode("utf-8"))
        set_config(db, organization=org, body=body, actor_user_id=principal().user_id)
    except UnicodeDecodeError:
        db.rollback()
        return _method_page(org, errors=(FieldError("config", NO_CONFIG_FILE),)), 422
    except EsgxError as exc:
        db.rollback()
        errors = tuple(exc.errors) or (FieldError("config", exc.detail),)
        return _method_page(org, errors=errors), exc.status
    db.commit()
    return redirect(url_for("procurement_method.method", org_id=org.id) + "#configuration", 303)


@bp.post("/snapshots")
@people_page
def snapshot(org_id: uuid.UUID) -> ResponseReturnValue:
    """Rank the chosen period now and store it, then show its verification."""
    org = procurement_factory(org_id)
    db = db_session()
    period = request.form.get("period", "").strip()
    if not period:
        raise InvalidInput(NO_PERIOD, errors=(FieldError("period", NO_PERIOD),))
    stored = store_snapshot(db, organization=org, period=period, actor_user_id=principal().user_id)
    db.commit()
    target = url_for("procurement_method.snapshot_page", org_id=org.id, snapshot_id=stored.id)
    return redirect(target, 303)


@bp.get("/snapshots/<uuid:snapshot_id>")
@people_page
def snapshot_page(org_id: uuid.UUID, snapshot_id: uuid.UUID) -> ResponseReturnValue:
    """A stored ranking: what it was taken with, whether it still reproduces exactly from
    what it stores, and which suppliers' data has changed since."""
    org = procurement_factory(org_id)
    db = db_session()
    stored = get_snapshot(db, org.id, snapshot_id)
    check = verify_snapshot(db, stored)
    suppliers = stored.result.get("suppliers", [])
    names = {s["relationshipId"]: s["name"] for s in suppliers}
    return render_template(
        "procurement/snapshot.html",
        org=org,
        snapshot=stored,
        check=check,
        suppliers=suppliers,
        changed=[names.get(r, {"en": r, "zh": r}) for r in check.changed_since],
        band_ids=[b["id"] for b in stored.result["config"]["bands"]["bands"]],
    )
