"""Words, colours and number formats for procurement's ranking pages and the supplier's own
scorecard, in the request's language (the factory pages' helpers plus the scoring vocabulary)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from esgx_platform.i18n import Text
from esgx_platform.scoring.metrics import METRICS
from esgx_platform.web.factory_format import DASH, number
from esgx_platform.web.factory_format import helpers as factory_helpers
from esgx_platform.web.i18n import current_locale

# Known band ids keep their colour whatever their position; others are coloured by position.
BAND_COLORS = {"green": "#1a7f37", "blue": "#1d4ed8", "orange": "#b45309", "red": "#b91c1c"}
OTHER_BAND_COLORS = ("#0f6e5b", "#7c3aed", "#475569", "#be185d", "#0891b2", "#65a30d")

VOCABULARY: dict[str, dict[str, Text]] = {
    "targetStatus": {
        "none": Text("No target", "无目标"),
        "committed": Text("Committed", "已承诺"),
        "validated": Text("Validated", "已验证"),
        "netZero": Text("Net zero", "净零"),
    },
    "assurance": {
        "none": Text("No assurance", "无核查保证"),
        "limited": Text("Limited assurance", "有限保证"),
        "reasonable": Text("Reasonable assurance", "合理保证"),
    },
    "ecovadisMedal": {
        "none": Text("No medal", "无奖章"),
        "bronze": Text("Bronze", "铜牌"),
        "silver": Text("Silver", "银牌"),
        "gold": Text("Gold", "金牌"),
        "platinum": Text("Platinum", "白金牌"),
    },
    "penalty": {
        "notDisclosed": Text("Not disclosed", "未披露"),
        "rejected": Text("Rejected at verification", "未通过验证"),
        "noConsent": Text("No data-sharing consent", "未授权数据共享"),
        "late": Text("Filed late", "逾期提交"),
        "unassured": Text("No third-party assurance", "无第三方核查保证"),
    },
    "quarter": {
        "ok": Text("Filed on time", "按时提交"),
        "late": Text("Filed late", "逾期提交"),
        "notDisclosed": Text("Not disclosed", "未披露"),
        "rejected": Text("Rejected at verification", "未通过验证"),
        "noConsent": Text("No data-sharing consent", "未授权数据共享"),
        "notDue": Text("Not yet due", "未到截止日期"),
    },
    "method": {
        "percentile": Text("Percentile within the Scope 3 category", "范围三类别内的百分位"),
        "absolute": Text("Absolute thresholds", "绝对阈值"),
    },
    "direction": {
        "lower": Text("lower is better", "越低越好"),
        "higher": Text("higher is better", "越高越好"),
    },
    "bandChange": {
        "up": Text("moved up a band", "档位上升"),
        "down": Text("moved down a band", "档位下降"),
        "same": Text("same band", "档位不变"),
    },
    "unit": {
        "tCO2e/unit": Text("tCO2e per declared unit", "吨二氧化碳当量/申报单位"),
        "%": Text("%", "%"),
        "pp": Text("points of base emissions", "基准排放百分点"),
        "DQR": Text("DQR (1 best, 5 worst)", "DQR（1 最好，5 最差）"),
        "level": Text("level", "等级"),
    },
    "bandMethod": {
        "percentile": Text("by position in the ranking", "按排名位置"),
        "score": Text("by total score", "按总分"),
    },
}


def word(kind: str, key: str | None) -> str:
    """The word for `key` of a vocabulary above; the key itself when it has none (a CDP
    score such as B- reads the same in both languages)."""
    if key is None:
        return DASH
    text = VOCABULARY.get(kind, {}).get(key)
    return text.render(current_locale()) if text else key


def unit_label(unit: str, currency: str | None = None) -> str:
    """A metric's unit in words; intensity per revenue names the reporting currency."""
    if unit == "tCO2e/million":
        found = Text("tCO2e per million {c}", "吨二氧化碳当量/百万{c}").format(c=currency)
        if currency is None:
            found = Text("tCO2e per million of revenue", "吨二氧化碳当量/百万营业收入")
        return found.render(current_locale())
    return word("unit", unit)


def metric_value(component: Mapping[str, Any], currency: str | None = None) -> str:
    """A component's value as shown: an ordinal's label in words, else the figure in its
    metric's precision with the unit; a dash when there is none."""
    if component.get("value") is None:
        return DASH
    metric = METRICS.get(component["metric"])
    if component.get("label") is not None:
        return word(component["metric"], component["label"])
    exponent = metric.places.as_tuple().exponent if metric else -2
    shown = number(component["value"], -exponent if isinstance(exponent, int) else 2)
    unit = unit_label(component["unit"], currency)
    return f"{shown}%" if unit == "%" else f"{shown} {unit}"


def band_color(band_id: str | None, position: int = 0) -> str:
    if band_id is None:
        return "#94a3b8"
    return BAND_COLORS.get(band_id, OTHER_BAND_COLORS[position % len(OTHER_BAND_COLORS)])


def band_class(band_id: str | None, position: int = 0) -> str:
    """The badge's CSS class: known bands by id, others by position (no inline styles)."""
    if band_id is None:
        return "band band-none"
    if band_id in BAND_COLORS:
        return f"band band-{band_id}"
    return f"band band-pos{position % len(OTHER_BAND_COLORS)}"


def signed(value: object, places: int = 2) -> str:
    """A change with its sign (+3.20, −1.05, 0.00); a dash for none."""
    shown = number(value, places)
    if shown == DASH:
        return DASH
    if shown.startswith("-"):
        return "−" + shown[1:]
    return shown if set(shown) <= set("0.,") else "+" + shown


def arrow(change: object) -> str:
    """▲ for a higher score than before, ▼ for lower, ▶ for the same (shown with words)."""
    shown = number(change)
    if shown == DASH:
        return ""
    if shown.startswith("-"):
        return "▼"
    return "▶" if set(shown) <= set("0.,") else "▲"


def rules_of(method: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """A `method_json`'s metric rules by metric id."""
    return {rule["metric"]: rule for rule in method["metrics"]}


def helpers() -> dict[str, object]:
    """The functions the procurement and scorecard templates use."""
    return {
        **factory_helpers(),
        "word": word,
        "unit_label": unit_label,
        "metric_value": metric_value,
        "band_class": band_class,
        "signed": signed,
        "arrow": arrow,
        "rules_of": rules_of,
    }
