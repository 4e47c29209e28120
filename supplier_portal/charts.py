"""The supplier's own quarterly emissions, as a chart for the portal's start page."""

from __future__ import annotations

from markupsafe import Markup

from esgx_platform.disclosures.figures import CNY_MILLION
from esgx_platform.intake.queries import FilingRow
from esgx_platform.web.charts import Series, stacked_bars_with_line
from esgx_platform.web.i18n import current_locale

_LABELS = {
    "en": (
        "Scope 1",
        "Scope 2 (market-based)",
        "Scope 3 upstream",
        "Intensity",
        "Quarterly emissions, tCO2e",
        "tCO2e",
        "t / CNY m",
    ),
    "zh": (
        "范围一",
        "范围二（市场法）",
        "范围三上游",
        "强度",
        "季度排放（吨二氧化碳当量）",
        "tCO2e",
        "吨/百万元",
    ),
}


def emissions_chart(history: list[FilingRow]) -> Markup:
    """Stacked Scope 1/2/3 bars per quarter (current filings only) and the intensity line."""
    rows = sorted((r for r in history if r.current), key=lambda r: r.period)
    if not rows:
        return Markup("")
    s1, s2, s3, intensity, title, unit, line_unit = _LABELS[current_locale()]
    line = None
    if all(r.revenue_cny for r in rows):
        line = Series(
            intensity,
            [
                (r.scope1 + r.scope2_market) / (r.revenue_cny / CNY_MILLION)
                for r in rows
                if r.revenue_cny
            ],
        )
    svg = stacked_bars_with_line(
        [r.period for r in rows],
        [
            Series(s1, [r.scope1 for r in rows]),
            Series(s2, [r.scope2_market for r in rows]),
            Series(s3, [r.scope3_upstream for r in rows]),
        ],
        line,
        title=title,
        unit=unit,
        line_unit=line_unit,
    )
    return Markup(svg)  # noqa: S704 - built from numbers and escaped labels only
