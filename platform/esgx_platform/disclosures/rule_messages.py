"""What the disclosure rules and warnings say, in English and Chinese."""

from __future__ import annotations

from esgx_platform.i18n import Text

# Errors.
NEGATIVE_EMISSIONS = Text("Emissions cannot be negative.", "排放量不能为负数。")
MIXED_GWP_BY_GAS = Text(
    "The per-gas figures use {given} but the disclosure's gwpSet is {gwp_set}; one disclosure "
    "uses one GWP set.",
    "分气体数据使用 {given}，而披露的 gwpSet 为 {gwp_set}；同一披露只能使用一套 GWP 值。",
)
NO_GWP = Text(
    '{gwp_set} has no GWP for {gas} on this platform; give this gas in CO2e (byGasUnit "co2e").',
    '本平台没有 {gas} 在 {gwp_set} 下的 GWP 值；请以二氧化碳当量填报（byGasUnit 为 "co2e"）。',
)
BY_GAS_SUM = Text(
    "The gases add up to {total} tCO2e, not the declared Scope 1 of {declared} tCO2e.",
    "各气体合计为 {total} tCO2e，与填报的范围一排放 {declared} tCO2e 不符。",
)
RENEWABLE_OVER_ELECTRICITY = Text(
    "Renewable electricity cannot exceed the electricity consumed ({electricity} MWh).",
    "可再生电力不能超过用电量（{electricity} MWh）。",
)
ELECTRICITY_OVER_TOTAL = Text(
    "Electricity cannot exceed total energy consumed ({total} MWh).",
    "用电量不能超过能源消费总量（{total} MWh）。",
)
INSTRUMENTS_SUM = Text(
    "The renewable instruments add up to {total} MWh, not the declared renewable electricity "
    "of {renewable} MWh.",
    "可再生能源凭证合计 {total} MWh，与填报的可再生电力 {renewable} MWh 不符。",
)
SELF_ALLOCATION = Text(
    "A supplier cannot allocate emissions to itself.", "供应商不能把排放分摊给自己。"
)
UNKNOWN_CUSTOMER = Text(
    "{customer} is not a lead factory you have a supply relationship with on the platform.",
    "{customer} 不是平台上与您有供应关系的链主工厂。",
)
DUPLICATE_CUSTOMER = Text(
    "This customer already has an allocation above; give one allocation per customer.",
    "该客户在前面已有分摊记录；每个客户只能有一条分摊。",
)
CUSTOMER_OVER_TOTAL = Text(
    "The customer's quantity cannot exceed the total quantity.", "客户数量不能超过总量。"
)
TOTAL_NOT_POSITIVE = Text("The total quantity must be positive.", "总量必须大于零。")
TOTAL_NOT_REVENUE = Text(
    "An economic allocation divides by the disclosure's revenue ({reference}).",
    "按经济价值分摊时，总量应为本披露的营业收入（{reference}）。",
)
TOTAL_NOT_OUTPUT = Text(
    "A physical allocation divides by the disclosure's output ({reference}).",
    "按实物量分摊时，总量应为本披露的产量（{reference}）。",
)
OVER_ALLOCABLE = Text(
    "More than the allocable emissions ({allocable} tCO2e: Scope 1, market-based Scope 2 and "
    "upstream Scope 3).",
    "超过可分摊排放量（{allocable} tCO2e：范围一、基于市场的范围二及上游范围三）。",
)
ALLOCATION_MISMATCH = Text(
    "Expected {customer} / {total} x {allocable} = {expected} tCO2e (within 0.5 % or 0.01 t).",
    "应为 {customer} / {total} x {allocable} = {expected} tCO2e（允许 0.5 % 或 0.01 吨误差）。",
)
ALLOCATIONS_OVER_ALLOCABLE = Text(
    "The allocations add up to {total} tCO2e, more than the allocable {allocable} tCO2e.",
    "各项分摊合计 {total} tCO2e，超过可分摊排放量 {allocable} tCO2e。",
)
UNKNOWN_FOOTPRINT = Text(
    "No product footprint {id} in this disclosure or among the footprints you filed.",
    "本披露及您已提交的产品碳足迹中没有 {id}。",
)
MIXED_GWP_FOOTPRINT = Text(
    "This footprint is characterized with {factors}; the disclosure uses {gwp_set} only.",
    "该产品碳足迹使用 {factors} 特征化因子；本披露只使用 {gwp_set}。",
)
MALFORMED_SERIAL = Text("Not a usable serial or serial range.", "不是有效的序列号或序列号区间。")
REPEATED_SERIAL = Text(
    "These credits are already listed in this disclosure.", "这些减排量已在本披露中列出。"
)
USED_SERIAL = Text(
    "These credits are already claimed in another disclosure on the platform.",
    "这些减排量已在平台上的其他披露中使用。",
)
RETIRED_BEFORE_VINTAGE = Text(
    "Credits cannot be retired before their vintage year ({vintage}).",
    "减排量不能在其签发年份（{vintage}）之前注销。",
)
RETIRED_IN_FUTURE = Text(
    "Only credits already retired can be claimed.", "只能申报已经注销的减排量。"
)
RESTATEMENT_WITHOUT_REASON = Text(
    "A restatement needs its restatementReason.", "更正披露须填写更正原因（restatementReason）。"
)
REASON_WITHOUT_RESTATEMENT = Text(
    "A restatementReason belongs with restates.", "restatementReason 须与 restates 一同填写。"
)
PERIOD_NOT_ENDED = Text(
    "The quarter has not ended yet (it ends on {end}).", "该季度尚未结束（结束日期为 {end}）。"
)
STATEMENT_IN_FUTURE = Text(
    "The verification statement cannot be dated in the future.", "核查声明的日期不能晚于今天。"
)

# Warnings.
YOY_CHANGE = Text(
    "Scope 1+2 changed by {change} % against the same quarter last year "
    "({before} -> {now} tCO2e).{intensity}",
    "范围一和范围二合计与上年同季度相比变化 {change} %（{before} -> {now} tCO2e）。{intensity}",
)
YOY_INTENSITY = Text(
    " Intensity per CNY million changed by {change} %.", "每百万元营业收入强度变化 {change} %。"
)
YOY_FROM_ZERO = Text(
    "Scope 1+2 was 0 in the same quarter last year and is {now} tCO2e now.",
    "上年同季度范围一和范围二合计为 0，本季度为 {now} tCO2e。",
)
INTENSITY_OUTLIER = Text(
    "Intensity of {value} tCO2e per CNY million is far outside the category's range "
    "({low} to {high}: the interquartile range widened by 3 times its width).",
    "每百万元营业收入 {value} tCO2e 的强度远超出同类别范围"
    "（{low} 至 {high}：四分位距两侧各扩展 3 倍）。",
)
SCOPE2_WITHOUT_INSTRUMENTS = Text(
    "Market-based Scope 2 differs from location-based while no renewable instruments are "
    "declared; check the residual-mix factor.",
    "未申报可再生能源凭证，但基于市场与基于位置的范围二排放不同；请核对剩余组合排放因子。",
)
POOR_DQR = Text(
    "Data quality rating {value} is worse than 3 (1 is best).",
    "数据质量评级 {value} 差于 3（1 为最好）。",
)
STALE_VERIFICATION = Text(
    "The verification statement is more than 18 months older than the end of the quarter ({end}).",
    "核查声明早于季度结束日期（{end}）18 个月以上。",
)
