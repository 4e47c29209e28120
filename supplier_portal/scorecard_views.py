"""The supplier's own scorecards: for each lead factory it supplies and each period, how that
customer's procurement scores it. Its own components, penalties, band and trend only: never
its rank, the number of suppliers, group sizes, nor anything of any other supplier."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from esgx_platform.db import utcnow
from esgx_platform.errors import NotFound
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import SupplyRelationship
from esgx_platform.organizations.services import list_relationships
from esgx_platform.scoring.report import method_json, scorecard_json
from esgx_platform.scoring.services import compute_ranking
from esgx_platform.tenancy import SUPPLIER_ROLES
from esgx_platform.web.context import db_session, scope
from esgx_platform.web.factory_rollup import default_period, year_options
from esgx_platform.web.i18n import current_locale
from esgx_platform.web.procurement_format import helpers
from esgx_platform.web.procurement_views import people_page

bp = Blueprint("portal_scorecards", __name__, url_prefix="/portal/orgs/<uuid:org_id>/scorecards")
bp.context_processor(helpers)

NO_CUSTOMER = Text("No such customer.", "没有该客户。")


def _chosen(relationships: list[SupplyRelationship], raw: str | None) -> SupplyRelationship:
    """The relationship with the chosen lead factory (`?factory=`), else the first."""
    if not raw:
        return relationships[0]
    try:
        wanted = uuid.UUID(raw)
    except ValueError:
        raise NotFound(NO_CUSTOMER) from None
    for rel in relationships:
        if rel.lead_factory_id == wanted:
            return rel
    raise NotFound(NO_CUSTOMER)


@bp.get("")
@people_page
def scorecards(org_id: uuid.UUID) -> ResponseReturnValue:
    """The supplier's lead factories, and its own scorecard with the chosen one for the
    chosen period (the same as `GET /api/v1/organizations/<id>/scorecards/<factory>/<p>`)."""
    tenant = scope()
    org = tenant.require(org_id, *SUPPLIER_ROLES)
    db = db_session()
    locale = current_locale()
    relationships = sorted(
        list_relationships(db, supplier_id=org.id),
        key=lambda r: r.lead_factory.display_name(locale),
    )
    options = year_options(db, utcnow().date())
    period = (request.args.get("period") or "").strip() or default_period(options)
    context: dict[str, Any] = {
        "org": org,
        "relationships": relationships,
        "options": options,
        "period": period,
        "chosen": None,
        "card": None,
    }
    if relationships and period is not None:
        rel = _chosen(relationships, request.args.get("factory"))
        live = compute_ranking(db, lead_factory_id=rel.lead_factory_id, period=period)
        mine = [c for c in live.ranking.scorecards if c.supplier.relationship_id == rel.id]
        # Only the supplier's own view leaves this function: no rank, no other supplier.
        context.update(
            chosen=rel,
            currency=live.ranking.inputs.reporting_currency,
            method=method_json(live.ranking.config, live.config.version),
            band_ids=[b.id for b in live.ranking.config.bands],
            card=scorecard_json(mine[0], own_view=True) if mine else None,
        )
    return render_template("portal/scorecards.html", **context)
