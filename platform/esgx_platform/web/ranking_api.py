"""Supplier rankings for procurement (people of the lead factory, OAuth2 clients with
`rankings:read`), and each supplier's own scorecard for that supplier's people."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from esgx_platform.accounts.models import Role
from esgx_platform.db import utcnow
from esgx_platform.errors import Forbidden, NotFound
from esgx_platform.i18n import Text
from esgx_platform.jobs.deadlines import overdue_quarters
from esgx_platform.organizations.models import Organization, OrgKind
from esgx_platform.schemas import load
from esgx_platform.scoring.engine import Scorecard
from esgx_platform.scoring.facts import inputs_from_json
from esgx_platform.scoring.records import RankingSnapshot, SupplierRating
from esgx_platform.scoring.report import method_json, ranking_json, scorecard_json
from esgx_platform.scoring.services import (
    compute_ranking,
    current_config,
    cyclic_gc_paused,
    rating_history,
    record_rating,
    relationship_with,
    set_config,
)
from esgx_platform.scoring.snapshots import (
    get_snapshot,
    list_snapshots,
    store_snapshot,
    verify_snapshot,
)
from esgx_platform.tenancy import SUPPLIER_ROLES
from esgx_platform.web.api_schemas import PeriodPath, listing
from esgx_platform.web.context import auth_required, db_session, json_body, principal, scope
from esgx_platform.web.openapi import ANY_JSON_OBJECT, Reply, operation
from esgx_platform.web.report_schemas import (
    ConfigRef,
    OwnScorecard,
    Ranking,
    RankingConfig,
    RankingSnapshotOut,
    RankingSnapshotSummaryOut,
    Rating,
    SnapshotCheck,
    SnapshotQuery,
)

bp = Blueprint("ranking_api", __name__, url_prefix="/api/v1")
# Machines read with `rankings:read`; writing is for people (no client is ever granted it).
READ, WRITE = "rankings:read", "rankings:write"
NO_FACTORY = Text("No such lead factory.", "没有该龙头工厂。")


ONLY_PROCUREMENT = Text(
    "Only the factory's procurement team records external ratings.",
    "仅工厂的采购团队可以录入外部评级。",
)


def may_rate(org: Organization) -> bool:
    """Procurement records external ratings (and operators); analysts read them."""
    who = principal()
    return who.is_operator or Role.PROCUREMENT in who.roles_in(org.id)


def require_rater(org: Organization) -> None:
    """Forbidden unless the principal may record the factory's external ratings (the page's
    form and the API alike)."""
    if not may_rate(org):
        raise Forbidden(ONLY_PROCUREMENT)


def procurement_factory(org_id: uuid.UUID) -> Organization:
    """The lead factory when the principal is its procurement or analyst (or an operator);
    404 for anyone who cannot see it, 403 for its other people."""
    org = scope().require(org_id, Role.PROCUREMENT, Role.FACTORY_ANALYST)
    if org.kind is not OrgKind.LEAD_FACTORY:
        raise NotFound(NO_FACTORY)
    return org


class RankingQuery(Schema):
    category = fields.Integer(validate=validate.Range(min=1, max=15), load_default=None)
    province = fields.String(validate=validate.Length(max=64), load_default=None)
    band = fields.String(validate=validate.Length(max=32), load_default=None)
    missing = fields.Boolean(load_default=None)
    # Leave out the comparison with the previous period (ranked again for it: half the time).
    trend = fields.Boolean(load_default=True)


def _matches(card: Scorecard, query: dict[str, Any]) -> bool:
    s = card.supplier
    return (
        (query["category"] is None or s.category == query["category"])
        and (query["province"] is None or s.province == query["province"])
        and (query["band"] is None or (card.band is not None and card.band.id == query["band"]))
        and (query["missing"] is None or card.missing_data == query["missing"])
    )


@bp.get("/factories/<uuid:org_id>/rankings/<period>")
@auth_required(READ)
@operation(
    Text("The live supplier ranking of a year or quarter", "某年或某季度的实时供应商排名"),
    description=Text(
        "Every scorecard with its breakdown; the filters narrow the list, never the ranks, "
        "bands or counts.",
        "每张评分卡及其明细；筛选条件只缩小列表，不改变名次、分档或计数。",
    ),
    tags=("rankings",),
    path=PeriodPath,
    query=RankingQuery,
    responses={200: Ranking},
)
def ranking(org_id: uuid.UUID, period: str) -> ResponseReturnValue:
    """The live ranking of a year (`2025`) or quarter (`2025-Q3`) with every scorecard's
    breakdown; `?category=1&province=JS&band=red&missing=true` narrow the list (never the
    ranks, bands or counts, which are the whole ranking's); `?trend=false` skips the
    comparison with the previous period."""
    org = procurement_factory(org_id)
    query = load(RankingQuery(), request.args.to_dict())
    live = compute_ranking(
        db_session(), lead_factory_id=org.id, period=period, trend=query["trend"]
    )
    cards = [c for c in live.ranking.scorecards if _matches(c, query)]
    with cyclic_gc_paused():
        body = ranking_json(live.ranking, version=live.config.version, cards=cards)
    for supplier in body["suppliers"]:
        supplier["overdueQuarters"] = _overdue(supplier, live.ranking.inputs.deadline_days)
    return jsonify(body)


def _overdue(card: dict[str, Any], deadline_days: int) -> list[str]:
    """The scorecard's quarters still unfiled after the deadline: not a scoring input (the
    `notDisclosed` penalty already counts them), a live flag for the reader."""
    statuses = ((q["quarter"], q["status"]) for q in card["quarters"])
    return overdue_quarters(statuses, deadline_days, utcnow())


def snapshot_json(snapshot: RankingSnapshot, *, full: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(snapshot.id),
        "period": snapshot.period,
        "config": {"version": snapshot.config_version, "sha256": snapshot.config_sha256},
        "inputsSha256": snapshot.inputs_sha256,
        "resultSha256": snapshot.result_sha256,
        "supplierCount": snapshot.supplier_count,
        "logSize": snapshot.log_size,
        "createdAt": snapshot.created_at.isoformat(),
        "url": url_for(
            "ranking_api.snapshot", org_id=snapshot.organization_id, snapshot_id=snapshot.id
        ),
    }
    if full:
        body["result"] = snapshot.result
        body["contentIds"] = inputs_from_json(snapshot.inputs).content_ids()
        if request.args.get("inputs", "false").lower() == "true":
            body["inputs"] = snapshot.inputs
    return body


@bp.post("/factories/<uuid:org_id>/rankings/<period>/snapshots")
@auth_required(WRITE)
@operation(
    Text("Rank and store a snapshot", "排名并保存快照"),
    tags=("rankings",),
    path=PeriodPath,
    responses={201: Reply(RankingSnapshotOut, headers={"Location": Text("The snapshot", "快照")})},
    problems=(422,),
)
def take_snapshot(org_id: uuid.UUID, period: str) -> ResponseReturnValue:
    """Rank and store the snapshot (201, with its location)."""
    org = procurement_factory(org_id)
    db = db_session()
    snapshot = store_snapshot(
        db, organization=org, period=period, actor_user_id=principal().user_id
    )
    db.commit()
    response = jsonify(snapshot_json(snapshot, full=True))
    response.status_code = 201
    response.headers["Location"] = url_for(
        "ranking_api.snapshot", org_id=org.id, snapshot_id=snapshot.id
    )
    return response


@bp.get("/factories/<uuid:org_id>/ranking-snapshots")
@auth_required(READ)
@operation(
    Text("The factory's ranking snapshots", "工厂的排名快照"),
    tags=("rankings",),
    responses={200: listing(RankingSnapshotSummaryOut)},
)
def snapshots(org_id: uuid.UUID) -> ResponseReturnValue:
    org = procurement_factory(org_id)
    rows = list_snapshots(db_session(), org.id)
    return jsonify({"data": [snapshot_json(s, full=False) for s in rows]})


@bp.get("/factories/<uuid:org_id>/ranking-snapshots/<uuid:snapshot_id>")
@auth_required(READ)
@operation(
    Text("One ranking snapshot with every scorecard", "单个排名快照（含全部评分卡）"),
    tags=("rankings",),
    query=SnapshotQuery,
    responses={200: RankingSnapshotOut},
)
def snapshot(org_id: uuid.UUID, snapshot_id: uuid.UUID) -> ResponseReturnValue:
    """One snapshot with every scorecard as ranked then (`?inputs=true`: its inputs too)."""
    org = procurement_factory(org_id)
    return jsonify(snapshot_json(get_snapshot(db_session(), org.id, snapshot_id), full=True))


@bp.get("/factories/<uuid:org_id>/ranking-snapshots/<uuid:snapshot_id>/verification")
@auth_required(READ)
@operation(
    Text("Recompute a snapshot and compare", "重新计算快照并比对"),
    tags=("rankings",),
    responses={200: SnapshotCheck},
)
def verification(org_id: uuid.UUID, snapshot_id: uuid.UUID) -> ResponseReturnValue:
    """Recompute the snapshot from its stored inputs and say whether it reproduces, and
    which suppliers' inputs have changed since."""
    org = procurement_factory(org_id)
    db = db_session()
    check = verify_snapshot(db, get_snapshot(db, org.id, snapshot_id))
    return jsonify(check.as_json())


