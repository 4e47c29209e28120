"""The registry of metrics an assessment indicator may reference, with labels and units."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from esgx_platform.i18n import Text

# The roll-up engine produces each metric as `Decimal | None` (None: not available for the
# period). The names are part of the assessment model's wire format: a model naming anything
# else is refused when it is loaded.


class MetricGroup(StrEnum):
    OWN_OPERATIONS = "own_operations"
    SUPPLY_CHAIN = "supply_chain"
    IMPROVEMENT = "continuous_improvement"


@dataclass(frozen=True)
class Metric:
    name: str
    group: MetricGroup
    label: Text
    unit: str  # "%", "tCO2e", "level" (an ordinal code) or "flag" (1 yes, 0 no)
    description: Text


def _own(name: str, unit: str, label: Text, description: Text) -> Metric:
    return Metric(name, MetricGroup.OWN_OPERATIONS, label, unit, description)


def _chain(name: str, unit: str, label: Text, description: Text) -> Metric:
    return Metric(name, MetricGroup.SUPPLY_CHAIN, label, unit, description)


def _improvement(name: str, unit: str, label: Text, description: Text) -> Metric:
    return Metric(name, MetricGroup.IMPROVEMENT, label, unit, description)


_OWN = (
    _own(
        "own_quarters_filed_pct",
        "%",
        Text("Own quarters filed", "自身季度填报率"),
        Text(
            "Quarters of the year for which the factory filed its own disclosure, of 4.",
            "本年度工厂自身已填报披露的季度数占 4 个季度的比例。",
        ),
    ),
    _own(
        "own_verification_level",
        "level",
        Text("Own verification level", "自身核查等级"),
        Text(
            "Best assurance of the year: 0 none, 1 limited, 2 reasonable.",
            "本年度最高保证等级：0 无，1 有限保证，2 合理保证。",
        ),
    ),
    _own(
        "own_target_status",
        "level",
        Text("Own target status", "自身目标状态"),
        Text(
            "Emission target: 0 none, 1 committed, 2 validated, 3 net zero.",
            "减排目标：0 无，1 已承诺，2 已验证，3 净零。",
        ),
    ),
    _own(
        "own_renewable_electricity_pct",
        "%",
        Text("Own renewable electricity share", "自身可再生电力占比"),
        Text(
            "Renewable electricity as a share of the factory's electricity use.",
            "可再生电力占工厂用电量的比例。",
        ),
    ),
    _own(
        "own_scope12_tco2e",
        "tCO2e",
        Text("Own Scope 1+2 emissions", "自身范围一和范围二排放"),
        Text(
            "Scope 1 plus market-based Scope 2 emissions of the year.",
            "本年度范围一排放加基于市场法的范围二排放。",
        ),
    ),
    _own(
        "own_scope12_yoy_pct",
        "%",
        Text("Own Scope 1+2 year-on-year change", "自身范围一和范围二同比变化"),
        Text(
            "Change of Scope 1+2 against the previous year; negative is a reduction.",
            "范围一和范围二排放较上年的变化；负值表示减少。",
        ),
    ),
    _own(
        "sbti_on_track",
        "flag",
        Text("On the SBTi pathway", "符合 SBTi 减排路径"),
        Text(
            "1 when Scope 1+2 is at or below the linear science-based path, else 0.",
            "范围一和范围二排放不高于线性科学碳目标路径时为 1，否则为 0。",
        ),
    ),
    _own(
        "sbti_progress_pct",
        "%",
        Text("Progress to the SBTi target", "科学碳目标进度"),
        Text(
            "Reduction achieved since the base year as a share of the targeted reduction.",
            "自基准年以来已实现的减排量占目标减排量的比例。",
        ),
    ),
    _own(
        "qualifying_offsets_tco2e",
        "tCO2e",
        Text("Qualifying offsets", "合格抵消量"),
        Text(
            "Credits retired for the period that meet the neutrality claim's rules.",
            "为本期注销且符合碳中和声明规则的碳信用。",
        ),
    ),
    _own(
        "offset_coverage_pct",
        "%",
        Text("Offset coverage", "抵消覆盖率"),
        Text(
            "Qualifying offsets as a share of Scope 1 plus market-based Scope 2.",
            "合格抵消量占范围一加基于市场法的范围二排放的比例。",
        ),
    ),
    _own(
        "net_scope12_tco2e",
        "tCO2e",
        Text("Net Scope 1+2 emissions", "范围一和范围二净排放"),
        Text(
            "Scope 1 plus market-based Scope 2 minus qualifying offsets.",
            "范围一加基于市场法的范围二排放减去合格抵消量。",
        ),
    ),
    _own(
        "non_qualifying_offsets_tco2e",
        "tCO2e",
        Text("Non-qualifying offsets", "不合格抵消量"),
        Text(
            "Credits reported for the period that the neutrality rules do not accept.",
            "为本期申报但不符合碳中和规则的碳信用。",
        ),
    ),
)

_CHAIN = (
    _chain(
        "scope3_supplier_data_pct",
        "%",
        Text("Scope 3 from supplier data", "来自供应商数据的范围三占比"),
        Text(
            "Share of Scope 3 tCO2e computed from supplier-specific data.",
            "以供应商特定数据计算的范围三排放占比。",
        ),
    ),
    _chain(
        "scope3_primary_data_pct",
        "%",
        Text("Scope 3 primary data share", "范围三一手数据占比"),
        Text(
            "Emission-weighted primary data share of the Scope 3 roll-up.",
            "按排放量加权的范围三汇总一手数据占比。",
        ),
    ),
    _chain(
        "scope3_coverage_by_spend_pct",
        "%",
        Text("Scope 3 coverage by spend", "按采购额计的范围三覆盖率"),
        Text(
            "Share of procurement spend with suppliers whose emissions are in the roll-up.",
            "排放已纳入汇总的供应商的采购额占比。",
        ),
    ),
    _chain(
        "suppliers_on_time_pct_by_spend",
        "%",
        Text("Suppliers filing on time (by spend)", "按时填报的供应商（按采购额）"),
        Text(
            "Spend-weighted share of suppliers that filed before the deadline.",
            "按采购额加权的、在截止日期前填报的供应商占比。",
        ),
    ),
    _chain(
        "suppliers_on_time_pct_by_count",
        "%",
        Text("Suppliers filing on time (by count)", "按时填报的供应商（按数量）"),
        Text(
            "Share of suppliers, by number, that filed before the deadline.",
            "按数量计的、在截止日期前填报的供应商占比。",
        ),
    ),
    _chain(
        "suppliers_assured_pct_by_emissions",
        "%",
        Text("Assured supplier emissions", "经保证的供应商排放"),
        Text(
            "Share of allocated supplier emissions covered by limited or reasonable assurance.",
            "获得有限或合理保证的分配供应商排放占比。",
        ),
    ),
    _chain(
        "suppliers_with_targets_pct_by_spend",
        "%",
        Text("Suppliers with targets (by spend)", "设定目标的供应商（按采购额）"),
        Text(
            "Spend-weighted share of suppliers with a committed or validated emission target.",
            "按采购额加权的、已承诺或已验证减排目标的供应商占比。",
        ),
    ),
    _chain(
        "suppliers_renewable_above_threshold_pct_by_count",
        "%",
        Text("Suppliers above the renewable threshold", "可再生电力达标的供应商"),
        Text(
            "Share of suppliers, by number, whose renewable electricity share meets the threshold.",
            "可再生电力占比达到阈值的供应商数量占比。",
        ),
    ),
    _chain(
        "suppliers_with_footprints_pct_by_spend",
        "%",
        Text("Suppliers with product footprints (by spend)", "提供产品碳足迹的供应商（按采购额）"),
        Text(
            "Spend-weighted share of suppliers that filed a product carbon footprint.",
            "按采购额加权的、已提交产品碳足迹的供应商占比。",
        ),
    ),
    _chain(
        "tier2_reporting_pct_by_spend",
        "%",
        Text("Tier-2 reporting (by spend)", "二级供应商填报（按采购额）"),
        Text(
            "Spend-weighted mean of the share of suppliers' own suppliers that report.",
            "按采购额加权的、供应商自身的供应商填报比例的平均值。",
        ),
    ),
)

_IMPROVEMENT = (
    _improvement(
        "allocated_supplier_emissions_yoy_pct",
        "%",
        Text("Supplier emissions year-on-year", "供应商排放同比变化"),
        Text(
            "Change of the emissions allocated from suppliers; negative is a reduction.",
            "供应商分配排放较上年的变化；负值表示减少。",
        ),
    ),
    _improvement(
        "supplier_intensity_yoy_pct",
        "%",
        Text("Supplier intensity year-on-year", "供应商排放强度同比变化"),
        Text(
            "Change of allocated tCO2e per million of spend; negative is an improvement.",
            "每百万采购额分配排放量较上年的变化；负值表示改善。",
        ),
    ),
    _improvement(
        "actions_closed_pct",
        "%",
        Text("Improvement actions closed", "改进措施关闭率"),
        Text(
            "Improvement actions closed, of those due in the period.",
            "本期到期的改进措施中已关闭的比例。",
        ),
    ),
)

METRICS: dict[str, Metric] = {m.name: m for m in (*_OWN, *_CHAIN, *_IMPROVEMENT)}
