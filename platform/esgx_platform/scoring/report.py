"""Rankings and scorecards as JSON: decimals as strings, every component explained in both
languages. A supplier's own view leaves out everything that reflects other suppliers."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from esgx_platform.i18n import Text
from esgx_platform.scoring.config import Band, MetricRule, ScoringConfig
from esgx_platform.scoring.engine import Component, Penalty, Ranking, Scorecard
from esgx_platform.scoring.metrics import METRICS


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def text_json(text: Text | None) -> dict[str, str] | None:
    return None if text is None else {"en": text.en, "zh": text.zh}


def _band(band: Band | None) -> dict[str, Any] | None:
    return None if band is None else {"id": band.id, "name": text_json(band.name)}


def rule_json(rule: MetricRule) -> dict[str, Any]:
    metric = METRICS[rule.metric]
    return {
        "metric": rule.metric,
        "name": text_json(metric.name),
        "unit": metric.unit,
        "direction": metric.direction.value,
        "weight": str(rule.weight),
        "method": rule.method.value,
        "worst": _s(rule.worst),
        "best": _s(rule.best),
        "why": text_json(rule.why),
    }


def method_json(config: ScoringConfig, version: int) -> dict[str, Any]:
    """The weights, methods, penalties and bands a ranking used (what an export states)."""
    return {
        "version": version,
        "sha256": config.sha256,
        "name": text_json(config.name),
        "notes": text_json(config.notes),
        "metrics": [rule_json(r) for r in config.rules],
        "penalties": {k.value: str(v) for k, v in config.penalties.items()},
        "bands": {
            "method": config.band_method.value,
            "bands": [
                {**(_band(b) or {}), "share": _s(b.share), "minScore": _s(b.min_score)}
                for b in config.bands
            ],
        },
    }


def component_json(c: Component, *, own_view: bool = False) -> dict[str, Any]:
    metric = METRICS[c.rule.metric]
    body: dict[str, Any] = {
        "metric": metric.id,
        "name": text_json(metric.name),
        "unit": metric.unit,
        "value": _s(c.value.value),
        "label": c.value.label,
        "detail": text_json(c.value.detail),
        "method": c.rule.method.value,
        "score": str(c.scored.points),
        "weight": str(c.rule.weight),
        "contribution": str(c.contribution),
        "reason": text_json(c.scored.reason),
        "group": c.scored.group,
    }
    if not own_view:
        # How many suppliers share the percentile group: the factory's business only.
        body["groupSize"] = c.scored.group_size
    return body


def penalty_json(p: Penalty) -> dict[str, Any]:
    return {
        "kind": p.kind.value,
        "quarters": list(p.quarters),
        "points": str(p.points),
        "reason": text_json(p.reason),
    }


def scorecard_json(card: Scorecard, *, own_view: bool = False) -> dict[str, Any]:
    """One supplier's scorecard. `own_view` is what the supplier itself sees: its components,
    total, penalties and band, but no rank, no group sizes and no spend."""
    s = card.supplier
    body: dict[str, Any] = {
        "relationshipId": str(s.relationship_id),
        "supplierId": str(s.supplier_id),
        "name": {"en": s.name_en, "zh": s.name_zh},
        "province": s.province,
        "category": s.category,
        "band": _band(card.band),
        "totalScore": str(card.total),
        "scoreBeforePenalties": str(card.before_penalties),
        "penaltyPoints": str(card.penalty_points),
        "missingData": card.missing_data,
        "quarters": [
            {
                "quarter": q.quarter,
                "status": q.status,
                "contentId": q.figures.content_id if q.figures else None,
            }
            for q in s.quarters
        ],
        "components": [component_json(c, own_view=own_view) for c in card.components],
        "penalties": [penalty_json(p) for p in card.penalties],
        "rating": None
        if s.rating is None
        else {
            "cdpScore": s.rating.cdp_score,
            "ecovadisMedal": s.rating.ecovadis_medal,
            "recordedAt": s.rating.recorded_at,
        },
        "trend": _trend_json(card, own_view=own_view),
    }
    if not own_view:
        body["rank"] = card.rank
        body["spend"] = str(s.spend)
        body["intensityPerRevenue"] = _s(card.intensity)
    return body


def _trend_json(card: Scorecard, *, own_view: bool) -> dict[str, Any] | None:
    trend = card.trend
    if trend is None:
        return None
    body: dict[str, Any] = {
        "previousPeriod": trend.previous.period,
        "previousScore": str(trend.previous.total),
        "previousBand": trend.previous.band,
        "scoreChange": str(trend.score_change),
        "bandChange": trend.band_change,
    }
    if not own_view:
        body["previousRank"] = trend.previous.rank
    return body


def ranking_json(
    ranking: Ranking, *, version: int, cards: Iterable[Scorecard] | None = None
) -> dict[str, Any]:
    """The ranking with its method; `cards` narrows the suppliers listed (filters), never the
    ranks, bands or counts, which are the whole ranking's."""
    inputs = ranking.inputs
    listed = ranking.scorecards if cards is None else list(cards)
    return {
        "leadFactoryId": str(inputs.lead_factory_id),
        "period": inputs.period,
        "quarters": list(inputs.quarters),
        "reportingCurrency": inputs.reporting_currency,
        "previousPeriod": next(iter(inputs.previous.values())).period if inputs.previous else None,
        "config": method_json(ranking.config, version),
        "supplierCount": len(ranking.scorecards),
        "bandCounts": ranking.band_counts(),
        "suppliers": [scorecard_json(c) for c in listed],
    }
