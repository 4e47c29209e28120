"""The roll-up as JSON: decimal strings at fixed places, every figure with its content ids."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from esgx_platform.i18n import Text
from esgx_platform.rollups.engine import Line, SupplierPeriod, Tally, status_of
from esgx_platform.rollups.facts import NOT_DUE, Method
from esgx_platform.rollups.services import RollupReport

TONNES = Decimal("0.000001")
PERCENT = Decimal("0.01")
MONEY = Decimal("0.01")
_MONEY_KEYS = frozenset({"spend", "intensity"})


def fixed(value: Decimal | None, places: Decimal) -> str | None:
    return None if value is None else str(value.quantize(places, rounding=ROUND_HALF_UP))


def _plain(key: str, value: Any) -> Any:
    """Decimals become strings at the precision their key implies; containers recurse."""
    if isinstance(value, Decimal):
        if "Pct" in key or key == "meanDqr":
            return fixed(value, PERCENT)
        return fixed(value, MONEY if key in _MONEY_KEYS else TONNES)
    if isinstance(value, Mapping):
        return {
            k: _plain(k if key not in ("byMethod", "byAssurance") else key, v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_plain(key, v) for v in value]
    return value


def tally_json(tally: Tally) -> dict[str, Any]:
    return {k: _plain(k, v) for k, v in tally.summary().items()}


def line_json(line: Line) -> dict[str, Any]:
    r = line.row
    return {
        "quarter": r.quarter,
        "method": line.method.value,
        "tco2e": fixed(line.tco2e, TONNES),
        "spend": fixed(r.spend, MONEY),
        "contentIds": list(line.content_ids),
        "disclosed": r.disclosed if r.consent else None,
        "onTime": r.on_time if r.consent else None,
        "rejected": r.rejected if r.consent else None,
        "estimateNote": _text(r.estimate_note)
        if line.method in (Method.SPEND_BASED, Method.MISSING)
        else None,
    }


def _text(text: Text | None) -> dict[str, str] | None:
    return None if text is None else {"en": text.en, "zh": text.zh}


def supplier_json(s: SupplierPeriod) -> dict[str, Any]:
    latest = s.latest.row
    return {
        "relationshipId": str(s.relationship_id),
        "supplierId": str(latest.supplier_id),
        "name": {"en": latest.supplier_en, "zh": latest.supplier_zh},
        "province": latest.province,
        "category": latest.category,
        "consent": latest.consent,
        "tco2e": fixed(s.tco2e, TONNES),
        "spend": fixed(s.spend, MONEY),
        "quarters": [line_json(line) for line in sorted(s.lines, key=lambda ln: ln.row.quarter)],
    }


def report_json(report: RollupReport, *, suppliers: bool = True) -> dict[str, Any]:
    rollup = report.rollup
    body: dict[str, Any] = {
        "leadFactoryId": str(report.lead_factory_id),
        "period": report.period,
        "quarters": report.quarters,
        "settings": _plain("settings", report.settings),
        "total": tally_json(rollup.total),
        "categories": {str(c): tally_json(t) for c, t in sorted(rollup.categories.items())},
        "status": status_json(report),
        "responsibilityExtension": {
            k: _plain(k, v.as_json()) for k, v in report.indicators.items()
        },
        "tier2": _plain("tier2", report.tier2),
        "intensityPerMillion": fixed(report.intensity, MONEY),
        "previous": None
        if report.previous is None
        else {
            "period": report.previous.period,
            "tco2e": fixed(report.previous.tco2e, TONNES),
            "intensityPerMillion": fixed(report.previous.intensity, MONEY),
            "tco2eChangePct": fixed(report.previous.tco2e_change_pct, PERCENT),
            "intensityChangePct": fixed(report.previous.intensity_change_pct, PERCENT),
        },
    }
    if suppliers:
        body["suppliers"] = [supplier_json(s) for s in report.suppliers]
    return body


def status_json(report: RollupReport) -> dict[str, list[dict[str, str]]]:
    """Suppliers missing, late, rejected or without consent, quarter by quarter, and those
    that have not filed a quarter whose deadline has not passed yet (`notDue`: not late)."""
    found: dict[str, list[dict[str, str]]] = {
        "notDisclosed": [],
        "late": [],
        "rejected": [],
        "noConsent": [],
        NOT_DUE: [],
    }
    for line in report.rollup.lines:
        r = line.row
        status = status_of(r)
        if status is not None:
            found[status].append(
                {"supplierId": str(r.supplier_id), "name": r.supplier_en, "quarter": r.quarter}
            )
    for entries in found.values():
        entries.sort(key=lambda who: (who["name"], who["quarter"], who["supplierId"]))
    return found
