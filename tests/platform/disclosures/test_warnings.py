"""Warnings are reported with a path and both languages, and never reject a disclosure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from esgx_platform.disclosures.rules import (
    PriorFigures,
    RuleContext,
    check_rules,
    validate_disclosure,
)
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.disclosures.warning_rules import months_before
from esgx_platform.errors import FieldError
from tests.platform.disclosures.support import (
    assert_error,
    example_context,
    example_footprint,
    example_subject,
    tampered,
)

ROOT = "$.credentialSubject"


def _warnings(subject: dict[str, Any], context: RuleContext) -> tuple[FieldError, ...]:
    outcome = check_rules(parse_disclosure(subject), context)
    assert outcome.errors == ()
    return outcome.warnings


def test_year_on_year_change_over_30_percent() -> None:
    # 3095.17 now against 2000.00 a year ago: +54.8 %; intensity 35.78 against 30.00: +19.3 %.
    context = example_context(previous_year=PriorFigures(Decimal("2000.00"), Decimal("30.00")))
    warnings = _warnings(example_subject(), context)
    assert_error(warnings, ROOT, "changed by 54.8 % against the same quarter last year")
    assert_error(warnings, ROOT, "Intensity per CNY million changed by 19.3 %")
    assert "19.3 %" in warnings[0].message.zh


@pytest.mark.parametrize(
    ("before", "warns"),
    [
        ("3000.00", False),  # +3.2 %
        ("2380.90", False),  # +30.0 %: not over 30 %
        ("2380.00", True),  # +30.05 %
        ("4421.67", False),  # -30.0 %
        ("4430.00", True),  # -30.1 %
    ],
)
def test_year_on_year_threshold(before: str, warns: bool) -> None:
    context = example_context(previous_year=PriorFigures(Decimal(before)))
    assert bool(_warnings(example_subject(), context)) is warns


def test_emissions_after_a_zero_year_warn() -> None:
    context = example_context(previous_year=PriorFigures(Decimal("0.00")))
    assert_error(_warnings(example_subject(), context), ROOT, "was 0 in the same quarter")


def test_intensity_far_outside_the_category_range() -> None:
    # IQR 1-2: the far-out fences are 1 - 3 = -2 and 2 + 3 = 5; 35.78 is beyond them.
    context = example_context(category_intensity_iqr=(Decimal(1), Decimal(2)))
    warnings = _warnings(example_subject(), context)
    assert_error(warnings, ROOT, "Intensity of 35.78 tCO2e per CNY million")
    assert_error(warnings, ROOT, "-2.00 to 5.00")


def test_intensity_is_skipped_for_other_currencies() -> None:
    subject = tampered(example_subject(), ("activity", "revenue", "currency"), "USD")
    context = example_context(category_intensity_iqr=(Decimal(1), Decimal(2)))
    assert _warnings(subject, context) == ()


def test_scope2_methods_differ_without_instruments() -> None:
    subject = tampered(example_subject(), ("energy", "renewableInstruments"), [])
    subject["energy"]["renewableElectricityMwh"] = "0.00"
    warnings = _warnings(subject, example_context())
    assert_error(warnings, f"{ROOT}.scope2.marketBasedTco2e", "no renewable instruments")


def test_equal_scope2_methods_without_instruments_do_not_warn() -> None:
    subject = tampered(example_subject(), ("energy", "renewableInstruments"), [])
    subject["energy"]["renewableElectricityMwh"] = "0.00"
    subject["scope2"]["locationBasedTco2e"] = "2282.77"
    assert _warnings(subject, example_context()) == ()


@pytest.mark.parametrize(("value", "warns"), [("3.0", False), ("3.1", True), ("5", True)])
def test_data_quality_rating_worse_than_3(value: str, warns: bool) -> None:
    subject = tampered(example_subject(), ("dataQuality", "temporalDQR"), value)
    warnings = _warnings(subject, example_context())
    if warns:
        assert_error(warnings, f"{ROOT}.dataQuality.temporalDQR", f"rating {value} is worse")
    else:
        assert warnings == ()


def test_footprint_data_quality_rating_worse_than_3() -> None:
    footprint = example_footprint()
    footprint["pcf"]["dqi"]["geographicalDQR"] = "4.2"
    subject = tampered(example_subject(), ("productFootprints",), [footprint])
    warnings = _warnings(subject, example_context())
    assert_error(warnings, f"{ROOT}.productFootprints[0].pcf.dqi.geographicalDQR", "4.2")


@pytest.mark.parametrize(
    ("statement", "level", "warns"),
    [
        ("2024-03-30", "limited", False),  # exactly 18 months before 2025-09-30
        ("2024-03-29", "limited", True),
        ("2021-01-01", "reasonable", True),
        ("2021-01-01", "none", False),  # nothing was verified, so nothing is stale
    ],
)
def test_verification_older_than_18_months_before_the_quarter_end(
    statement: str, level: str, warns: bool
) -> None:
    subject = tampered(example_subject(), ("verification", "statementDate"), statement)
    subject["verification"]["level"] = level
    warnings = _warnings(subject, example_context())
    if warns:
        assert_error(warnings, f"{ROOT}.verification.statementDate", "more than 18 months")
    else:
        assert warnings == ()


def test_months_before_clamps_to_the_end_of_the_month() -> None:
    assert months_before(date(2025, 9, 30), 18) == date(2024, 3, 30)
    assert months_before(date(2025, 8, 31), 18) == date(2024, 2, 29)
    assert months_before(date(2025, 12, 31), 12) == date(2024, 12, 31)
    assert months_before(date(2025, 1, 15), 1) == date(2024, 12, 15)


def test_warnings_do_not_reject() -> None:
    subject = tampered(example_subject(), ("dataQuality", "temporalDQR"), "4.5")
    context = example_context(previous_year=PriorFigures(Decimal("1000.00")))
    checked = validate_disclosure(subject, context)
    assert [w.path for w in checked.warnings] == [ROOT, f"{ROOT}.dataQuality.temporalDQR"]
