"""The step-by-step quarterly disclosure form: drafts saved and checked on the server."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.db import utcnow
from esgx_platform.disclosures.gwp import GWP100
from esgx_platform.disclosures.model import GwpSet
from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.intake.credentials import stored_subject
from esgx_platform.intake.drafts import check_subject, current_filing, load_draft, save_draft
from esgx_platform.organizations.models import Organization
from esgx_platform.organizations.services import list_relationships
from esgx_platform.periods.quarters import Quarter, last_closed_quarters
from esgx_platform.tenancy import SUPPLIER_ROLES
from esgx_platform.web.context import db_session, principal, roles_required, scope
from supplier_portal.footprint_links import footprint_choices
from supplier_portal.form import (
    FormSubject,
    fields_from_post,
    form_from_subject,
    subject_from_form,
    text_list,
)
from supplier_portal.form_rows import ROWS, RowContext, add_row, row_count, with_presets
from supplier_portal.spreadsheet import read_upload, template_rows, to_csv, to_xlsx

bp = Blueprint("portal_form", __name__, url_prefix="/portal", template_folder="templates")
SCOPE3_METHODS = ("supplierSpecific", "hybrid", "averageData", "spendBased")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _quarter(raw: str | None, today: date) -> Quarter:
    try:
        return Quarter.parse(raw or "")
    except ValueError:
        return last_closed_quarters(today, 1)[0]


def _row_context(org: Organization, quarter: Quarter) -> RowContext:
    return RowContext(org.name_en or org.name_zh, org.urn, quarter, utcnow())


def _draft_values(org: Organization, quarter: Quarter) -> dict[str, str]:
    """The saved draft, or a new one; with the presets of every row the form shows."""
    draft = load_draft(db_session(), org.id, quarter.key)
    values = dict(draft.fields) if draft else _defaults(org.id, quarter)
    return with_presets(values, _row_context(org, quarter))


def _defaults(org_id: uuid.UUID, quarter: Quarter) -> dict[str, str]:
    """A new draft: the quarter, common choices, and a row for every customer."""
    values = {
        "period": quarter.key,
        "boundary": "operationalControl",
        "gwpSet": "AR6",
        "activity.revenue.currency": "CNY",
        "activity.output.unit": "piece",
    }
    relationships = list_relationships(db_session(), supplier_id=org_id)
    for index, rel in enumerate(relationships):
        values[f"allocations[{index}].customer"] = rel.lead_factory.urn
        values[f"allocations[{index}].customerScope3Category"] = str(min(rel.scope3_category, 8))
        values[f"allocations[{index}].basis"] = "economic"
    return values


def _by_field(errors: tuple[FieldError, ...], mapped: FormSubject) -> dict[str, list[FieldError]]:
    out: dict[str, list[FieldError]] = {}
    for error in errors:
        out.setdefault(mapped.field_for(error.path), []).append(error)
    return out


@dataclass
class _Checked:
    """What the page says about the draft: saved, checked ready, or checked with errors."""

    state: str = "draft"
    errors: dict[str, list[FieldError]] = field(default_factory=dict)
    warnings: dict[str, list[FieldError]] = field(default_factory=dict)


def _check(org: Organization, values: dict[str, str]) -> _Checked:
    """Run the API's schema and rules over the subject the values describe."""
    mapped = subject_from_form(values)
    checked = check_subject(db_session(), org, mapped.subject)
    errors = _by_field(checked.errors, mapped)
    for problem in mapped.problems:  # found by the form itself, already at form fields
        errors.setdefault(problem.path, []).insert(0, problem)
    warnings = _by_field(checked.warnings, mapped)
    return _Checked("errors" if errors else "ready", errors, warnings)


@bp.route("/orgs/<uuid:org_id>/form", methods=["GET", "POST"])
@roles_required(*SUPPLIER_ROLES)
def disclosure_form(org_id: uuid.UUID) -> ResponseReturnValue:
    """GET shows the draft (or a new one); POST saves it, and with action=check also runs the
    schema and rules of the API and lists every problem at its field; with action=add:<rows>
    it saves the draft with one more row of a repeatable list and shows that row."""
    org = scope().require(org_id, *SUPPLIER_ROLES)
    db = db_session()
    quarter = _quarter(request.values.get("period"), utcnow().date())
    if request.method == "POST":
        return _save(org, quarter, request.form.get("action", "save"))
    values, checked = _draft_values(org, quarter), _Checked()
    if request.args.get("uploaded") and load_draft(db, org.id, quarter.key) is not None:
        checked = _check(org, values)  # the draft an upload just filled
    return _render(org, quarter, values, checked)