@bp.get("/factories/<uuid:org_id>/ranking-config")
@auth_required(READ)
@operation(
    Text("The ranking configuration in use", "当前使用的排名配置"),
    tags=("rankings",),
    responses={200: RankingConfig},
)
def config(org_id: uuid.UUID) -> ResponseReturnValue:
    """The configuration in use (version 0: the platform default), its body and a summary."""
    org = procurement_factory(org_id)
    stored = current_config(db_session(), org.id)
    return jsonify({"body": stored.body, **method_json(stored.config, stored.version)})


@bp.put("/factories/<uuid:org_id>/ranking-config")
@auth_required(WRITE)
@operation(
    Text("Replace the ranking configuration", "替换排名配置"),
    tags=("rankings",),
    body=ANY_JSON_OBJECT,
    responses={200: ConfigRef},
)
def replace_config(org_id: uuid.UUID) -> ResponseReturnValue:
    """Check a configuration (422 with JSON paths when it fails) and make it the next
    version; snapshots keep the configuration they were taken with."""
    org = procurement_factory(org_id)
    db = db_session()
    stored = set_config(db, organization=org, body=json_body(), actor_user_id=principal().user_id)
    db.commit()
    return jsonify({"version": stored.version, "sha256": stored.sha256})


class RatingsIn(Schema):
    cdp_score = fields.String(data_key="cdpScore", required=True, allow_none=True)
    ecovadis_medal = fields.String(data_key="ecovadisMedal", required=True, allow_none=True)
    note = fields.String(validate=validate.Length(max=2000), load_default=None)


