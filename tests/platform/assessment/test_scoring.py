"""Scoring worked examples: linear clamp, weighting, missing data, gates and grades."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from esgx_platform.assessment.loading import load_model
from esgx_platform.assessment.model import AssessmentModel
from esgx_platform.assessment.scoring import (
    AssessmentResult,
    GateStatus,
    IndicatorStatus,
    assess,
    indicator_score,
    shown,
)
from tests.platform.assessment.support import single_indicator_model, small_model

D = Decimal


@pytest.fixture(scope="module")
def model() -> AssessmentModel:
    return load_model(small_model())


def _metrics(**values: str | None) -> dict[str, Decimal | None]:
    names = {
        "renewables": "own_renewable_electricity_pct",
        "yoy": "own_scope12_yoy_pct",
        "assured": "suppliers_assured_pct_by_emissions",
        "net": "net_scope12_tco2e",
    }
    return {names[k]: None if v is None else D(v) for k, v in values.items()}


def _indicator_scores(result: AssessmentResult) -> dict[str, Decimal]:
    return {i.indicator.id: i.score for m in result.modules for i in m.indicators}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", D(50)),  # (50 − 20) / (80 − 20) × 100 = 50
        ("35", D(25)),  # (35 − 20) / 60 × 100 = 25
        ("80", D(100)),  # at the leading value
        ("20", D(0)),  # at the baseline
        ("95", D(100)),  # above leading: clamped to 100
        ("10", D(0)),  # below baseline: clamped to 0
    ],
)
def test_higher_is_better(model: AssessmentModel, value: str, expected: Decimal) -> None:
    assert indicator_score(model.indicator("renewables"), D(value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-4", D(40)),  # (−4 − 0) / (−10 − 0) × 100 = 40
        ("-2.5", D(25)),  # −2.5 / −10 × 100 = 25
        ("0", D(0)),  # no reduction: the baseline
        ("5", D(0)),  # emissions grew: clamped to 0
        ("-15", D(100)),  # beat the leading −10 %: clamped to 100
    ],
)
def test_lower_is_better(model: AssessmentModel, value: str, expected: Decimal) -> None:
    score = indicator_score(model.indicator("yoy"), D(value))
    assert score == expected
    assert not score.is_signed()  # never "-0"


def test_module_and_total_are_weighted_means(model: AssessmentModel) -> None:
    result = assess(model, _metrics(renewables="50", yoy="-4", assured="30", net="10"))
    # renewables 50, yoy 40 → reduction = (75 × 50 + 25 × 40) / 100 = 47.5
    # assured (30 − 0) / (50 − 0) × 100 = 60 → extension = 60
    # total = (60 × 47.5 + 40 × 60) / 100 = 28.5 + 24 = 52.5
    assert _indicator_scores(result) == {"renewables": 50, "yoy": 40, "assured": 60}
    assert [m.score for m in result.modules] == [D("47.5"), D(60)]
    assert result.total == D("52.5")
    assert result.grade.id == "bronze"  # 52.5 ≥ 40 and renewables 50 ≥ 30; silver needs 60


def test_a_missing_metric_scores_zero_and_is_flagged(model: AssessmentModel) -> None:
    result = assess(model, _metrics(renewables="80", yoy=None, net="0"))
    # yoy None and assured absent score 0: reduction = (75 × 100 + 25 × 0) / 100 = 75,
    # extension 0, total = 0.6 × 75 = 45.
    statuses = {i.indicator.id: i.status for m in result.modules for i in m.indicators}
    assert statuses == {
        "renewables": IndicatorStatus.SCORED,
        "yoy": IndicatorStatus.MISSING,
        "assured": IndicatorStatus.MISSING,
    }
    assert result.total == D(45)
    assert result.missing_metrics == (
        "own_scope12_yoy_pct",
        "suppliers_assured_pct_by_emissions",
    )


def test_a_failed_mandatory_gate_blocks_the_grade_and_says_why(model: AssessmentModel) -> None:
    result = assess(model, _metrics(renewables="25", yoy="-10", assured="50", net="0"))
    # renewables (25 − 20) / 60 × 100 = 8.33…; reduction = 0.75 × 8.33… + 0.25 × 100 = 31.25
    # total = 0.6 × 31.25 + 0.4 × 100 = 58.75: enough points for bronze (40), but 25 < 30.
    assert result.total == D("58.75")
    assert result.grade.id == "none"
    bronze = result.grades[1]
    assert bronze.score_met and not bronze.reached
    gate = bronze.gates[0]
    assert (gate.status, gate.observed) == (GateStatus.FAILED, D(25))
    assert gate.explanation.en == "Renewables: 25 %; required at least 30 %."
    assert gate.explanation.zh == "可再生电力：25 %；要求不低于 30 %。"
    assert bronze.reasons == (gate.explanation,)
    assert result.modules[0].indicators[0].mandatory is GateStatus.FAILED


def test_a_metric_gate_blocks_the_grade(model: AssessmentModel) -> None:
    result = assess(model, _metrics(renewables="80", yoy="-10", assured="25", net="5"))
    # reduction 100, extension 25 / 50 × 100 = 50 → total 60 + 20 = 80, yet net 5 > 0.
    assert result.total == D(80)
    assert result.grade.id == "bronze"
    silver, gold = result.grades[2:]
    assert silver.score_met and not silver.reached
    assert silver.gates[0].status is GateStatus.FAILED
    assert "Net Scope 1+2 emissions: 5 tCO2e; required at most 0 tCO2e." in [
        r.en for r in silver.reasons
    ]
    # Gold's own score is met but its module gate fails, and silver below is not reached.
    assert gold.gates[0].status is GateStatus.FAILED
    assert gold.gates[0].observed == D("50.00")
    assert [r.en for r in gold.reasons] == [
        "The grade below, Silver, is not reached.",
        "Extension module score: 50.00; required at least 90.",
    ]


def test_a_module_score_gate_separates_the_top_grade(model: AssessmentModel) -> None:
    silver = assess(model, _metrics(renewables="80", yoy="-10", assured="25", net="0"))
    assert silver.grade.id == "silver"
    gold = assess(model, _metrics(renewables="80", yoy="-10", assured="50", net="-1"))
    assert (gold.total, gold.grade.id) == (D(100), "gold")
    assert all(outcome.reached for outcome in gold.grades)


def test_a_missing_gate_metric_never_passes(model: AssessmentModel) -> None:
    result = assess(model, _metrics(renewables="80", yoy="-10", assured="50"))
    silver = result.grades[2]
    assert silver.gates[0].status is GateStatus.MISSING
    assert silver.gates[0].explanation.en == (
        "Net Scope 1+2 emissions: no data; required at most 0 tCO2e."
    )
    assert result.grade.id == "bronze"


def test_score_thresholds_are_judged_as_displayed() -> None:
    # One indicator 0 → 100 %: the score equals the value. 59.995 shows as 60.00 (half-up).
    model = load_model(single_indicator_model(grade_min="60"))
    shown_sixty = assess(model, {"suppliers_assured_pct_by_emissions": D("59.995")})
    assert shown_sixty.as_json()["total"] == "60.00"
    assert shown_sixty.grade.id == "pass"
    below = assess(model, {"suppliers_assured_pct_by_emissions": D("59.994")})
    assert below.as_json()["total"] == "59.99"
    assert below.grade.id == "none"


def test_rounding_is_half_up_and_only_at_output(model: AssessmentModel) -> None:
    # renewables 27.407 → (27.407 − 20) / 60 × 100 = 12.345 exactly; half-up → 12.35
    result = assess(model, _metrics(renewables="27.407"))
    score = result.modules[0].indicators[0].score
    assert score == D("12.345")
    assert shown(score) == D("12.35")
    assert result.as_json()["modules"][0]["indicators"][0]["score"] == "12.35"
    # Unrounded in the result: 12.345 × 0.75 = 9.25875 for the module, × 0.6 = 5.55525 total.
    assert result.modules[0].score == D("9.25875")
    assert result.total == D("5.55525")
    assert result.as_json()["total"] == "5.56"


def test_as_json_is_plain_json_with_decimal_strings(model: AssessmentModel) -> None:
    result = assess(model, _metrics(renewables="50", yoy="-4", assured="30", net="10"))
    data = result.as_json()
    assert json.loads(json.dumps(data)) == data  # nothing but JSON types
    assert data["model"] == {"id": "test-model", "version": "1.0.0", "sha256": model.sha256}
    assert data["total"] == "52.50"
    assert data["grade"] == {"id": "bronze", "name": {"en": "Bronze", "zh": "铜"}}
    assert data["modules"][0]["score"] == "47.50"
    assert data["modules"][0]["indicators"][0] == {
        "id": "renewables",
        "metric": "own_renewable_electricity_pct",
        "name": {"en": "Renewables", "zh": "可再生电力"},
        "weight": "75",
        "value": "50",
        "score": "50.00",
        "status": "scored",
        "mandatory": "passed",
    }
    silver_gate = data["grades"][2]["gates"][0]
    assert silver_gate["status"] == "failed"
    assert (silver_gate["observed"], silver_gate["threshold"]) == ("10", "0")
    assert data["missingMetrics"] == []
