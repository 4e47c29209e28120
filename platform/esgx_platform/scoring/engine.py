"""The ranking as pure functions: values → points → weighted total − penalties → order → bands.

Rounding: each metric's points to 0.01, its contribution (points × weight / 100) to 0.0001,
penalties to 0.01, the total to 0.01 (ROUND_HALF_UP). The total is never below 0; the points
before penalties and the penalties themselves are kept, so nothing is hidden by the floor.

Ties are broken deterministically, in this order: higher total, fewer penalty points, lower
intensity per revenue (none last), supplier name (English, code-point order), supplier id.
Ranks are positions 1..n in that order; percentile bands are cut at those positions.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from esgx_platform.i18n import Text
from esgx_platform.scoring.config import (
    MISSING_KINDS,
    Band,
    BandMethod,
    MetricRule,
    PenaltyKind,
    ScoringConfig,
)
from esgx_platform.scoring.facts import OK, Previous, ScoringInputs, SupplierFacts
from esgx_platform.scoring.metrics import METRICS, Method
from esgx_platform.scoring.normalize import linear_clamp, percentiles
from esgx_platform.scoring.values import VALUES, Context, Value, so_far

ZERO = Decimal(0)
HUNDRED = Decimal(100)
POINTS = Decimal("0.01")
CONTRIBUTION = Decimal("0.0001")


def _q(value: Decimal, places: Decimal = POINTS) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scored:
    points: Decimal
    # The reason's template and its values, filled in when read: a ranking of thousands of
    # suppliers scores each on every metric, and most reasons are never shown.
    template: Text
    params: tuple[tuple[str, object], ...]
    group: str | None = None  # the percentile group: "1" or "1/piece" (category / unit)
    group_size: int | None = None

    @cached_property
    def reason(self) -> Text:
        return self.template.format(**dict(self.params))


@dataclass(frozen=True)
class Component:
    rule: MetricRule
    value: Value
    scored: Scored

    @cached_property
    def contribution(self) -> Decimal:
        return _q(self.scored.points * self.rule.weight / HUNDRED, CONTRIBUTION)


@dataclass(frozen=True)
class Penalty:
    kind: PenaltyKind
    quarters: tuple[str, ...]
    points: Decimal
    reason: Text


@dataclass(frozen=True)
class Trend:
    previous: Previous
    score_change: Decimal
    band_change: str | None  # "up", "down", "same"; None when the band is no longer known


@dataclass
class Scorecard:
    supplier: SupplierFacts
    components: tuple[Component, ...]
    penalties: tuple[Penalty, ...]
    intensity: Decimal | None  # per revenue, for the tie-break whatever the weights
    rank: int = 0
    band: Band | None = None
    trend: Trend | None = None

    @cached_property
    def before_penalties(self) -> Decimal:
        return _q(sum((c.contribution for c in self.components), ZERO), CONTRIBUTION)

    @cached_property
    def penalty_points(self) -> Decimal:
        return _q(sum((p.points for p in self.penalties), ZERO))

    @cached_property
    def total(self) -> Decimal:
        return _q(max(self.before_penalties - self.penalty_points, ZERO))

    @cached_property
    def missing_data(self) -> bool:
        return any(q.status in MISSING_KINDS for q in self.supplier.quarters)


@dataclass
class Ranking:
    inputs: ScoringInputs
    config: ScoringConfig
    scorecards: list[Scorecard]  # in rank order

    def band_counts(self) -> dict[str, int]:
        counts = dict.fromkeys((b.id for b in self.config.bands), 0)
        for card in self.scorecards:
            if card.band is not None:
                counts[card.band.id] += 1
        return counts

    def summary(self) -> dict[uuid.UUID, Previous]:
        """Each relationship's place, as the next period's trend reads it."""
        return {
            c.supplier.relationship_id: Previous(
                self.inputs.period, c.total, c.band.id if c.band else "", c.rank
            )
            for c in self.scorecards
        }


def rank(inputs: ScoringInputs, config: ScoringConfig) -> Ranking:
    """Score every supplier of `inputs` with `config`, order, band and compare them with the
    previous period's places in `inputs.previous`."""
    # The period was parsed when it was gathered: `2025` or `2025-Q3`, the year first.
    ctx = Context(
        year=int(inputs.period[:4]),
        currency=inputs.reporting_currency,
        deadline_days=inputs.deadline_days,
    )
    values = {
        s.relationship_id: {rule.metric: VALUES[rule.metric](s, ctx) for rule in config.rules}
        for s in inputs.suppliers
    }
    scored = {rule.metric: _score_rule(rule, inputs.suppliers, values) for rule in config.rules}
    cards = [
        Scorecard(
            supplier=s,
            components=tuple(
                Component(
                    rule,
                    values[s.relationship_id][rule.metric],
                    scored[rule.metric][s.relationship_id],
                )
                for rule in config.rules
            ),
            penalties=penalties(s, config),
            intensity=VALUES["intensityRevenue"](s, ctx).value,
        )
        for s in inputs.suppliers
    ]
    cards.sort(key=_order)
    _place(cards, config)
    for card in cards:
        card.trend = _trend(card, inputs.previous.get(card.supplier.relationship_id), config)
    return Ranking(inputs, config, cards)


def _order(card: Scorecard) -> tuple[object, ...]:
    intensity = (0, card.intensity) if card.intensity is not None else (1, ZERO)
    s = card.supplier
    return (-card.total, card.penalty_points, intensity, s.name_en, str(s.supplier_id))


