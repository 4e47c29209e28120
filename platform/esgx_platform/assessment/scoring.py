"""Scoring an assessment model against a period's metrics: indicators, modules, total and grade."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from esgx_platform.assessment.metrics import METRICS
from esgx_platform.assessment.model import (
    AssessmentModel,
    Bound,
    Gate,
    GateKind,
    Grade,
    Indicator,
    Module,
    Rule,
)
from esgx_platform.i18n import Text

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

_BOUND_WORDS = {Bound.MIN: ("at least", "不低于"), Bound.MAX: ("at most", "不高于")}
# Ordinal codes and flags read oddly with a unit after them ("2 level").
_SILENT_UNITS = frozenset({"level", "flag"})

OBSERVED = Text(
    "{what}: {value}; required {bound_en} {threshold}.",
    "{what}：{value}；要求{bound_zh} {threshold}。",
)
NO_DATA = Text(
    "{what}: no data; required {bound_en} {threshold}.",
    "{what}：无数据；要求{bound_zh} {threshold}。",
)
MODULE_SCORE = Text("{en} module score", "{zh}模块得分")
BELOW_MIN_SCORE = Text(
    "The total score {total} is below the grade's minimum of {minimum}.",
    "总分 {total} 低于该等级的最低分 {minimum}。",
)
LOWER_NOT_REACHED = Text("The grade below, {en}, is not reached.", "尚未达到低一级等级（{zh}）。")


class IndicatorStatus(StrEnum):
    SCORED = "scored"
    MISSING = "missing"  # the metric was not available: scores 0


class GateStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    MISSING = "missing"  # no value to judge: never passes


@dataclass(frozen=True)
class IndicatorResult:
    indicator: Indicator
    value: Decimal | None
    score: Decimal  # 0-100, unrounded
    status: IndicatorStatus
    mandatory: GateStatus | None  # the indicator's mandatory rule; None when it has none


@dataclass(frozen=True)
class ModuleResult:
    module: Module
    score: Decimal  # weighted mean of the indicator scores, unrounded
    indicators: tuple[IndicatorResult, ...]


@dataclass(frozen=True)
class GateOutcome:
    gate: Gate
    status: GateStatus
    observed: Decimal | None
    explanation: Text


@dataclass(frozen=True)
class GradeOutcome:
    grade: Grade
    score_met: bool
    gates: tuple[GateOutcome, ...]
    reached: bool  # its own conditions hold and the grade below is reached
    reasons: tuple[Text, ...]  # why it is not reached; empty when it is


@dataclass(frozen=True)
class AssessmentResult:
    model: AssessmentModel
    total: Decimal  # weighted mean of the module scores, unrounded
    grade: Grade  # the highest grade reached
    modules: tuple[ModuleResult, ...]
    grades: tuple[GradeOutcome, ...]

    @property
    def missing_metrics(self) -> tuple[str, ...]:
        """Metrics some indicator needed but the input lacked, in model order, once each."""
        names = (
            i.indicator.metric
            for m in self.modules
            for i in m.indicators
            if i.status is IndicatorStatus.MISSING
        )
        return tuple(dict.fromkeys(names))

    def as_json(self) -> dict[str, Any]:
        """Plain JSON: numbers as decimal strings, scores rounded half-up to 2 decimals."""
        return {
            "model": {
                "id": self.model.id,
                "version": self.model.version,
                "sha256": self.model.sha256,
            },
            "claimType": self.model.claim_type.value,
            "total": _score_text(self.total),
            "grade": {"id": self.grade.id, "name": _text(self.grade.name)},
            "modules": [_module_json(m) for m in self.modules],
            "grades": [_grade_json(g) for g in self.grades],
            "missingMetrics": list(self.missing_metrics),
        }


def shown(score: Decimal) -> Decimal:
    """A score as displayed: rounded half-up to 2 decimals."""
    return score.quantize(CENT, rounding=ROUND_HALF_UP)


def indicator_score(indicator: Indicator, value: Decimal) -> Decimal:
    """Points for `value`: 0 at the baseline, 100 at the leading value, linear in between and
    clamped outside. Works either way round: for "lower is better" leading < baseline."""
    fraction = (value - indicator.baseline) / (indicator.leading - indicator.baseline)
    if fraction <= 0:
        return ZERO  # also turns a negative zero into zero
    return HUNDRED if fraction >= 1 else fraction * HUNDRED


def assess(model: AssessmentModel, metrics: Mapping[str, Decimal | None]) -> AssessmentResult:
    """Score `model` on `metrics` (a missing or None metric scores 0) and find the grade.

    Score thresholds (a grade's minScore, a moduleScore gate) are judged on the score as shown,
    rounded to 2 decimals, so a displayed "60.00" never fails a minimum of 60.
    """
    modules = tuple(_score_module(module, metrics) for module in model.modules)
    total = _weighted_mean((m.module.weight, m.score) for m in modules)
    grades = _judge_grades(model, total, modules, metrics)
    reached = [outcome.grade for outcome in grades if outcome.reached]
    # The schema makes the first grade a floor (minScore 0, no gates): it is always reached.
    return AssessmentResult(model, total, reached[-1], modules, grades)


def _score_module(module: Module, metrics: Mapping[str, Decimal | None]) -> ModuleResult:
    results = tuple(_score_indicator(i, metrics.get(i.metric)) for i in module.indicators)
    score = _weighted_mean((r.indicator.weight, r.score) for r in results)
    return ModuleResult(module, score, results)


def _score_indicator(indicator: Indicator, value: Decimal | None) -> IndicatorResult:
    rule = indicator.mandatory
    if value is None:
        mandatory = None if rule is None else GateStatus.MISSING
        return IndicatorResult(indicator, None, ZERO, IndicatorStatus.MISSING, mandatory)
    mandatory = None if rule is None else _judge(rule, value)
    score = indicator_score(indicator, value)
    return IndicatorResult(indicator, value, score, IndicatorStatus.SCORED, mandatory)


def _weighted_mean(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    # Dividing by the weights' sum (100 for a checked model) keeps the mean right for any model.
    items = list(pairs)
    weights = sum((weight for weight, _ in items), ZERO)
    return sum((weight * score for weight, score in items), ZERO) / weights


def _judge(rule: Rule, value: Decimal | None) -> GateStatus:
    if value is None:
        return GateStatus.MISSING
    return GateStatus.PASSED if rule.holds(value) else GateStatus.FAILED


def _judge_grades(
    model: AssessmentModel,
    total: Decimal,
    modules: tuple[ModuleResult, ...],
    metrics: Mapping[str, Decimal | None],
) -> tuple[GradeOutcome, ...]:
    outcomes: list[GradeOutcome] = []
    for grade in model.grades:
        gates = tuple(_judge_gate(gate, model, modules, metrics) for gate in grade.gates)
        score_met = shown(total) >= grade.min_score
        reasons: list[Text] = []
        if outcomes and not outcomes[-1].reached:
            below = outcomes[-1].grade.name
            reasons.append(LOWER_NOT_REACHED.format(en=below.en, zh=below.zh))
        if not score_met:
            reasons.append(BELOW_MIN_SCORE.format(total=shown(total), minimum=grade.min_score))
        reasons.extend(g.explanation for g in gates if g.status is not GateStatus.PASSED)
        outcomes.append(GradeOutcome(grade, score_met, gates, not reasons, tuple(reasons)))
    return tuple(outcomes)


def _judge_gate(
    gate: Gate,
    model: AssessmentModel,
    modules: tuple[ModuleResult, ...],
    metrics: Mapping[str, Decimal | None],
) -> GateOutcome:
    if gate.kind is GateKind.MODULE_SCORE:
        module = next(m for m in modules if m.module.id == gate.ref)
        observed: Decimal | None = shown(module.score)
        name = module.module.name
        what, unit = MODULE_SCORE.format(en=name.en, zh=name.zh), ""
    elif gate.kind is GateKind.MANDATORY:
        indicator = model.indicator(gate.ref)
        observed, what, unit = metrics.get(indicator.metric), indicator.name, indicator.unit
    else:
        metric = METRICS[gate.ref]
        observed, what, unit = metrics.get(gate.ref), metric.label, metric.unit
    status = _judge(gate.rule, observed)
    return GateOutcome(gate, status, observed, _explain(gate.rule, observed, what, unit))


def _explain(rule: Rule, observed: Decimal | None, what: Text, unit: str) -> Text:
    bound_en, bound_zh = _BOUND_WORDS[rule.bound]
    template = NO_DATA if observed is None else OBSERVED
    value = "" if observed is None else _with_unit(observed, unit)
    threshold = _with_unit(rule.threshold, unit)
    words = {"value": value, "threshold": threshold, "bound_en": bound_en, "bound_zh": bound_zh}
    return Text(
        template.en.format(what=what.en, **words), template.zh.format(what=what.zh, **words)
    )


def _with_unit(value: Decimal, unit: str) -> str:
    return str(value) if not unit or unit in _SILENT_UNITS else f"{value} {unit}"


def _text(text: Text) -> dict[str, str]:
    return {"en": text.en, "zh": text.zh}


def _score_text(score: Decimal) -> str:
    return str(shown(score))


def _number(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _module_json(result: ModuleResult) -> dict[str, Any]:
    return {
        "id": result.module.id,
        "name": _text(result.module.name),
        "weight": str(result.module.weight),
        "score": _score_text(result.score),
        "indicators": [_indicator_json(i) for i in result.indicators],
    }


def _indicator_json(result: IndicatorResult) -> dict[str, Any]:
    return {
        "id": result.indicator.id,
        "metric": result.indicator.metric,
        "name": _text(result.indicator.name),
        "weight": str(result.indicator.weight),
        "value": _number(result.value),
        "score": _score_text(result.score),
        "status": result.status.value,
        "mandatory": None if result.mandatory is None else result.mandatory.value,
    }


def _grade_json(outcome: GradeOutcome) -> dict[str, Any]:
    return {
        "id": outcome.grade.id,
        "name": _text(outcome.grade.name),
        "minScore": str(outcome.grade.min_score),
        "scoreMet": outcome.score_met,
        "reached": outcome.reached,
        "gates": [_gate_json(g) for g in outcome.gates],
        "reasons": [_text(r) for r in outcome.reasons],
    }


def _gate_json(outcome: GateOutcome) -> dict[str, Any]:
    return {
        "type": outcome.gate.kind.value,
        "ref": outcome.gate.ref,
        "bound": outcome.gate.rule.bound.value,
        "threshold": str(outcome.gate.rule.threshold),
        "status": outcome.status.value,
        "observed": _number(outcome.observed),
        "explanation": _text(outcome.explanation),
    }
