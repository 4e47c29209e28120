"""Plain scoring inputs with round numbers, and small configurations, for worked examples.

A default quarter's figures: Scope 1 80 t + market-based Scope 2 20 t = 100 t, revenue
1,000,000.00 CNY (so 100.00 t per million), output 1,000 pieces, 100 MWh of electricity with
none renewable, primary data share 60 %, mean DQR 2, no assurance, no target, no offsets.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from esgx_platform.scoring.config import ScoringConfig
from esgx_platform.scoring.config_schema import load_config
from esgx_platform.scoring.facts import (
    Earlier,
    Figures,
    Previous,
    QuarterFacts,
    Rating,
    ScoringInputs,
    SupplierFacts,
)

D = Decimal
FACTORY = uuid.UUID("00000000-0000-4000-8000-00000000f00d")
ZERO_PENALTIES = {k: "0" for k in ("notDisclosed", "rejected", "noConsent", "late", "unassured")}


def figures(content_id: str = "c", **given: Any) -> Figures:
    values: dict[str, Any] = {
        "content_id": content_id,
        "scope1": D("80"),
        "scope2_market": D("20"),
        "revenue_amount": D("1000000.00"),
        "revenue_currency": "CNY",
        "revenue": D("1000000.00"),
        "output_amount": D("1000"),
        "output_unit": "piece",
        "electricity_mwh": D("100"),
        "renewable_mwh": D("0"),
        "primary_data_share": D("60"),
        "mean_dqr": D("2"),
        "verification": "none",
        "target_status": "none",
        "sections": (),
        "offsets_tco2e": D("0"),
        "qualifying_offsets_tco2e": D("0"),
    }
    for key, value in given.items():
        values[key] = D(value) if isinstance(value, str) and key not in _TEXT else value
    return Figures(**values)


_TEXT = {"content_id", "revenue_currency", "output_unit", "verification", "target_status"}


def ok(quarter: str = "2025-Q1", **given: Any) -> QuarterFacts:
    return QuarterFacts(quarter, "ok", figures(f"{quarter}-{len(given)}", **given))


def supplier(
    name: str,
    *quarters: QuarterFacts,
    category: int = 1,
    province: str = "JS",
    earlier: tuple[Earlier, ...] = (),
    rating: Rating | None = None,
    supplier_id: uuid.UUID | None = None,
) -> SupplierFacts:
    """A supplier whose ids derive from its name (so tests can find it again)."""
    return SupplierFacts(
        relationship_id=uuid.uuid5(uuid.NAMESPACE_URL, f"rel:{name}:{supplier_id}"),
        supplier_id=supplier_id or uuid.uuid5(uuid.NAMESPACE_URL, f"org:{name}"),
        name_en=name,
        name_zh=f"{name}（中文）",
        province=province,
        category=category,
        spend=D("250000.00"),
        quarters=quarters or (ok(),),
        earlier=earlier,
        rating=rating,
    )


def inputs(
    *suppliers: SupplierFacts,
    period: str = "2025-Q1",
    previous: dict[uuid.UUID, Previous] | None = None,
) -> ScoringInputs:
    quarters = sorted({q.quarter for s in suppliers for q in s.quarters})
    return ScoringInputs(
        lead_factory_id=FACTORY,
        period=period,
        quarters=tuple(quarters),
        reporting_currency="CNY",
        deadline_days=30,
        suppliers=tuple(suppliers),
        previous=previous or {},
    )


def rule(metric: str, weight: str, method: str = "absolute", **bounds: str) -> dict[str, Any]:
    return {"metric": metric, "weight": weight, "method": method, **bounds}


PERCENTILE_BANDS = {
    "method": "percentile",
    "bands": [
        {"id": "green", "name": {"en": "Green", "zh": "绿色"}, "share": "20"},
        {"id": "blue", "name": {"en": "Blue", "zh": "蓝色"}, "share": "50"},
        {"id": "orange", "name": {"en": "Orange", "zh": "橙色"}, "share": "20"},
        {"id": "red", "name": {"en": "Red", "zh": "红色"}, "share": "10"},
    ],
}


def body(
    *rules: dict[str, Any],
    penalties: dict[str, str] | None = None,
    bands: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "name": {"en": "Test scoring", "zh": "测试评分"},
        "metrics": list(rules),
        "penalties": penalties or dict(ZERO_PENALTIES),
        "bands": bands or PERCENTILE_BANDS,
    }


def config(*rules: dict[str, Any], **kwargs: Any) -> ScoringConfig:
    return load_config(body(*rules, **kwargs))
