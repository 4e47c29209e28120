"""Procurement's supplier ranking pages: the sortable, filterable table with the score
distribution, exports, a supplier's scorecard explained (with its external ratings) and the
side-by-side comparison. For the factory's procurement and analysts, and operators."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import wraps
from typing import Any, ParamSpec

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.db import utcnow
from esgx_platform.errors import FieldError, InvalidInput, NotFound
from esgx_platform.exports import csv_bytes, xlsx_bytes
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.scoring.engine import Scorecard
from esgx_platform.scoring.metrics import CDP_SCORES, ECOVADIS_MEDALS
from esgx_platform.scoring.report import method_json, scorecard_json
from esgx_platform.scoring.services import (
    LiveRanking,
    compute_ranking,
    rating_history,
    record_rating,
    relationship_with,
)
from esgx_platform.web import procurement_data as data
from esgx_platform.web.context import current_user, db_session, principal
from esgx_platform.web.factory_rollup import YearOption, default_period, year_options
from esgx_platform.web.i18n import current_locale
from esgx_platform.web.procurement_charts import distribution_chart
from esgx_platform.web.procurement_export import export_stamp, method_sheet, ranking_sheet
from esgx_platform.web.procurement_format import helpers
from esgx_platform.web.ranking_api import may_rate, procurement_factory, require_rater

P = ParamSpec("P")
bp = Blueprint("procurement", __name__, url_prefix="/factories/<uuid:org_id>/ranking")
bp.context_processor(helpers)

NOT_RANKED = Text(
    "{name} is not ranked in {p}: no supply relationship was active then.",
    "{name} 在 {p} 期间未参与排名：当时没有有效的供应关系。",
)
# Forms post to a path of their own; after signing in, go back to the page they were on.
_FORM_PAGES = (("/config", "/method"), ("/snapshots", ""))


def people_page(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Anonymous visitors go to the sign-in page and come back here (for a form, to its
    page); who may see what is judged in the view."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if current_user() is None:
            here = request.full_path if request.query_string else request.path
            if request.method != "GET":
                here = request.path
                for suffix, page in _FORM_PAGES:
                    if here.endswith(suffix):
                        here = here.removesuffix(suffix) + page
            return redirect(url_for("auth.login_form", next=here), 303)
        return view(*args, **kwargs)

    return wrapped


def _options() -> list[YearOption]:
    return year_options(db_session(), utcnow().date())


def _period(given: str | None, options: list[YearOption]) -> str | None:
    return (given or "").strip() or default_period(options)


@bp.get("")
@people_page
def ranking(org_id: uuid.UUID) -> ResponseReturnValue:
    """The ranking of a year or quarter: filters, sortable columns, the score distribution
    and band counts, exports, a snapshot, and the choice of suppliers to compare."""
    org = procurement_factory(org_id)
    table = data.parse_table(request.args)
    options = _options()
    period = _period(table.period, options)
    if period is None:
        return render_template("procurement/ranking.html", org=org, period=None, options=options)
    table = replace(table, period=period)
    live = compute_ranking(db_session(), lead_factory_id=org.id, period=period)
    bins = data.distribution(live.ranking)
    return render_template(
        "procurement/ranking.html",
        org=org,
        period=period,
        options=options,
        table=table,
        live=live,
        ranking=live.ranking,
        cards=data.listed(live.ranking, table, current_locale()),
        choices=data.choices(live.ranking),
        bins=bins,
        distribution_svg=distribution_chart(bins, live.ranking.config),
        band_ids=[b.id for b in live.ranking.config.bands],
        previous_period=next((p.period for p in live.ranking.inputs.previous.values()), None),
    )


def _filtered(org: Organization) -> tuple[LiveRanking, list[Scorecard]]:
    table = data.parse_table(request.args)
    period = _period(table.period, _options())
    if period is None:
        raise NotFound(Text("There are no reporting periods yet.", "尚无报告期。"))
    table = replace(table, period=period)
    live = compute_ranking(db_session(), lead_factory_id=org.id, period=period)
    return live, data.listed(live.ranking, table, current_locale())


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/export.<any(csv, xlsx):fmt>")
@people_page
def export(org_id: uuid.UUID, fmt: str) -> ResponseReturnValue:
    """The listed suppliers (the page's filters and order) as CSV, or as XLSX with a second
    sheet stating the weights and methods; text that looks like a formula is escaped."""
    org = procurement_factory(org_id)
    live, cards = _filtered(org)
    period = live.ranking.inputs.period
    sheet = ranking_sheet(live.ranking, cards)
    if fmt == "csv":
        return _download(
            csv_bytes(sheet[1], sheet[2]), "text/csv", f"supplier-ranking-{period}.csv"
        )
    book = xlsx_bytes(
        [sheet, method_sheet(live.ranking, live.config.version)], stamp=export_stamp(live.ranking)
    )
    return _download(book, XLSX, f"supplier-ranking-{period}.xlsx")


@bp.get("/method.csv")
@people_page
def method_csv(org_id: uuid.UUID) -> ResponseReturnValue:
    """The weights and methods of the period's ranking as CSV (the XLSX's second sheet)."""
    org = procurement_factory(org_id)
    live, _ = _filtered(org)
    _, header, rows = method_sheet(live.ranking, live.config.version)
    period = live.ranking.inputs.period
    return _download(csv_bytes(header, rows), "text/csv", f"ranking-method-{period}.csv")


@bp.get("/compare")
@people_page
def compare(org_id: uuid.UUID) -> ResponseReturnValue:
    """2 to 4 suppliers side by side: every metric's value, points and contribution, the
    totals, penalties, bands and trend. Fewer or more are refused with a clear message."""
    org = procurement_factory(org_id)
    options = _options()
    period = _period(request.args.get("period"), options)
    context: dict[str, Any] = {"org": org, "period": period, "options": options}
    try:
        ids = data.compared_ids(request.args.getlist("s"))
    except InvalidInput as exc:
        context["errors"] = {e.path: e for e in exc.errors}
        return render_template("procurement/compare.html", **context), 422
    if period is None:
        raise NotFound(Text("There are no reporting periods yet.", "尚无报告期。"))
    db = db_session()
    relationships = [relationship_with(db, org.id, i) for i in ids]
    live = compute_ranking(db, lead_factory_id=org.id, period=period)
    cards = [_card_of(live, rel) for rel in relationships]
    context.update(
        live=live,
        cards=[scorecard_json(c) for c in cards],
        method=method_json(live.ranking.config, live.config.version),
        band_ids=[b.id for b in live.ranking.config.bands],
        errors={},
    )
    return render_template("procurement/compare.html", **context)


def _card_of(live: LiveRanking, rel: SupplyRelationship) -> Scorecard:
    for card in live.ranking.scorecards:
        if card.supplier.relationship_id == rel.id:
            return card
    period = live.ranking.inputs.period
    raise NotFound(
        Text(
            NOT_RANKED.en.format(name=rel.supplier.name_en, p=period),
            NOT_RANKED.zh.format(name=rel.supplier.name_zh, p=period),
        )
    )


@bp.get("/suppliers/<uuid:supplier_id>")
@people_page
def supplier(org_id: uuid.UUID, supplier_id: uuid.UUID) -> ResponseReturnValue:
    """One supplier's place explained component by component, its penalties, trend and
    external ratings (with the form procurement records them in)."""
    org = procurement_factory(org_id)
    rel = relationship_with(db_session(), org.id, supplier_id)
    return _supplier_page(org, rel, request.args.get("period"))


@bp.post("/suppliers/<uuid:supplier_id>")
@people_page
def rate(org_id: uuid.UUID, supplier_id: uuid.UUID) -> ResponseReturnValue:
    """Record the supplier's CDP score and EcoVadis medal as a new version; errors are shown
    at their fields and nothing is stored."""
    org = procurement_factory(org_id)
    require_rater(org)
    db = db_session()
    rel = relationship_with(db, org.id, supplier_id)
    period = request.form.get("period")
    form, errors = data.parse_rating_form(request.form)
    if errors:
        return _supplier_page(org, rel, period, errors=errors, form=request.form), 422
    record_rating(
        db,
        relationship=rel,
        cdp_score=form.cdp_score,
        ecovadis_medal=form.ecovadis_medal,
        note=form.note,
        actor_user_id=principal().user_id,
    )
    db.commit()
    target = url_for("procurement.supplier", org_id=org.id, supplier_id=supplier_id, period=period)
    return redirect(target + "#ratings", 303)


def _supplier_page(
    org: Organization,
    rel: SupplyRelationship,
    given: str | None,
    *,
    errors: Mapping[str, FieldError] | None = None,
    form: Mapping[str, str] | None = None,
) -> str:
    options = _options()
    period = _period(given, options)
    db = db_session()
    history = data.rating_entries(db, rating_history(db, rel.id))
    context: dict[str, Any] = {
        "org": org,
        "rel": rel,
        "supplier": rel.supplier,
        "period": period,
        "options": options,
        "ratings": history,
        "can_rate": may_rate(org),
        "errors": dict(errors or {}),
        "form": form or _current(history),
        "CDP_SCORES": CDP_SCORES,
        "ECOVADIS_MEDALS": ECOVADIS_MEDALS,
        "card": None,
    }
    if period is not None:
        live = compute_ranking(db, lead_factory_id=org.id, period=period)
        found = [c for c in live.ranking.scorecards if c.supplier.relationship_id == rel.id]
        context.update(
            live=live,
            method=method_json(live.ranking.config, live.config.version),
            band_ids=[b.id for b in live.ranking.config.bands],
            count=len(live.ranking.scorecards),
            card=scorecard_json(found[0]) if found else None,
        )
    return render_template("procurement/supplier.html", **context)


def _current(history: list[data.Entry]) -> dict[str, str]:
    if not history:
        return {}
    rating = history[0].record
    return {"cdp_score": rating.cdp_score or "", "ecovadis_medal": rating.ecovadis_medal or ""}
