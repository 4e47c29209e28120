"""The ranking's score distribution as a server-rendered SVG histogram, coloured by band."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup

from esgx_platform.i18n import Text
from esgx_platform.scoring.config import ScoringConfig
from esgx_platform.web.charts import Series, stacked_bars_with_line
from esgx_platform.web.factory_format import local
from esgx_platform.web.i18n import current_locale
from esgx_platform.web.procurement_data import Bin, top_of_axis
from esgx_platform.web.procurement_format import band_color

TITLE = Text(
    "Suppliers by total score in 10-point bins, coloured by band",
    "按总分（每 10 分一档）统计的供应商数，按档位着色",
)
SUPPLIERS = Text("suppliers", "家供应商")


def distribution_chart(bins: Sequence[Bin], config: ScoringConfig) -> Markup:
    """Stacked bars: how many suppliers score in each 10-point bin, one colour per band."""
    stacks = [
        Series(
            local(band.name),
            [Decimal(b.counts.get(band.id, 0)) for b in bins],
            band_color(band.id, position),
        )
        for position, band in enumerate(config.bands)
    ]
    svg = stacked_bars_with_line(
        [b.label for b in bins],
        stacks,
        None,
        title=TITLE.render(current_locale()),
        unit=SUPPLIERS.render(current_locale()),
        line_unit="",
        top=top_of_axis(bins),
    )
    return Markup(svg)  # noqa: S704 - built from numbers and escaped labels only
