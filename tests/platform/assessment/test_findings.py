"""Findings: which indicators need attention, how severe, and the recommended action."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from esgx_platform.assessment.findings import RECOMMENDATIONS, Severity, findings, severity
from esgx_platform.assessment.loading import load_model
from esgx_platform.assessment.metrics import METRICS
from esgx_platform.assessment.model import AssessmentModel
from esgx_platform.assessment.scoring import assess
from tests.platform.assessment.support import has_cjk, single_indicator_model, small_model

D = Decimal
RENEWABLES = "own_renewable_electricity_pct"
YOY = "own_scope12_yoy_pct"
ASSURED = "suppliers_assured_pct_by_emissions"


@pytest.fixture(scope="module")
def model() -> AssessmentModel:
    return load_model(small_model())


def test_findings_by_severity_with_titles_and_actions(model: AssessmentModel) -> None:
    result = assess(model, {RENEWABLES: D(25), YOY: D(-2), ASSURED: D(20)})
    # renewables 25 < mandatory 30 → high (score 8.33); yoy −2 / −10 × 100 = 20 < 25 → medium;
    # assured 20 / 50 × 100 = 40 < 50 → low.
    found = findings(result)
    assert [(f.indicator_id, f.severity) for f in found] == [
        ("renewables", Severity.HIGH),
        ("yoy", Severity.MEDIUM),
        ("assured", Severity.LOW),
    ]
    high, medium, low = found
    assert high.title.en == "Renewables: mandatory requirement not met"
    assert high.title.zh == "可再生电力：未满足强制性要求"
    assert (high.score, high.observed, high.module_id) == (D("8.33"), D(25), "reduction")
    assert medium.title.en == "Year on year: 20.00 of 100 points"
    assert low.action == RECOMMENDATIONS[ASSURED]
    assert "ISO 14064-3" in low.action.en


def test_sorted_by_severity_then_model_order(model: AssessmentModel) -> None:
    # renewables 50 passes (no finding), yoy −1 → 10 medium, assured 0 → high.
    found = findings(assess(model, {RENEWABLES: D(50), YOY: D(-1), ASSURED: D(0)}))
    assert [(f.indicator_id, f.severity) for f in found] == [
        ("assured", Severity.HIGH),
        ("yoy", Severity.MEDIUM),
    ]


def test_missing_data_is_a_high_finding(model: AssessmentModel) -> None:
    found = findings(assess(model, {RENEWABLES: D(80), YOY: D(-10)}))
    assert [(f.indicator_id, f.severity) for f in found] == [("assured", Severity.HIGH)]
    assert found[0].title.en == "Assured suppliers: no data (scored 0)"
    assert found[0].observed is None


def test_a_missing_mandatory_metric_is_high(model: AssessmentModel) -> None:
    found = findings(assess(model, {YOY: D(-10), ASSURED: D(50)}))
    assert [(f.indicator_id, f.severity) for f in found] == [("renewables", Severity.HIGH)]
    assert found[0].title.en == "Renewables: mandatory requirement not met"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", Severity.HIGH),  # 0 points
        ("24.99", Severity.MEDIUM),
        ("25", Severity.LOW),  # 25 is not below 25
        ("49.99", Severity.LOW),
        ("50", None),  # 50 is not below 50: no finding
        ("100", None),
    ],
)
def test_severity_thresholds(value: str, expected: Severity | None) -> None:
    # One indicator scoring 0 → 100 % one-to-one, so the value is the score.
    result = assess(load_model(single_indicator_model()), {ASSURED: D(value)})
    assert severity(result.modules[0].indicators[0]) is expected


def test_every_metric_has_a_bilingual_recommendation() -> None:
    assert set(RECOMMENDATIONS) == set(METRICS)
    for metric, action in RECOMMENDATIONS.items():
        assert len(action.en) > 40 and has_cjk(action.zh), metric


def test_finding_as_json(model: AssessmentModel) -> None:
    (finding,) = findings(assess(model, {RENEWABLES: D(80), YOY: D(-10), ASSURED: D(20)}))
    data = finding.as_json()
    assert json.loads(json.dumps(data)) == data
    assert data["severity"] == "low"
    assert (data["score"], data["observed"]) == ("40.00", "20")
    assert data["title"]["en"] == "Assured suppliers: 40.00 of 100 points"
