"""The scorecard's metrics: what each measures, its unit, which way is better, how it may be
normalized. Their values are computed in `values.py`; weights and methods are configuration."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from esgx_platform.i18n import Text


class Direction(StrEnum):
    HIGHER = "higher"  # more is better
    LOWER = "lower"  # less is better


class Method(StrEnum):
    # Position among the suppliers of the same Scope 3 category that have a value.
    PERCENTILE = "percentile"
    # Linear between a worst value (0 points) and a best value (100 points), clamped.
    ABSOLUTE = "absolute"


BOTH = frozenset({Method.PERCENTILE, Method.ABSOLUTE})
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Metric:
    id: str
    name: Text
    unit: str
    direction: Direction
    # Values are rounded to this before they are scored: the value shown is the value scored.
    places: Decimal = CENT
    methods: frozenset[Method] = BOTH
    # Percentile groups are split by declared unit too (intensity per unit compares only
    # within the same unit: a tonne per piece and a tonne per kilogram are not comparable).
    by_unit: bool = False
    # An ordinal metric's value is the index of its label here (worst first).
    levels: tuple[str, ...] = ()

    def level(self, label: str | None) -> Decimal | None:
        return (
            None if label is None or label not in self.levels else Decimal(self.levels.index(label))
        )


TARGET_LEVELS = ("none", "committed", "validated", "netZero")
ASSURANCE_LEVELS = ("none", "limited", "reasonable")
CDP_SCORES = ("D-", "D", "C-", "C", "B-", "B", "A-", "A")
ECOVADIS_MEDALS = ("none", "bronze", "silver", "gold", "platinum")

_ALL = (
    Metric(
        "intensityRevenue",
        Text("Emission intensity per revenue", "单位营业收入排放强度"),
        "tCO2e/million",
        Direction.LOWER,
    ),
    Metric(
        "intensityUnit",
        Text("Emission intensity per declared unit", "单位产品排放强度"),
        "tCO2e/unit",
        Direction.LOWER,
        places=Decimal("0.000001"),
        methods=frozenset({Method.PERCENTILE}),
        by_unit=True,
    ),
    Metric(
        "yoyChange", Text("Year-on-year intensity change", "排放强度同比变化"), "%", Direction.LOWER
    ),
    Metric(
        "pathGap",
        Text("Gap to the 4.2 %/yr reduction path", "与每年 4.2% 减排路径的差距"),
        "pp",
        Direction.LOWER,
    ),
    Metric(
        "targetStatus",
        Text("Target status", "减排目标状态"),
        "level",
        Direction.HIGHER,
        places=Decimal(1),
        levels=TARGET_LEVELS,
    ),
    Metric(
        "renewableShare",
        Text("Renewable electricity share", "可再生电力占比"),
        "%",
        Direction.HIGHER,
    ),
    Metric("primaryDataShare", Text("Primary data share", "原始数据占比"), "%", Direction.HIGHER),
    Metric("meanDqr", Text("Mean data-quality rating", "平均数据质量评级"), "DQR", Direction.LOWER),
    Metric(
        "assurance",
        Text("Assurance level", "核查保证等级"),
        "level",
        Direction.HIGHER,
        places=Decimal(1),
        levels=ASSURANCE_LEVELS,
    ),
    Metric("timeliness", Text("Timeliness", "披露及时性"), "%", Direction.HIGHER),
    Metric("completeness", Text("Completeness", "披露完整性"), "%", Direction.HIGHER),
    Metric("offsetQuality", Text("Offset quality", "碳抵消质量"), "%", Direction.HIGHER),
    Metric(
        "cdpScore",
        Text("CDP score", "CDP 评分"),
        "level",
        Direction.HIGHER,
        places=Decimal(1),
        levels=CDP_SCORES,
    ),
    Metric(
        "ecovadisMedal",
        Text("EcoVadis medal", "EcoVadis 奖章"),
        "level",
        Direction.HIGHER,
        places=Decimal(1),
        levels=ECOVADIS_MEDALS,
    ),
)
METRICS: dict[str, Metric] = {m.id: m for m in _ALL}
