"""The ranking as spreadsheet sheets: the listed suppliers with every component, and the
weights and methods the ranking used (`method_json`), in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from esgx_platform.exports import Cell
from esgx_platform.i18n import Text
from esgx_platform.periods.quarters import Quarter
from esgx_platform.scoring.engine import Ranking, Scorecard
from esgx_platform.scoring.metrics import METRICS
from esgx_platform.scoring.report import method_json
from esgx_platform.web.factory_format import local
from esgx_platform.web.filters import category_label, province_label
from esgx_platform.web.i18n import current_locale
from esgx_platform.web.procurement_format import unit_label, word

Sheet = tuple[str, Sequence[str], list[Sequence[Cell]]]

_H = {
    "rank": Text("Rank", "排名"),
    "name": Text("Supplier", "供应商"),
    "name_en": Text("Name (English)", "英文名称"),
    "name_zh": Text("Name (Chinese)", "中文名称"),
    "id": Text("Supplier id", "供应商标识"),
    "category": Text("Scope 3 category", "范围三类别"),
    "province": Text("Province", "省份"),
    "band": Text("Band", "档位"),
    "total": Text("Total score", "总分"),
    "before": Text("Score before penalties", "扣分前得分"),
    "penalty_points": Text("Penalty points", "扣分"),
    "penalties": Text("Penalties", "扣分项"),
    "missing": Text("Missing data", "数据缺失"),
    "not_due": Text("Not yet due (no penalty)", "未到截止日期（不扣分）"),
    "intensity": Text("Intensity per revenue, tCO2e per million {c}", "单位营收强度（吨/百万{c}）"),
    "prev_period": Text("Previous period", "上一期间"),
    "prev_score": Text("Previous score", "上期得分"),
    "change": Text("Score change", "得分变化"),
    "prev_band": Text("Previous band", "上期档位"),
    "prev_rank": Text("Previous rank", "上期排名"),
    "value": Text("{m}: value", "{m}：数值"),
    "points": Text("{m}: points (0-100)", "{m}：得分（0-100）"),
    "contribution": Text("{m}: contribution", "{m}：贡献分"),
}
_M = {
    "section": Text("Section", "部分"),
    "key": Text("Key", "键"),
    "name": Text("Name", "名称"),
    "unit": Text("Unit", "单位"),
    "better": Text("Better", "方向"),
    "weight": Text("Weight, points off or share", "权重、扣分或占比"),
    "method": Text("Method", "方法"),
    "worst": Text("Worst (0 points)", "最差值（0 分）"),
    "best": Text("Best (100 points)", "最佳值（100 分）"),
    "min": Text("Minimum score", "最低分"),
    "why": Text("Why", "理由"),
    "configuration": Text("Configuration", "配置"),
    "metric": Text("Metric", "指标"),
    "penalty": Text("Penalty", "扣分"),
    "band": Text("Band", "档位"),
    "ties": Text("Ties", "并列"),
    "period": Text("Period", "期间"),
    "version": Text("Version", "版本"),
    "sha256": Text("SHA-256", "SHA-256"),
    "notes": Text("Notes", "说明"),
    "pro_rata": Text(
        "Points off for the whole period, pro rata over the affected quarters.",
        "整个期间的扣分，按受影响季度比例计算。",
    ),
    "tie_rule": Text(
        "Ties are broken by: higher total; fewer penalty points; lower intensity per revenue "
        "(none last); supplier name in English; supplier id.",
        "并列时依次比较：总分高者在前；扣分少者在前；单位营收强度低者在前（无数值者在后）；"
        "供应商英文名称；供应商标识。",
    ),
}
YES, NO = Text("yes", "是"), Text("no", "否")


def _t(text: Text, **params: object) -> str:
    return (text.format(**params) if params else text).render(current_locale())


def _name(card: Scorecard) -> str:
    s = card.supplier
    return s.name_zh if current_locale() == "zh" else s.name_en


def ranking_sheet(ranking: Ranking, cards: Sequence[Scorecard]) -> Sheet:
    """One row per listed supplier: its place, totals, penalties, trend and, per metric of
    the configuration, the value, the points and the contribution to the total."""
    currency = ranking.inputs.reporting_currency
    header = [
        _t(_H[k])
        for k in ("rank", "name", "name_en", "name_zh", "id", "category", "province", "band")
    ]
    header += [
        _t(_H[k]) for k in ("total", "before", "penalty_points", "penalties", "missing", "not_due")
    ]
    header.append(_t(_H["intensity"], c=currency))
    header += [_t(_H[k]) for k in ("prev_period", "prev_score", "change", "prev_band", "prev_rank")]
    for rule in ranking.config.rules:
        name = local(_metric_name(rule.metric))
        header += [_t(_H[k], m=name) for k in ("value", "points", "contribution")]
    rows: list[Sequence[Cell]] = [_row(ranking, card) for card in cards]
    return (_t(Text("Ranking {p}", "排名 {p}"), p=ranking.inputs.period), header, rows)


def _metric_name(metric: str) -> Text:
    return METRICS[metric].name


def _row(ranking: Ranking, card: Scorecard) -> list[Cell]:
    s = card.supplier
    trend = card.trend
    previous_band: str | None = None
    if trend is not None:
        known = {b.id: b for b in ranking.config.bands}
        band = known.get(trend.previous.band)
        previous_band = local(band.name) if band else trend.previous.band
    row: list[Cell] = [
        card.rank,
        _name(card),
        s.name_en,
        s.name_zh,
        str(s.supplier_id),
        f"{s.category} {category_label(s.category)}",
        province_label(s.province),
        local(card.band.name) if card.band else None,
        card.total,
        card.before_penalties,
        card.penalty_points,
        "; ".join(
            f"{word('penalty', p.kind.value)} {', '.join(p.quarters)}: {p.points}"
            for p in card.penalties
        ),
        _t(YES if card.missing_data else NO),
        ", ".join(s.not_due) or None,
        card.intensity,
        trend.previous.period if trend else None,
        trend.previous.total if trend else None,
        trend.score_change if trend else None,
        previous_band,
        trend.previous.rank if trend else None,
    ]
    for c in card.components:
        label = c.value.label
        value: Cell = word(c.rule.metric, label) if label is not None else c.value.value
        row += [value, c.scored.points, c.contribution]
    return row


def method_sheet(ranking: Ranking, version: int) -> Sheet:
    """The weights, methods, penalties and bands of the ranking (its `method_json`)."""
    method = method_json(ranking.config, version)
    header = [
        _t(_M[k])
        for k in ("section", "key", "name", "unit", "better", "weight", "method", "worst", "best")
    ] + [_t(_M["min"]), _t(_M["why"])]
    config, empty = _t(_M["configuration"]), [None] * 8
    rows: list[Sequence[Cell]] = [
        [config, _t(_M["name"]), local(method["name"]), *empty],
        [config, _t(_M["period"]), ranking.inputs.period, *empty],
        [config, _t(_M["version"]), method["version"], *empty],
        [config, _t(_M["sha256"]), method["sha256"], *empty],
    ]
    if method["notes"]:
        rows.append([config, _t(_M["notes"]), local(method["notes"]), *empty])
    rows += [_metric_row(m, ranking.inputs.reporting_currency) for m in method["metrics"]]
    for kind, points in method["penalties"].items():
        what = [_t(_M["penalty"]), kind, word("penalty", kind), None, None, Decimal(points)]
        rows.append([*what, None, None, None, None, _t(_M["pro_rata"])])
    band_method = word("bandMethod", method["bands"]["method"])
    for band in method["bands"]["bands"]:
        which = [_t(_M["band"]), band["id"], local(band["name"]), None, None, _dec(band["share"])]
        rows.append([*which, band_method, None, None, _dec(band["minScore"]), None])
    rows.append([_t(_M["ties"]), None, _t(_M["tie_rule"]), *empty])
    return (_t(Text("Weights and methods", "权重与方法")), header, rows)


def _metric_row(m: dict[str, Any], currency: str) -> list[Cell]:
    return [
        _t(_M["metric"]),
        m["metric"],
        local(m["name"]),
        unit_label(m["unit"], currency),
        word("direction", m["direction"]),
        Decimal(m["weight"]),
        word("method", m["method"]),
        _dec(m["worst"]),
        _dec(m["best"]),
        None,
        local(m["why"]) if m["why"] else None,
    ]


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def export_stamp(ranking: Ranking) -> datetime:
    """The workbook's date: the end of the period's last quarter, so the same ranking always
    exports the same bytes."""
    last = max(Quarter.parse(q) for q in ranking.inputs.quarters)
    return datetime.combine(last.ends_on, time(0), tzinfo=UTC)
