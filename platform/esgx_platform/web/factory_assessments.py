"""The lead factory's assessments: the list, running one, a snapshot and its printable report."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.assessment.loading import parse_json
from esgx_platform.assessment.services import (
    factory_model,
    get_snapshot,
    list_actions,
    list_snapshots,
    run_assessment,
    snapshot_findings,
    upload_model,
)
from esgx_platform.db import utcnow
from esgx_platform.errors import EsgxError, FieldError
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization
from esgx_platform.web import factory_assessment_data as data
from esgx_platform.web.context import db_session, principal, scope
from esgx_platform.web.factory_charts import module_chart, pathway_chart
from esgx_platform.web.factory_format import helpers
from esgx_platform.web.factory_rollup import default_period, year_options
from esgx_platform.web.factory_views import analyst_page
from esgx_platform.web.intake_api import log_signer
from esgx_platform.web.rollup_api import lead_factory

bp = Blueprint("factory_assessments", __name__, url_prefix="/factories/<uuid:org_id>/assessments")
bp.context_processor(helpers)

NO_YEAR = Text("Choose a year that has reporting periods.", "请选择有报告期的年份。")
NO_MODEL_FILE = Text(
    "Choose a JSON model file (UTF-8, at most 256 KB).",
    "请选择 JSON 模型文件（UTF-8 编码，不超过 256 KB）。",
)
MAX_MODEL_BYTES = 256 * 1024


def _list_page(
    org: Organization, *, errors: tuple[FieldError, ...] = (), year: str | None = None
) -> str:
    session = db_session()
    options = year_options(session, utcnow().date())
    return render_template(
        "factory/assessments.html",
        org=org,
        snapshots=list_snapshots(session, org.id),
        years=[o.year for o in options],
        chosen=year or default_period(options),
        errors={e.path: e for e in errors},
        model=factory_model(session, org.id),
    )


@bp.get("")
@analyst_page
def assessments(org_id: uuid.UUID) -> ResponseReturnValue:
    """Every stored assessment, newest first, and the form that runs a new one."""
    return _list_page(lead_factory(org_id))


@bp.post("")
@analyst_page
def run(org_id: uuid.UUID) -> ResponseReturnValue:
    """Assess the factory for the chosen year and keep the snapshot (one per request)."""
    org = lead_factory(org_id)
    db = db_session()
    raw = request.form.get("year", "").strip()
    years = {o.year for o in year_options(db, utcnow().date())}
    if not raw.isdigit() or int(raw) not in years:
        return _list_page(org, errors=(FieldError("year", NO_YEAR),), year=raw), 422
    try:
        snapshot = run_assessment(
            db,
            organization=org,
            year=int(raw),
            actor_user_id=principal().user_id,
            signer=log_signer(),
        )
    except EsgxError as exc:
        db.rollback()
        errors = tuple(exc.errors) or (FieldError("year", exc.detail),)
        return _list_page(org, errors=errors, year=raw), exc.status
    db.commit()
    return redirect(
        url_for("factory_assessments.snapshot", org_id=org.id, snapshot_id=snapshot.id), 303
    )


def _snapshot_context(org: Organization, snapshot_id: uuid.UUID) -> dict[str, Any]:
    session = scope().session
    snapshot = get_snapshot(session, org.id, snapshot_id)
    result = snapshot.result
    findings = snapshot_findings(session, snapshot.id)
    path = data.own_pathway(session, org.id, result)
    return {
        "org": org,
        "snapshot": snapshot,
        "result": result,
        "assessment": result["assessment"],
        "neutrality": result.get("neutrality"),
        "findings": findings,
        "path": path,
        "input_count": data.input_count(snapshot),
        "metric_value": data.metric_value,
        "metric_of": {
            i["id"]: i["metric"] for m in result["assessment"]["modules"] for i in m["indicators"]
        },
        "module_chart": module_chart(result["assessment"]["modules"]),
        "pathway_chart": pathway_chart(
            [r.year for r in path.rows],
            [r.path_tco2e for r in path.rows],
            [r.actual_tco2e for r in path.rows],
            [path.target_tco2e if r.year == path.target_year else None for r in path.rows],
        )
        if path
        else None,
    }


@bp.get("/<uuid:snapshot_id>")
@analyst_page
def snapshot(org_id: uuid.UUID, snapshot_id: uuid.UUID) -> ResponseReturnValue:
    """One stored assessment: grade, scores, gates with reasons, neutrality, pathway,
    findings with the form to commit to an action for each."""
    org = lead_factory(org_id)
    context = _snapshot_context(org, snapshot_id)
    session = scope().session
    context["actions"] = data.actions_by_finding(context["findings"], list_actions(session, org.id))
    context["due_default"] = (utcnow().date() + timedelta(days=90)).isoformat()
    return render_template("factory/snapshot.html", **context)


@bp.get("/<uuid:snapshot_id>/report")
@analyst_page
def report(org_id: uuid.UUID, snapshot_id: uuid.UUID) -> ResponseReturnValue:
    """The snapshot as a printable A4 report (print it to PDF from the browser)."""
    org = lead_factory(org_id)
    return render_template("factory/report.html", **_snapshot_context(org, snapshot_id))


@bp.post("/model")
@analyst_page
def model(org_id: uuid.UUID) -> ResponseReturnValue:
    """Use the uploaded indicator model for the factory's assessments from now on; a model
    that fails the schema is refused with each error at its JSON path, and nothing changes."""
    org = lead_factory(org_id)
    db = db_session()
    upload = request.files.get("model")
    raw = upload.read(MAX_MODEL_BYTES + 1) if upload else b""
    try:
        if not raw or len(raw) > MAX_MODEL_BYTES:
            raise UnicodeDecodeError("utf-8", raw, 0, 0, "empty or too large")
        body = parse_json(raw.decode("utf-8"))
        upload_model(db, organization=org, body=body, actor_user_id=principal().user_id)
    except UnicodeDecodeError:
        db.rollback()
        return _list_page(org, errors=(FieldError("model", NO_MODEL_FILE),)), 422
    except EsgxError as exc:
        db.rollback()
        errors = tuple(exc.errors) or (FieldError("model", exc.detail),)
        return _list_page(org, errors=errors), exc.status
    db.commit()
    return redirect(url_for("factory_assessments.assessments", org_id=org.id), 303)
