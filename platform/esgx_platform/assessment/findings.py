"""Findings derived from an assessment result: weak or failing indicators and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from esgx_platform.assessment.scoring import (
    AssessmentResult,
    GateStatus,
    IndicatorResult,
    IndicatorStatus,
    shown,
)
from esgx_platform.i18n import Text

# Severity: HIGH for a mandatory rule failed or without data, or a score of 0 (nothing
# achieved, missing data included); MEDIUM below 25 points; LOW below 50 points. An indicator
# at 50 points or more whose mandatory rule holds has no finding. Scores as displayed.
FINDING_BELOW = Decimal(50)
MEDIUM_BELOW = Decimal(25)


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}

MANDATORY_TITLE = Text("{en}: mandatory requirement not met", "{zh}：未满足强制性要求")
MISSING_TITLE = Text("{en}: no data (scored 0)", "{zh}：无数据（得 0 分）")
SCORE_TITLE = Text("{en}: {score} of 100 points", "{zh}：得分 {score}/100")


@dataclass(frozen=True)
class Finding:
    indicator_id: str
    module_id: str
    metric: str
    severity: Severity
    score: Decimal  # as displayed, 2 decimals
    observed: Decimal | None
    title: Text
    action: Text

    def as_json(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator_id,
            "module": self.module_id,
            "metric": self.metric,
            "severity": self.severity.value,
            "score": str(self.score),
            "observed": None if self.observed is None else str(self.observed),
            "title": {"en": self.title.en, "zh": self.title.zh},
            "action": {"en": self.action.en, "zh": self.action.zh},
        }


def severity(result: IndicatorResult) -> Severity | None:
    """The severity of an indicator's finding, or None when it needs none."""
    score = shown(result.score)
    if result.mandatory in (GateStatus.FAILED, GateStatus.MISSING) or score == 0:
        return Severity.HIGH
    if score < MEDIUM_BELOW:
        return Severity.MEDIUM
    return Severity.LOW if score < FINDING_BELOW else None


def findings(result: AssessmentResult) -> tuple[Finding, ...]:
    """Every indicator needing attention, most severe first, in model order within a severity."""
    found: list[Finding] = []
    for module in result.modules:
        for indicator in module.indicators:
            level = severity(indicator)
            if level is not None:
                found.append(_finding(module.module.id, indicator, level))
    return tuple(sorted(found, key=lambda f: _ORDER[f.severity]))


def _finding(module_id: str, result: IndicatorResult, level: Severity) -> Finding:
    indicator = result.indicator
    name = indicator.name
    if result.mandatory in (GateStatus.FAILED, GateStatus.MISSING):
        title = MANDATORY_TITLE.format(en=name.en, zh=name.zh)
    elif result.status is IndicatorStatus.MISSING:
        title = MISSING_TITLE.format(en=name.en, zh=name.zh)
    else:
        title = SCORE_TITLE.format(en=name.en, zh=name.zh, score=shown(result.score))
    return Finding(
        indicator_id=indicator.id,
        module_id=module_id,
        metric=indicator.metric,
        severity=level,
        score=shown(result.score),
        observed=result.value,
        title=title,
        action=RECOMMENDATIONS[indicator.metric],
    )