MISSING_REASON = Text("No value ({detail}): 0 points.", "无数值（{detail_zh}）：0 分。")
ABSOLUTE_REASON = Text(
    "Linear between {worst} (0 points) and {best} (100 points), clamped: {p} points.",
    "在 {worst}（0 分）与 {best}（100 分）之间线性计分并截断：{p} 分。",
)
PERCENTILE_REASON = Text(
    "Percentile within Scope 3 category {c}{unit} (suppliers with a value; ties averaged): "
    "{p} points.",
    "在范围三类别 {c}{unit_zh}内的百分位（仅含有数值的供应商；并列取平均）：{p} 分。",
)
LONE_REASON = Text(
    "No other supplier of Scope 3 category {c}{unit} to compare with: a neutral 50 points.",
    "范围三类别 {c}{unit_zh}内没有可比较的其他供应商：中性 50 分。",
)


def _score_rule(
    rule: MetricRule,
    suppliers: Sequence[SupplierFacts],
    values: Mapping[uuid.UUID, Mapping[str, Value]],
) -> dict[uuid.UUID, Scored]:
    found: dict[uuid.UUID, Scored] = {}
    params: tuple[tuple[str, object], ...]
    groups: dict[tuple[int, str | None], dict[uuid.UUID, Decimal]] = defaultdict(dict)
    for s in suppliers:
        v = values[s.relationship_id][rule.metric]
        if v.value is None:
            params = (("detail", v.detail.en), ("detail_zh", v.detail.zh))
            found[s.relationship_id] = Scored(_q(ZERO), MISSING_REASON, params)
        elif rule.method is Method.ABSOLUTE:
            assert rule.worst is not None and rule.best is not None  # the schema saw to it
            points = _q(linear_clamp(v.value, worst=rule.worst, best=rule.best))
            params = (("worst", rule.worst), ("best", rule.best), ("p", points))
            found[s.relationship_id] = Scored(points, ABSOLUTE_REASON, params)
        else:
            groups[(s.category, v.group)][s.relationship_id] = v.value
    direction = METRICS[rule.metric].direction
    for (category, unit), members in groups.items():
        for rid, raw in percentiles(members, direction).items():
            points = _q(raw)
            template = LONE_REASON if len(members) == 1 else PERCENTILE_REASON
            unit_en, unit_zh = (f", unit {unit}", f"（单位 {unit}）") if unit else ("", " ")
            params = (("c", category), ("unit", unit_en), ("unit_zh", unit_zh), ("p", points))
            label = f"{category}/{unit}" if unit else str(category)
            found[rid] = Scored(points, template, params, label, len(members))
    return found


_PENALTY_TEXT = {
    PenaltyKind.NOT_DISCLOSED: Text("Not disclosed", "未披露"),
    PenaltyKind.REJECTED: Text(
        "Submission rejected at verification, none accepted", "提交未通过验证且无被接受的披露"
    ),
    PenaltyKind.NO_CONSENT: Text(
        "No data-sharing consent (the factory sees nothing)", "未授权数据共享（工厂看不到任何数据）"
    ),
    PenaltyKind.LATE: Text("First filed after the factory's deadline", "在工厂截止日期后首次提交"),
    PenaltyKind.UNASSURED: Text("No third-party assurance", "无第三方核查保证"),
}
PENALTY_REASON = Text(
    "{what} in {quarters}: {p} points off ({full} for the whole period × {k}/{n} quarters).",
    "{what_zh}（{quarters}）：扣 {p} 分（整个期间 {full} 分 × {k}/{n} 个季度）。",
)


def penalties(s: SupplierFacts, config: ScoringConfig) -> tuple[Penalty, ...]:
    """Every penalty that applies, even at 0 points (the status is shown all the same), pro
    rata over the quarters judged: a quarter not yet due is never penalized nor counted."""
    hits: dict[PenaltyKind, list[str]] = defaultdict(list)
    judged = s.judged
    for q in judged:
        if q.status != OK:
            hits[PenaltyKind(q.status)].append(q.quarter)
        if q.figures is not None and q.figures.verification == "none":
            hits[PenaltyKind.UNASSURED].append(q.quarter)
    n = len(judged)
    found = []
    for kind in PenaltyKind:
        quarters = hits.get(kind)
        if not quarters:
            continue
        full = config.penalties[kind]
        points = _q(full * len(quarters) / n)
        what = _PENALTY_TEXT[kind]
        reason = PENALTY_REASON.format(
            what=what.en,
            what_zh=what.zh,
            quarters=", ".join(quarters),
            p=points,
            full=full,
            k=len(quarters),
            n=n,
        )
        found.append(Penalty(kind, tuple(quarters), points, so_far(reason, s)))
    return tuple(found)


def _place(cards: list[Scorecard], config: ScoringConfig) -> None:
    """Ranks 1..n in order; bands by position (percentile) or by total (score)."""
    n = len(cards)
    bounds: list[tuple[int, Band]] = []
    cumulative = ZERO
    for band in config.bands:
        cumulative += band.share or ZERO
        # Cumulative rounding: the band sizes always add up to n.
        bounds.append((int(_q(n * cumulative / HUNDRED, Decimal(1))), band))
    for position, card in enumerate(cards, start=1):
        card.rank = position
        if config.band_method is BandMethod.SCORE:
            card.band = next(b for b in config.bands if card.total >= (b.min_score or ZERO))
        else:
            card.band = next((b for bound, b in bounds if position <= bound), config.bands[-1])


def _trend(card: Scorecard, previous: Previous | None, config: ScoringConfig) -> Trend | None:
    if previous is None or card.band is None:
        return None
    change = None
    if previous.band in {b.id for b in config.bands}:
        before, now = config.band_index(previous.band), config.band_index(card.band.id)
        change = "same" if before == now else ("up" if now < before else "down")
    return Trend(previous, card.total - previous.total, change)
