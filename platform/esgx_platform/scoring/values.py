"""Each metric's value for one supplier and period, from its facts alone (pure functions).

Emissions are Scope 1 + market-based Scope 2 throughout: the supplier's own operations, the
part SBTi's 4.2 %/yr path covers. Upstream Scope 3 is left out on purpose: how much of it a
supplier reports varies widely, and including it would rank a supplier that reports less of
it as more efficient (completeness rewards reporting it instead). Only disclosures the factory
may see are used; a supplier without consent has no values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from esgx_platform.i18n import Text
from esgx_platform.scoring.config import PenaltyKind
from esgx_platform.scoring.facts import OK, SECTIONS, Earlier, Figures, SupplierFacts
from esgx_platform.scoring.metrics import METRICS, Metric

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MILLION = Decimal(1_000_000)
SBTI_RATE = Decimal("0.042")  # SBTi 1.5 °C: 4.2 % linear absolute reduction a year


@dataclass(frozen=True)
class Value:
    value: Decimal | None  # rounded to the metric's places: the value shown is the value scored
    detail: Text  # how it was obtained, or why there is none
    label: str | None = None  # an ordinal metric's label (validated, B, gold)
    group: str | None = None  # a further percentile group (the declared unit)


def _none(detail: Text) -> Value:
    return Value(None, detail)


NO_CONSENT = Text(
    "no data-sharing consent: the factory sees none of its figures",
    "未授权数据共享：工厂看不到其任何数据",
)
NOT_DISCLOSED = Text("no disclosure the factory may use in the period", "本期没有工厂可用的披露")
NOTHING_DUE = Text(
    "no quarter of the period is due yet and none was filed early",
    "本期尚无到期的季度，也没有提前提交的披露",
)
NOT_DUE_SUFFIX = Text(
    " Not yet due and not filed, so not counted: {w}.", "尚未到期且未提交、不计入：{w}。"
)
NO_RATE = Text("no exchange rate from {c} to {rc} for {y}", "缺少 {y} 年 {c} 兑 {rc} 的汇率")


def no_data(s: SupplierFacts) -> Text:
    if all(q.status == PenaltyKind.NO_CONSENT for q in s.quarters):
        return NO_CONSENT
    if not s.judged:
        return NOTHING_DUE
    return NOT_DISCLOSED


def so_far(detail: Text, s: SupplierFacts) -> Text:
    """`detail`, naming the quarters left out because they are not yet due (if any: with none
    the text is unchanged, so stored rankings still recompute exactly)."""
    if not s.not_due:
        return detail
    suffix = NOT_DUE_SUFFIX.format(w=", ".join(s.not_due))
    return Text(detail.en + suffix.en, detail.zh + suffix.zh)


def _round(metric: Metric, value: Decimal) -> Decimal:
    return value.quantize(metric.places, rounding=ROUND_HALF_UP)


def _with_revenue(s: SupplierFacts, ctx: Context) -> tuple[list[Figures], Text | None]:
    """Visible figures with a revenue in the reporting currency, or why there are none."""
    visible = [f for _, f in s.visible]
    if not visible:
        return [], no_data(s)
    usable = [f for f in visible if f.revenue is not None]
    if not usable:
        currency = visible[-1].revenue_currency
        return [], NO_RATE.format(c=currency, rc=ctx.currency, y=ctx.year)
    return usable, None


def intensity_revenue(s: SupplierFacts, ctx: Context) -> Value:
    usable, why = _with_revenue(s, ctx)
    if why is not None:
        return _none(why)
    emissions = sum((f.scope12 for f in usable), ZERO)
    revenue = sum((f.revenue or ZERO for f in usable), ZERO)
    if not revenue:
        return _none(Text("revenue is zero", "营业收入为零"))
    value = _round(METRICS["intensityRevenue"], emissions * MILLION / revenue)
    return Value(
        value,
        Text(
            "{e} tCO2e (Scope 1 + market-based Scope 2) per {r} {c} of revenue over {n} "
            "quarter(s): {v} tCO2e per million.",
            "{n} 个季度范围一 + 市场法范围二共 {e} tCO2e，营业收入 {r} {c}：每百万 {v} tCO2e。",
        ).format(e=emissions, r=revenue, c=ctx.currency, n=len(usable), v=value),
    )


def intensity_unit(s: SupplierFacts, ctx: Context) -> Value:
    visible = [f for _, f in s.visible]
    if not visible:
        return _none(no_data(s))
    # One unit only: the latest quarter's (a supplier that changed its declared unit is
    # compared on the quarters in that unit).
    unit = visible[-1].output_unit
    same = [f for f in visible if f.output_unit == unit]
    output = sum((f.output_amount for f in same), ZERO)
    if not output:
        return _none(Text("no output declared", "未申报产量"))
    emissions = sum((f.scope12 for f in same), ZERO)
    value = _round(METRICS["intensityUnit"], emissions / output)
    detail = Text(
        "{e} tCO2e over {o} {u} in {n} quarter(s): {v} tCO2e per {u}.",
        "{n} 个季度 {e} tCO2e，产量 {o} {u}：每 {u} {v} tCO2e。",
    ).format(e=emissions, o=output, u=unit, n=len(same), v=value)
    return Value(value, detail, group=unit)


def _split(quarter: str) -> tuple[int, int]:
    """(year, quarter number) of a stored quarter key `2025-Q3` (Quarter.parse's regex is the
    costlier check, and these keys come from the database, already well-formed)."""
    return int(quarter[:4]), int(quarter[6])


def _earlier_by_quarter(s: SupplierFacts) -> dict[str, Earlier]:
    return {e.quarter: e for e in s.earlier}


def yoy_change(s: SupplierFacts, ctx: Context) -> Value:
    """Intensity per revenue against the same quarters a year earlier, over the quarters
    disclosed in both years (constant currency)."""
    earlier = _earlier_by_quarter(s)
    pairs = []
    for quarter, f in s.visible:
        year, number = _split(quarter)
        before = earlier.get(f"{year - 1}-Q{number}")
        if before is not None and f.revenue is not None and before.revenue is not None:
            pairs.append((f, before))
    if not pairs:
        return _none(NO_BASE if s.visible else no_data(s))
    now = _ratio(_sum(f.scope12 for f, _ in pairs), _sum(f.revenue or ZERO for f, _ in pairs))
    then = _ratio(_sum(b.scope12 for _, b in pairs), _sum(b.revenue or ZERO for _, b in pairs))
    if now is None or not then:
        return _none(Text("no intensity a year earlier", "缺少上一年的排放强度"))
    value = _round(METRICS["yoyChange"], (now - then) * HUNDRED / then)
    detail = Text(
        "Intensity {now} against {then} tCO2e per million a year earlier over {n} quarter(s): "
        "{v} %.",
        "{n} 个季度排放强度由上一年的每百万 {then} tCO2e 变为 {now}：{v}%。",
    ).format(now=_shown(now * MILLION), then=_shown(then * MILLION), n=len(pairs), v=value)
    return Value(value, detail)


NO_BASE = Text(
    "no disclosure of the same quarters in an earlier year", "早些年份没有相同季度的披露"
)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def _ratio(num: Decimal, den: Decimal) -> Decimal | None:
    return None if not den else num / den


def _shown(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def path_gap(s: SupplierFacts, ctx: Context) -> Value:
    """Scope 1+2 against the 4.2 %/yr linear path from the earliest year in which the supplier
    disclosed every quarter it disclosed now: gap = (E_y − T_y) / E_base × 100, in percentage
    points of base emissions (negative: ahead of the path)."""
    now = {_split(q)[1]: f.scope12 for q, f in s.visible}
    if not now:
        return _none(no_data(s))
    years: dict[int, dict[int, Decimal]] = {}
    for e in s.earlier:
        year, number = _split(e.quarter)
        years.setdefault(year, {})[number] = e.scope12
    complete = sorted(y for y, qs in years.items() if y < ctx.year and set(now) <= set(qs))
    if not complete:
        return _none(NO_BASE)
    base_year = complete[0]
    base = sum((years[base_year][q] for q in now), ZERO)
    if not base:
        return _none(Text("base-year emissions are zero", "基准年排放为零"))
    emissions = sum(now.values(), ZERO)
    path = base * (1 - SBTI_RATE * (ctx.year - base_year))
    value = _round(METRICS["pathGap"], (emissions - path) * HUNDRED / base)
    detail = Text(
        "{e} tCO2e against a path value of {p} (base {b} in {y0}, −4.2 % a year): {v} points "
        "of base emissions.",
        "{e} tCO2e，路径值 {p}（{y0} 年基准 {b}，每年 −4.2%）：相差基准排放的 {v} 个百分点。",
    ).format(e=emissions, p=_shown(path), b=base, y0=base_year, v=value)
    return Value(value, detail)


def _level(metric_id: str, label: str | None, when_none: Text, source: Text) -> Value:
    metric = METRICS[metric_id]
    value = metric.level(label)
    if value is None:
        return _none(when_none)
    return Value(value, source.format(label=label, v=value), label=label)


def target_status(s: SupplierFacts, ctx: Context) -> Value:
    visible = s.visible
    label = visible[-1][1].target_status if visible else None
    source = Text("Best target status {label} (level {v}).", "最佳目标状态 {label}（等级 {v}）。")
    return _level("targetStatus", label, no_data(s), source)


def assurance(s: SupplierFacts, ctx: Context) -> Value:
    visible = s.visible
    label = visible[-1][1].verification if visible else None
    source = Text(
        "Latest disclosure's assurance: {label} (level {v}).",
        "最新披露的核查保证：{label}（等级 {v}）。",
    )
    return _level("assurance", label, no_data(s), source)


def renewable_share(s: SupplierFacts, ctx: Context) -> Value:
    visible = [f for _, f in s.visible]
    if not visible:
        return _none(no_data(s))
    electricity = sum((f.electricity_mwh for f in visible), ZERO)
    if not electricity:
        return _none(Text("no electricity use declared", "未申报用电量"))
    renewable = sum((f.renewable_mwh for f in visible), ZERO)
    value = _round(METRICS["renewableShare"], renewable * HUNDRED / electricity)
    detail = Text(
        "{r} of {e} MWh of electricity renewable: {v} %.",
        "用电 {e} MWh 中可再生电力 {r} MWh：{v}%。",
    )
    return Value(value, detail.format(r=renewable, e=electricity, v=value))


def primary_data_share(s: SupplierFacts, ctx: Context) -> Value:
    """Emission-weighted over the quarters stating one (Σ E·pds / Σ E, the domain brief's
    formula); the plain mean when every weight is zero."""
    stated = [
        (f.scope12, f.primary_data_share) for _, f in s.visible if f.primary_data_share is not None
    ]
    if not stated:
        return _none(_unstated(s, Text("no primary data share stated", "未声明原始数据占比")))
    weight = sum((e for e, _ in stated), ZERO)
    if weight:
        raw = sum((e * p for e, p in stated), ZERO) / weight
    else:
        raw = sum((p for _, p in stated), ZERO) / len(stated)
    value = _round(METRICS["primaryDataShare"], raw)
    detail = Text(
        "Emission-weighted primary data share over {n} quarter(s): {v} %.",
        "{n} 个季度按排放加权的原始数据占比：{v}%。",
    )
    return Value(value, detail.format(n=len(stated), v=value))


def _unstated(s: SupplierFacts, why: Text) -> Text:
    return why if s.visible else no_data(s)


def mean_dqr(s: SupplierFacts, ctx: Context) -> Value:
    rated = [f.mean_dqr for _, f in s.visible if f.mean_dqr is not None]
    if not rated:
        return _none(_unstated(s, Text("no data-quality ratings stated", "未声明数据质量评级")))
    value = _round(METRICS["meanDqr"], sum(rated, ZERO) / len(rated))
    detail = Text(
        "Mean of the quarters' mean technological, geographical and temporal DQR over {n} "
        "quarter(s): {v} (1 is best).",
        "{n} 个季度技术、地理、时间数据质量评级均值的平均：{v}（1 为最好）。",
    )
    return Value(value, detail.format(n=len(rated), v=value))


def timeliness(s: SupplierFacts, ctx: Context) -> Value:
    """Quarters first filed by the deadline of those judged (quarters not yet due are left
    out; one filed early counts); no value while none is judged."""
    judged = s.judged
    if not judged:
        return _none(NOTHING_DUE)
    on_time = sum(1 for q in judged if q.status == OK)
    value = _round(METRICS["timeliness"], Decimal(on_time) * HUNDRED / len(judged))
    detail = Text(
        "{k} of {n} quarter(s) first filed by the factory's deadline ({d} days after the "
        "quarter): {v} %.",
        "{n} 个季度中 {k} 个在工厂截止日期（季度结束后 {d} 天）前首次提交：{v}%。",
    )
    detail = detail.format(k=on_time, n=len(judged), d=ctx.deadline_days, v=value)
    return Value(value, so_far(detail, s))


def completeness(s: SupplierFacts, ctx: Context) -> Value:
    """The mean of two shares: quarters disclosed (and visible) of the supplier's quarters
    judged in the period (not yet due ones left out), and optional sections provided (of the
    five in SECTIONS) per disclosure; no value while no quarter is judged."""
    judged = s.judged
    if not judged:
        return _none(NOTHING_DUE)
    visible = [f for _, f in s.visible]
    quarters = Decimal(len(visible)) * HUNDRED / len(judged)
    provided = sum(len(set(f.sections) & set(SECTIONS)) for f in visible)
    sections = Decimal(provided) * HUNDRED / (len(SECTIONS) * len(visible)) if visible else ZERO
    value = _round(METRICS["completeness"], (quarters + sections) / 2)
    detail = Text(
        "Quarters disclosed {q} % ({k} of {n}), optional sections provided {p} % (scope 3, data "
        "quality, targets, product footprints, supply-chain engagement): mean {v} %.",
        "已披露季度 {q}%（{n} 个中 {k} 个），可选部分提供率 {p}%"
        "（范围三、数据质量、目标、产品碳足迹、供应链参与）：平均 {v}%。",
    )
    shown = detail.format(
        q=_shown(quarters), k=len(visible), n=len(judged), p=_shown(sections), v=value
    )
    return Value(value, so_far(shown, s))


def offset_quality(s: SupplierFacts, ctx: Context) -> Value:
    """Qualifying offsets (PAS 2060 / ISO 14068-1 rules, `assessment/neutrality.py`) as a share
    of those claimed; claiming none is not marked down (100: nothing to discount)."""
    visible = [f for _, f in s.visible]
    if not visible:
        return _none(no_data(s))
    claimed = sum((f.offsets_tco2e for f in visible), ZERO)
    if not claimed:
        nothing = Text("No offsets claimed: nothing to discount.", "未声明碳抵消：无需折减。")
        return Value(_round(METRICS["offsetQuality"], HUNDRED), nothing)
    good = sum((f.qualifying_offsets_tco2e for f in visible), ZERO)
    value = _round(METRICS["offsetQuality"], good * HUNDRED / claimed)
    detail = Text(
        "{g} of {c} tCO2e of offsets claimed qualify (retired in time, registry, vintage, "
        "standard, unique serials): {v} %.",
        "声明的 {c} tCO2e 碳抵消中 {g} tCO2e 合格"
        "（按期注销、登记簿、年份、标准、序列号唯一）：{v}%。",
    )
    return Value(value, detail.format(g=good, c=claimed, v=value))


NOT_RATED = Text("not rated by procurement", "采购未录入评级")


def cdp_score(s: SupplierFacts, ctx: Context) -> Value:
    label = s.rating.cdp_score if s.rating else None
    return _level(
        "cdpScore",
        label,
        NOT_RATED,
        Text("CDP score {label} (level {v}).", "CDP 评分 {label}（等级 {v}）。"),
    )


def ecovadis_medal(s: SupplierFacts, ctx: Context) -> Value:
    label = s.rating.ecovadis_medal if s.rating else None
    source = Text("EcoVadis medal {label} (level {v}).", "EcoVadis 奖章 {label}（等级 {v}）。")
    return _level("ecovadisMedal", label, NOT_RATED, source)


@dataclass(frozen=True)
class Context:
    year: int
    currency: str
    deadline_days: int


VALUES: dict[str, Callable[[SupplierFacts, Context], Value]] = {
    "intensityRevenue": intensity_revenue,
    "intensityUnit": intensity_unit,
    "yoyChange": yoy_change,
    "pathGap": path_gap,
    "targetStatus": target_status,
    "renewableShare": renewable_share,
    "primaryDataShare": primary_data_share,
    "meanDqr": mean_dqr,
    "assurance": assurance,
    "timeliness": timeliness,
    "completeness": completeness,
    "offsetQuality": offset_quality,
    "cdpScore": cdp_score,
    "ecovadisMedal": ecovadis_medal,
}
assert set(VALUES) == set(METRICS), "every metric has a value function"
