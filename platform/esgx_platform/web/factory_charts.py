"""The lead factory's charts (roll-up by quarter, assessment scores, SBTi pathway) as SVG."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from esgx_platform.i18n import Text
from esgx_platform.rollups.snapshots import RollupSnapshot
from esgx_platform.web.charts import COLORS, Points, Series, line_chart, score_bars
from esgx_platform.web.charts import stacked_bars_with_line as stacked_bars
from esgx_platform.web.factory_format import METHOD_COLORS, METHODS, label, local
from esgx_platform.web.factory_rollup import QuarterFigures
from esgx_platform.web.filters import category_label
from esgx_platform.web.i18n import current_locale

ZERO = Decimal(0)
HUNDRED = Decimal(100)
TCO2E = "tCO2e"

_T = {
    "by_category": Text(
        "Scope 3 by category and quarter, tCO2e", "按类别和季度的范围三排放（吨二氧化碳当量）"
    ),
    "by_method": Text(
        "Scope 3 by calculation method and quarter, tCO2e",
        "按核算方法和季度的范围三排放（吨二氧化碳当量）",
    ),
    "trend": Text(
        "Coverage by spend and supplier-data share by quarter, %",
        "按季度的采购额覆盖率和供应商数据占比（%）",
    ),
    "coverage": Text("Coverage by spend", "采购额覆盖率"),
    "supplier_data": Text("Share from supplier data", "来自供应商数据的占比"),
    "primary": Text("Primary data share", "一手数据占比"),
    "modules": Text("Module scores (0-100)", "模块得分（0-100）"),
    "pathway": Text(
        "Own Scope 1+2 against the SBTi linear pathway, tCO2e",
        "自身范围一和范围二排放与 SBTi 线性路径对比（吨二氧化碳当量）",
    ),
    "path": Text("Pathway (4.2 % a year)", "减排路径（每年 4.2 %）"),
    "actual": Text("Actual Scope 1+2", "实际范围一和范围二"),
    "target": Text("Own target", "自身目标"),
    "history": Text(
        "Scope 3 of the period as verified data arrived, tCO2e",
        "随已验证数据到达而变化的本期范围三排放（吨二氧化碳当量）",
    ),
    "history_line": Text("Scope 3 total", "范围三合计"),
}


def text(key: str) -> str:
    return _T[key].render(current_locale())


def _svg(markup: str) -> Markup:
    return Markup(markup)  # noqa: S704 - built from numbers and escaped labels only


def category_chart(quarters: Sequence[QuarterFigures]) -> Markup:
    """Stacked bars: each quarter's Scope 3 split by category."""
    categories = sorted({c for q in quarters for c in q.categories})
    stacks = [
        Series(
            f"{c} {category_label(c)}",
            [q.categories.get(c, ZERO) for q in quarters],
            COLORS[i % len(COLORS)],
        )
        for i, c in enumerate(categories)
    ]
    return _svg(
        stacked_bars(
            [q.key for q in quarters],
            stacks,
            None,
            title=text("by_category"),
            unit=TCO2E,
            line_unit="",
        )
    )


def method_chart(quarters: Sequence[QuarterFigures]) -> Markup:
    """Stacked bars: each quarter's Scope 3 split by method (missing lines weigh nothing)."""
    used = [m for m in METHODS if any(q.summary["byMethod"].get(m) for q in quarters)]
    stacks = [
        Series(
            label("method", m),
            [q.summary["byMethod"].get(m, ZERO) for q in quarters],
            METHOD_COLORS[m],
        )
        for m in used
    ]
    return _svg(
        stacked_bars(
            [q.key for q in quarters],
            stacks,
            None,
            title=text("by_method"),
            unit=TCO2E,
            line_unit="",
        )
    )


def trend_chart(quarters: Sequence[QuarterFigures]) -> Markup:
    """Lines: coverage by spend, supplier-data share and primary data share per quarter."""
    lines = [
        Points(text("coverage"), [q.summary["coverageBySpendPct"] for q in quarters], COLORS[0]),
        Points(text("supplier_data"), [q.summary["supplierDataPct"] for q in quarters], COLORS[3]),
        Points(text("primary"), [q.summary["primaryDataPct"] for q in quarters], COLORS[4], True),
    ]
    return _svg(
        line_chart([q.key for q in quarters], lines, title=text("trend"), unit="%", top=HUNDRED)
    )


def history_chart(snapshots: Sequence[RollupSnapshot]) -> Markup:
    """A line: the period's Scope 3 total at each stored roll-up snapshot (two or more)."""
    if len(snapshots) < 2:
        return Markup("")
    labels = [f"{s.computed_at:%m-%d %H:%M}" for s in snapshots]
    line = Points(text("history_line"), [s.total_tco2e for s in snapshots], COLORS[0])
    return _svg(line_chart(labels, [line], title=text("history"), unit=TCO2E))


def module_chart(modules: Sequence[Mapping[str, Any]]) -> Markup:
    """Horizontal bars: each module's score out of 100."""
    return _svg(
        score_bars(
            [local(m["name"]) for m in modules],
            [Decimal(m["score"]) for m in modules],
            title=text("modules"),
        )
    )


def pathway_chart(
    years: Sequence[int],
    path: Sequence[Decimal | None],
    actual: Sequence[Decimal | None],
    target: Sequence[Decimal | None],
) -> Markup:
    """Lines over the years: the linear pathway, the actual figures and the own target."""
    lines = [
        Points(text("path"), path, COLORS[0], True),
        Points(text("actual"), actual, "#c2410c"),
    ]
    if any(v is not None for v in target):
        lines.append(Points(text("target"), target, COLORS[5]))
    return _svg(line_chart([str(y) for y in years], lines, title=text("pathway"), unit=TCO2E))
