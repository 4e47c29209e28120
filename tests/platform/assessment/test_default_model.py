"""The default model shipped with the package, and the metric registry it draws on."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

from esgx_platform.assessment.loading import DEFAULT_MODEL_FILE, default_model, load_model_file
from esgx_platform.assessment.metrics import METRICS, MetricGroup
from esgx_platform.assessment.model import Bound, ClaimType, GateKind
from esgx_platform.assessment.scoring import assess
from tests.platform.assessment.support import has_cjk

EXPECTED_METRICS = {
    MetricGroup.OWN_OPERATIONS: {
        "own_quarters_filed_pct",
        "own_verification_level",
        "own_target_status",
        "own_renewable_electricity_pct",
        "own_scope12_tco2e",
        "own_scope12_yoy_pct",
        "sbti_on_track",
        "sbti_progress_pct",
        "qualifying_offsets_tco2e",
        "offset_coverage_pct",
        "net_scope12_tco2e",
        "non_qualifying_offsets_tco2e",
    },
    MetricGroup.SUPPLY_CHAIN: {
        "scope3_supplier_data_pct",
        "scope3_primary_data_pct",
        "scope3_coverage_by_spend_pct",
        "suppliers_on_time_pct_by_spend",
        "suppliers_on_time_pct_by_count",
        "suppliers_assured_pct_by_emissions",
        "suppliers_with_targets_pct_by_spend",
        "suppliers_renewable_above_threshold_pct_by_count",
        "suppliers_with_footprints_pct_by_spend",
        "tier2_reporting_pct_by_spend",
    },
    MetricGroup.IMPROVEMENT: {
        "allocated_supplier_emissions_yoy_pct",
        "supplier_intensity_yoy_pct",
        "actions_closed_pct",
    },
}


def test_registry_has_exactly_the_agreed_metric_names_by_group() -> None:
    for group, names in EXPECTED_METRICS.items():
        assert {m.name for m in METRICS.values() if m.group is group} == names


def test_every_metric_is_labelled_and_described_in_both_languages() -> None:
    for name, metric in METRICS.items():
        assert metric.name == name
        assert metric.unit in {"%", "tCO2e", "level", "flag"}
        for text in (metric.label, metric.description):
            assert text.en.strip() and has_cjk(text.zh), name


def test_units_follow_the_names() -> None:
    for name, metric in METRICS.items():
        if name.endswith("_pct"):
            assert metric.unit == "%", name
        if name.endswith("_tco2e"):
            assert metric.unit == "tCO2e", name


def test_default_model_loads_and_names_only_registered_metrics() -> None:
    model = default_model()
    assert (model.id, model.version) == ("esgx-zero-carbon-factory", "1.0.0")
    assert model.claim_type is ClaimType.ISO_14068_1
    metrics = [i.metric for m in model.modules for i in m.indicators]
    assert metrics and all(metric in METRICS for metric in metrics)
    assert len(model.sha256) == 64


def test_default_model_modules_and_grades_follow_the_domain_brief() -> None:
    model = default_model()
    assert [(m.id, m.name.zh) for m in model.modules] == [
        ("carbon_management", "碳管理"),
        ("carbon_reduction", "碳减排"),
        ("carbon_offset", "碳抵消"),
        ("carbon_neutrality", "碳中和"),
        ("responsibility_extension", "责任延伸"),
        ("continuous_improvement", "持续改进"),
    ]
    assert [(g.id, g.name.zh) for g in model.grades] == [
        ("not_qualified", "不合格"),
        ("near_zero", "近零碳"),
        ("zero_carbon", "零碳"),
        ("leading", "领先"),
    ]
    assert sum(m.weight for m in model.modules) == 100


def test_zero_carbon_needs_net_scope12_at_most_zero_and_leading_a_strong_chain() -> None:
    model = default_model()
    zero_carbon = next(g for g in model.grades if g.id == "zero_carbon")
    net = [g for g in zero_carbon.gates if g.kind is GateKind.METRIC]
    assert [(g.ref, g.rule.bound, g.rule.threshold) for g in net] == [
        ("net_scope12_tco2e", Bound.MAX, Decimal(0))
    ]
    leading = next(g for g in model.grades if g.id == "leading")
    assert [(g.kind, g.ref) for g in leading.gates] == [
        (GateKind.MODULE_SCORE, "responsibility_extension")
    ]


def test_default_model_says_its_weights_are_illustrative() -> None:
    notes = default_model().notes
    assert notes is not None
    assert "not public" in notes.en and "未公开" in notes.zh


def test_the_packaged_file_loads_from_its_path_too() -> None:
    resource = resources.files("esgx_platform.assessment").joinpath(DEFAULT_MODEL_FILE)
    with resources.as_file(resource) as path:
        assert load_model_file(path).sha256 == default_model().sha256


def test_default_model_extremes() -> None:
    """Every metric at its indicators' leading value and net zero reaches "leading"; no data
    at all scores 0 and stays "not qualified"."""
    model = default_model()
    best = {i.metric: i.leading for m in model.modules for i in m.indicators}
    best["net_scope12_tco2e"] = Decimal(0)
    top = assess(model, best)
    assert (top.total, top.grade.id) == (Decimal(100), "leading")
    empty = assess(model, {})
    assert (empty.total, empty.grade.id) == (Decimal(0), "not_qualified")