def _save(org: Organization, quarter: Quarter, action: str) -> ResponseReturnValue:
    posted = fields_from_post(request.form.items(multi=True))
    values = {k: v for k, v in posted.items() if k not in ("csrf_token", "action")}
    values["period"] = quarter.key
    rows = action.removeprefix("add:") if action.startswith("add:") else ""
    if rows in ROWS:
        values, first = add_row(values, rows, _row_context(org, quarter))
    db = db_session()
    save_draft(db, org, quarter.key, values, user_id=principal().user_id)
    db.commit()
    if rows in ROWS:  # on to the new row (its first field), the draft kept as typed
        target = url_for(".disclosure_form", org_id=org.id, period=quarter.key, _anchor=first)
        return redirect(target, 303)
    checked = _check(org, values) if action == "check" else _Checked("saved")
    return _render(org, quarter, with_presets(values, _row_context(org, quarter)), checked)


def _render(
    org: Organization, quarter: Quarter, values: dict[str, str], checked: _Checked
) -> ResponseReturnValue:
    db = db_session()
    previous = current_filing(db, org.id, quarter.previous().key)
    previous_subject = stored_subject(previous.jws) if previous else {}
    return render_template(
        "portal/form.html",
        org=org,
        quarter=quarter,
        values=values,
        errors=checked.errors,
        warnings=checked.warnings,
        state=checked.state,
        previous=previous,
        previous_subject=previous_subject,
        previous_fields=form_from_subject(previous_subject),
        customer_rows=max(3, len(list_relationships(db, supplier_id=org.id))),
        rows={name: row_count(values, name) for name in ROWS},
        footprints=footprint_choices(db, org.id, values),
        text_list=text_list,
        gwp={s.value: table for s, table in GWP100.items()}.get(
            values.get("gwpSet", ""), GWP100[GwpSet.AR6]
        ),
        methods=SCOPE3_METHODS,
        quarters=last_closed_quarters(utcnow().date(), 8)[::-1],
        sign_url=url_for("portal.sign", org_id=org.id, period=quarter.key),
    ), (422 if checked.state == "errors" else 200)


def draft_subject_json(org_id: uuid.UUID, period_key: str) -> str:
    """The draft as the credential subject's JSON (for the signing page), or ""."""
    draft = load_draft(db_session(), org_id, period_key)
    if draft is None:
        return ""
    return json.dumps(subject_from_form(draft.fields).subject, ensure_ascii=False, indent=2)


@bp.get("/orgs/<uuid:org_id>/form/template.<any(xlsx,csv):kind>")
@roles_required(*SUPPLIER_ROLES)
def spreadsheet_template(org_id: uuid.UUID, kind: str) -> ResponseReturnValue:
    """The disclosure as a sheet to fill in offline: one row per field, the draft's values."""
    org = scope().require(org_id, *SUPPLIER_ROLES)
    quarter = _quarter(request.args.get("period"), utcnow().date())
    values = _draft_values(org, quarter)
    customers = len(list_relationships(db_session(), supplier_id=org.id))
    rows = template_rows(values, customers)
    body, mimetype = (
        (to_xlsx(rows), XLSX) if kind == "xlsx" else (to_csv(rows), "text/csv; charset=utf-8")
    )
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="esgx-disclosure-{quarter.key}.{kind}"'
    )
    return response


@bp.post("/orgs/<uuid:org_id>/form/upload")
@roles_required(*SUPPLIER_ROLES)
def spreadsheet_upload(org_id: uuid.UUID) -> ResponseReturnValue:
    """Fill the draft from an uploaded sheet, then show the form checked."""
    org = scope().require(org_id, *SUPPLIER_ROLES)
    quarter = _quarter(request.form.get("period"), utcnow().date())
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput(
            Text("Choose the filled-in template.", "请选择已填写的模板文件。"),
            errors=(FieldError("file", Text("Required.", "必填。")),),
        )
    db = db_session()
    values = {**_draft_values(org, quarter), **read_upload(upload.filename, upload.read())}
    values["period"] = quarter.key
    save_draft(db, org, quarter.key, values, user_id=principal().user_id)
    db.commit()
    return redirect(
        url_for("portal_form.disclosure_form", org_id=org.id, period=quarter.key, uploaded=1)
    )
