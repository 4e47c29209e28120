"""The lead factory's roll-up pages for its carbon analysts: dashboard and drill-down."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from esgx_platform.db import utcnow
from esgx_platform.errors import NotFound
from esgx_platform.ghg import SCOPE3_CATEGORIES
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.rollups.services import compute_rollup
from esgx_platform.rollups.snapshots import rollup_snapshots
from esgx_platform.web import factory_charts as charts
from esgx_platform.web import factory_rollup as data
from esgx_platform.web.context import current_user, scope
from esgx_platform.web.factory_format import helpers
from esgx_platform.web.rollup_api import lead_factory

P = ParamSpec("P")
bp = Blueprint("factory", __name__, url_prefix="/factories/<uuid:org_id>")
bp.context_processor(helpers)


def analyst_page(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Anonymous visitors go to the sign-in page (and come back); everyone else is judged by
    `lead_factory` in the view: its analysts and operators only."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if current_user() is None:
            here = request.full_path if request.query_string else request.path
            if request.method != "GET":
                # Back to the page the form was on: forms post to their page's path, status
                # changes to /actions/<id>/status below it.
                here = request.path
                if here.endswith("/status"):
                    here = here.removesuffix("/status").rsplit("/", 1)[0]
            return redirect(url_for("auth.login_form", next=here), 303)
        return view(*args, **kwargs)

    return wrapped


def _period(options: list[data.YearOption]) -> str | None:
    return request.args.get("period", "").strip() or data.default_period(options)


@bp.get("/rollup")
@analyst_page
def rollup(org_id: uuid.UUID) -> ResponseReturnValue:
    """Scope 3 from the suppliers for a year or quarter: headline figures, charts by quarter,
    categories, responsibility-extension indicators, tier 2 and the status lists."""
    org = lead_factory(org_id)
    tenant = scope()
    options = data.year_options(tenant.session, utcnow().date())
    period = _period(options)
    if period is None:
        return render_template("factory/rollup.html", org=org, options=options, period=None)
    quarters = data.chart_quarters(options, period)
    board = data.dashboard(tenant.session, org.id, period, quarters)
    history = rollup_snapshots(tenant.session, org.id, period)
    return render_template(
        "factory/rollup.html",
        org=org,
        options=options,
        period=period,
        board=board,
        charts={
            "categories": charts.category_chart(board.quarters),
            "methods": charts.method_chart(board.quarters),
            "trend": charts.trend_chart(board.quarters),
            "history": charts.history_chart(history),
        },
        history=history,
    )


@bp.get("/rollup/categories/<int:category>")
@analyst_page
def category(org_id: uuid.UUID, category: int) -> ResponseReturnValue:
    """One Scope 3 category's suppliers in the period, largest emissions first."""
    org = lead_factory(org_id)
    if category not in SCOPE3_CATEGORIES:
        raise NotFound(Text("No such Scope 3 category.", "没有该范围三类别。"))
    tenant = scope()
    options = data.year_options(tenant.session, utcnow().date())
    period = _period(options)
    if period is None:
        return redirect(url_for("factory.rollup", org_id=org.id))
    report = compute_rollup(tenant.session, lead_factory_id=org.id, period=period, compare=False)
    tally = report.rollup.categories.get(category)
    return render_template(
        "factory/category.html",
        org=org,
        period=period,
        category=category,
        summary=tally.summary() if tally else None,
        suppliers=data.category_suppliers(report, category),
        currency=report.settings["reportingCurrency"],
        methods_of=data.methods_of,
        all_on_time=data.all_on_time,
    )


def _relationship(factory: Organization, supplier_id: uuid.UUID) -> SupplyRelationship:
    """The factory's relationship with the supplier; NotFound for anyone else's supplier."""
    rel = scope().session.scalar(
        select(SupplyRelationship).where(
            SupplyRelationship.lead_factory_id == factory.id,
            SupplyRelationship.supplier_id == supplier_id,
        )
    )
    if rel is None:
        raise NotFound(Text("No such supplier of this factory.", "该工厂没有此供应商。"))
    return rel


@bp.get("/rollup/suppliers/<uuid:supplier_id>")
@analyst_page
def supplier(org_id: uuid.UUID, supplier_id: uuid.UUID) -> ResponseReturnValue:
    """A supplier's quarters in the period: method, tCO2e, spend, timeliness and the
    disclosures used. Without consent only its name and the factory's own estimate show."""
    org = lead_factory(org_id)
    rel = _relationship(org, supplier_id)
    tenant = scope()
    options = data.year_options(tenant.session, utcnow().date())
    period = _period(options)
    if period is None:
        return redirect(url_for("factory.rollup", org_id=org.id))
    report = compute_rollup(tenant.session, lead_factory_id=org.id, period=period, compare=False)
    found = data.supplier_period(report, rel.id)
    lines = sorted(found.lines, key=lambda ln: ln.row.quarter) if found else []
    links = data.readable_credentials(tenant, (c for ln in lines for c in ln.content_ids))
    return render_template(
        "factory/supplier.html",
        org=org,
        period=period,
        rel=rel,
        supplier=rel.supplier,
        found=found,
        lines=lines,
        links=links,
        currency=report.settings["reportingCurrency"],
        overdue=data.overdue_in(lines, data.deadline_days_of(report), utcnow()),
    )
