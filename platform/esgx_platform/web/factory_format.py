"""Words and number formats for the lead factory's pages, in the request's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal as babel_format_decimal

from esgx_platform.i18n import Text
from esgx_platform.web.i18n import current_locale

DASH = "—"
METHODS = ("supplier_specific", "hybrid", "spend_based", "missing")
METHOD_COLORS = {
    "supplier_specific": "#0f6e5b",
    "hybrid": "#5aa897",
    "spend_based": "#a16207",
    "missing": "#94a3b8",
}
ASSURANCE = ("reasonable", "limited", "none", "estimate", "missing")

LABELS: dict[str, dict[str, Text]] = {
    "method": {
        "supplier_specific": Text("Supplier-specific (footprints)", "供应商特定（产品碳足迹）"),
        "hybrid": Text("Supplier allocation (hybrid)", "供应商分配（混合法）"),
        "spend_based": Text("Spend-based estimate", "支出法估算"),
        "missing": Text("Missing", "缺失"),
    },
    "assurance": {
        "reasonable": Text("Reasonable assurance", "合理保证"),
        "limited": Text("Limited assurance", "有限保证"),
        "none": Text("Not assured", "未经保证"),
        "estimate": Text("Estimate", "估算"),
        "missing": Text("Missing", "缺失"),
    },
    "indicator": {
        "onTime": Text("Filed on time", "按时填报"),
        "assured": Text("Assured (limited or reasonable)", "经保证（有限或合理）"),
        "withTargets": Text("With emission targets", "设定减排目标"),
        "renewableAboveThreshold": Text(
            "Renewable electricity above the threshold", "可再生电力占比达标"
        ),
        "withFootprints": Text("Providing product footprints", "提供产品碳足迹"),
    },
    "status": {
        "notDisclosed": Text("Not disclosed", "未披露"),
        "late": Text("Filed late", "逾期填报"),
        "rejected": Text("Filing rejected", "填报被拒"),
        "noConsent": Text("No data-sharing consent", "未授权数据共享"),
        "notDue": Text("Not yet due", "未到截止日期"),
    },
    "severity": {
        "high": Text("High", "高"),
        "medium": Text("Medium", "中"),
        "low": Text("Low", "低"),
    },
    "action": {
        "open": Text("Open", "未开始"),
        "in_progress": Text("In progress", "进行中"),
        "closed": Text("Closed", "已关闭"),
    },
    "gate": {
        "passed": Text("passed", "通过"),
        "failed": Text("failed", "未通过"),
        "missing": Text("no data", "无数据"),
        "scored": Text("scored", "已评分"),
    },
    "gate_kind": {
        "mandatory": Text("Mandatory indicator", "强制性指标"),
        "metric": Text("Metric bound", "指标限值"),
        "moduleScore": Text("Module score", "模块得分"),
    },
}


def label(kind: str, key: str) -> str:
    """The word for `key` of a vocabulary (`method`, `assurance`, ...); the key if unknown."""
    text = LABELS.get(kind, {}).get(key)
    return text.render(current_locale()) if text else key


def local(value: Mapping[str, str] | Text | None) -> str:
    """A stored bilingual value ({"en": ..., "zh": ...} or a Text) in the request's language."""
    if value is None:
        return DASH
    if isinstance(value, Text):
        return value.render(current_locale())
    return str(value.get(current_locale()) or value.get("en") or DASH)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def number(value: object, places: int = 2) -> str:
    """A figure with grouping and fixed decimals in the request's locale; a dash for none."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    babel_locale = "zh_Hans_CN" if current_locale() == "zh" else "en_US"
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return str(babel_format_decimal(amount, format=pattern, locale=babel_locale))


def pct(value: object, places: int = 1) -> str:
    """A percentage (already in percent units) such as 59.8%; a dash for none."""
    shown = number(value, places)
    return shown if shown == DASH else f"{shown}%"


def signed_pct(value: object, places: int = 1) -> str:
    """A change in percent with its sign (+3.2%, −0.4%)."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    sign = "+" if amount > 0 else ("−" if amount < 0 else "")
    return f"{sign}{number(abs(amount), places)}%"


def day(value: date | datetime | None) -> str:
    return DASH if value is None else value.strftime("%Y-%m-%d")


def moment(value: datetime | None) -> str:
    return DASH if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def helpers() -> dict[str, object]:
    """The functions the factory templates use."""
    return {
        "label": label,
        "local": local,
        "number": number,
        "pct": pct,
        "signed_pct": signed_pct,
        "day": day,
        "moment": moment,
        "METHODS": METHODS,
        "ASSURANCE": ASSURANCE,
    }