RECOMMENDATIONS: dict[str, Text] = {
    "own_quarters_filed_pct": Text(
        "File the factory's own disclosure for every quarter within 30 days of the quarter's "
        "end; name an owner and a back-up for each filing.",
        "每个季度结束后 30 天内填报工厂自身披露；为每次填报指定负责人和备岗人员。",
    ),
    "own_verification_level": Text(
        "Commission an ISO 14064-3 (or ISAE 3410) verification of the annual inventory: "
        "limited assurance first, reasonable assurance as the next step.",
        "委托依据 ISO 14064-3（或 ISAE 3410）对年度温室气体清单进行核查：先取得有限保证，"
        "再提升至合理保证。",
    ),
    "own_target_status": Text(
        "Set a Scope 1+2 target of at least 4.2 % linear reduction a year from a base year no "
        "earlier than 2015, publish the commitment and submit it to SBTi for validation.",
        "设定范围一和范围二每年至少线性减排 4.2 % 的目标（基准年不早于 2015 年），"
        "公开承诺并提交 SBTi 验证。",
    ),
    "own_renewable_electricity_pct": Text(
        "Raise the renewable electricity share: extend rooftop photovoltaics, sign a green-power "
        "purchase agreement and cover the rest with green electricity certificates (GEC).",
        "提高可再生电力占比：扩建屋顶光伏，签订绿电交易协议，其余部分以绿色电力证书（GEC）覆盖。",
    ),
    "own_scope12_tco2e": Text(
        "Cut Scope 1+2 at the largest sources: audit compressed air, HVAC and process heat, "
        "recover waste heat and electrify fossil-fuelled equipment.",
        "从最大排放源入手削减范围一和范围二：对压缩空气、暖通空调和工艺热开展能源审计，"
        "回收余热，并将化石燃料设备电气化。",
    ),
    "own_scope12_yoy_pct": Text(
        "Plan the year's reduction projects (efficiency retrofits, waste-heat recovery, smart "
        "scheduling) sized to beat last year's Scope 1+2, and track their savings monthly.",
        "按超过上年范围一和范围二排放的减排量规划本年度减排项目（节能改造、余热回收、智能排产），"
        "并按月跟踪节能量。",
    ),
    "sbti_on_track": Text(
        "Close the gap to the 4.2 %-a-year path: bring forward the projects with the largest "
        "tCO2e savings and add renewable electricity to cover the shortfall.",
        "缩小与每年 4.2 % 减排路径的差距：提前实施减排量最大的项目，并增加可再生电力弥补缺口。",
    ),
    "sbti_progress_pct": Text(
        "Quantify each project's expected tCO2e saving against the target, schedule the largest "
        "first and report progress against the base year every quarter.",
        "对照目标量化每个项目的预期减排量，优先安排减排量最大的项目，并每季度报告相对基准年的进展。",
    ),
    "qualifying_offsets_tco2e": Text(
        "For the residual emissions, retire credits on a public registry within 12 months after "
        "the period end, with a vintage no later than the retirement year.",
        "针对剩余排放，在本期结束后 12 个月内于公开登记簿注销碳信用，且签发年份不晚于注销年份。",
    ),
    "offset_coverage_pct": Text(
        "After reductions, cover the residual Scope 1+2 with qualifying credits (a recognised "
        "standard, a public registry, retired within 12 months after the period).",
        "在减排之后，以合格碳信用（公认标准、公开登记簿、本期结束后 12 个月内注销）"
        "抵消剩余的范围一和范围二排放。",
    ),
    "net_scope12_tco2e": Text(
        "Bring net Scope 1+2 to zero: reduce first, then retire qualifying credits equal to the "
        "residual emissions before the 12-month deadline.",
        "将范围一和范围二净排放降至零：先减排，再在 12 个月期限前注销与剩余排放等量的合格碳信用。",
    ),
    "non_qualifying_offsets_tco2e": Text(
        "Replace non-qualifying credits: check registry, vintage, standard, serials and "
        "retirement date before buying, and keep every retirement statement.",
        "替换不合格碳信用：购买前核对登记簿、签发年份、核证标准、序列号和注销日期，并保存每份注销证明。",
    ),
    "scope3_supplier_data_pct": Text(
        "Invite the suppliers with the largest spend-based Scope 3 estimates to file signed "
        "disclosures on the platform, starting with purchased goods (category 1).",
        "邀请按支出法估算范围三排放最大的供应商在平台上提交签名披露，从外购商品（类别 1）开始。",
    ),
    "scope3_primary_data_pct": Text(
        "Ask the top suppliers by allocated emissions for measured activity data and product "
        "carbon footprints instead of secondary emission factors.",
        "请分配排放最大的供应商提供实测活动数据和产品碳足迹，以替代二手排放因子。",
    ),
    "scope3_coverage_by_spend_pct": Text(
        "Onboard the suppliers not yet reporting, in descending order of spend, until at least "
        "90 % of spend is covered.",
        "按采购额从高到低引导尚未填报的供应商加入平台，直至覆盖至少 90 % 的采购额。",
    ),
    "suppliers_on_time_pct_by_spend": Text(
        "Remind suppliers two weeks before each quarterly deadline, escalate late filers with "
        "the most spend to their account managers and write timely filing into contracts.",
        "在每个季度截止日期前两周提醒供应商，将采购额最大的迟报供应商升级至其客户经理，"
        "并将按时填报写入合同。",
    ),
    "suppliers_on_time_pct_by_count": Text(
        "Run a filing calendar with automatic reminders for every supplier and offer small "
        "suppliers that file late the spreadsheet upload and a short training.",
        "为所有供应商建立填报日历并自动提醒；为迟报的小型供应商提供表格上传方式和简短培训。",
    ),
    "suppliers_assured_pct_by_emissions": Text(
        "Ask the top suppliers by allocated emissions to obtain limited assurance of their "
        "inventories under ISO 14064-3.",
        "要求分配排放最大的供应商依据 ISO 14064-3 为其温室气体清单取得有限保证。",
    ),
    "suppliers_with_targets_pct_by_spend": Text(
        "Set a supplier-engagement target (e.g. 67 % of suppliers by spend with science-based "
        "targets within 5 years) and help the key suppliers set theirs.",
        "设定供应商参与目标（例如 5 年内按采购额 67 % 的供应商设定科学碳目标），"
        "并协助关键供应商设定目标。",
    ),
    "suppliers_renewable_above_threshold_pct_by_count": Text(
        "Help suppliers buy renewable electricity: share green-power and GEC options, pool "
        "purchases and prefer suppliers above the threshold in sourcing decisions.",
        "协助供应商采购可再生电力：分享绿电和绿证渠道，联合采购，并在采购决策中优先选择达标供应商。",
    ),
    "suppliers_with_footprints_pct_by_spend": Text(
        "Request cradle-to-gate product carbon footprints (PACT format) for the highest-spend "
        "purchased parts and use them in the Scope 3 calculation.",
        "就采购额最高的外购零部件索取从摇篮到大门的产品碳足迹（PACT 格式），并用于范围三核算。",
    ),
    "tier2_reporting_pct_by_spend": Text(
        "Ask key suppliers to collect emission data from their own suppliers, using the "
        "platform's invitations, and to report the share that reports.",
        "请关键供应商借助平台邀请功能向其自身供应商收集排放数据，并报告已填报的比例。",
    ),
    "allocated_supplier_emissions_yoy_pct": Text(
        "Agree reduction plans with the suppliers carrying the most allocated emissions and "
        "shift volume towards lower-carbon suppliers.",
        "与分配排放最大的供应商商定减排计划，并将采购量向低碳供应商转移。",
    ),
    "supplier_intensity_yoy_pct": Text(
        "Compare suppliers' emissions per million of spend within each category and add "
        "intensity reduction to sourcing scorecards and contracts.",
        "在各品类内比较供应商每百万采购额的排放量，并将强度降低纳入采购评分卡和合同。",
    ),
    "actions_closed_pct": Text(
        "Review open improvement actions monthly: give each an owner and a due date, and close "
        "or re-plan overdue ones with a recorded reason.",
        "每月复核未关闭的改进措施：为每项措施指定负责人和到期日，对逾期措施予以关闭或重新规划并记录原因。",
    ),
}