def _rating_json(r: SupplierRating) -> dict[str, Any]:
    return {
        "version": r.version,
        "cdpScore": r.cdp_score,
        "ecovadisMedal": r.ecovadis_medal,
        "note": r.note,
        "recordedAt": r.recorded_at.isoformat(),
        "recordedBy": None if r.recorded_by is None else str(r.recorded_by),
    }


@bp.get("/factories/<uuid:org_id>/suppliers/<uuid:supplier_id>/ratings")
@auth_required(READ)
@operation(
    Text("A supplier's external ratings, newest first", "供应商的外部评级（最新在前）"),
    tags=("rankings",),
    responses={200: listing(Rating)},
)
def ratings(org_id: uuid.UUID, supplier_id: uuid.UUID) -> ResponseReturnValue:
    """The supplier's external ratings, newest first (the first is current)."""
    org = procurement_factory(org_id)
    db = db_session()
    rel = relationship_with(db, org.id, supplier_id)
    return jsonify({"data": [_rating_json(r) for r in rating_history(db, rel.id)]})


@bp.put("/factories/<uuid:org_id>/suppliers/<uuid:supplier_id>/ratings")
@auth_required(WRITE)
@operation(
    Text(
        "Record a supplier's CDP score and EcoVadis medal", "记录供应商的 CDP 评分与 EcoVadis 奖牌"
    ),
    description=Text(
        "For the factory's procurement and operators; its analysts read the ratings only.",
        "仅限工厂的采购人员和平台运营人员；分析师只能查看评级。",
    ),
    tags=("rankings",),
    body=RatingsIn,
    responses={200: Rating},
)
def replace_ratings(org_id: uuid.UUID, supplier_id: uuid.UUID) -> ResponseReturnValue:
    """Record the supplier's CDP score and EcoVadis medal (null: none), as a new version."""
    org = procurement_factory(org_id)
    require_rater(org)
    values = load(RatingsIn(), json_body())
    db = db_session()
    rating = record_rating(
        db,
        relationship=relationship_with(db, org.id, supplier_id),
        actor_user_id=principal().user_id,
        **values,
    )
    db.commit()
    return jsonify(_rating_json(rating))


@bp.get("/organizations/<uuid:supplier_org>/scorecards/<uuid:factory_org>/<period>")
@auth_required(READ)
@operation(
    Text("A supplier's own scorecard with a customer", "供应商在某客户处的自身评分卡"),
    description=Text(
        "Its components, total, penalties, band and trend; never its rank nor another "
        "supplier's figures.",
        "含各项得分、总分、扣分、分档与趋势；不含名次，也不含其他供应商的数据。",
    ),
    tags=("rankings",),
    path=PeriodPath,
    responses={200: OwnScorecard},
)
def own_scorecard(
    supplier_org: uuid.UUID, factory_org: uuid.UUID, period: str
) -> ResponseReturnValue:
    """A supplier's own scorecard with one of its customers: its components, total,
    penalties, band and trend, never its rank nor anything of another supplier's."""
    supplier = scope().require(supplier_org, *SUPPLIER_ROLES)
    db = db_session()
    rel = relationship_with(db, factory_org, supplier.id)
    live = compute_ranking(db, lead_factory_id=rel.lead_factory_id, period=period)
    mine = [c for c in live.ranking.scorecards if c.supplier.relationship_id == rel.id]
    if not mine:
        raise NotFound(Text("Not ranked in {p}.", "{p} 期间未参与排名。").format(p=period))
    card = scorecard_json(mine[0], own_view=True)
    card["overdueQuarters"] = _overdue(card, live.ranking.inputs.deadline_days)
    return jsonify(
        {
            "leadFactoryId": str(rel.lead_factory_id),
            "period": live.ranking.inputs.period,
            "quarters": list(live.ranking.inputs.quarters),
            "config": method_json(live.config.config, live.config.version),
            "scorecard": card,
        }
    )
