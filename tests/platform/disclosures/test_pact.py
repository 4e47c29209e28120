"""PACT v3 footprints, filed alone or inside a disclosure: parsed strictly, extensions tolerated."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from esgx_platform.disclosures.model import DeclaredUnit, FootprintStatus
from esgx_platform.disclosures.pact import parse_product_footprint
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.errors import FieldError, InvalidInput
from tests.platform.disclosures.support import (
    DELETE,
    FOOTPRINT_ID,
    Step,
    assert_error,
    example_footprint,
    example_subject,
    tampered,
)

ROOT = "$.credentialSubject"


def _errors(subject: Any) -> tuple[FieldError, ...]:
    with pytest.raises(InvalidInput) as caught:
        parse_product_footprint(subject)
    return tuple(caught.value.errors)


def test_stand_alone_footprint_parses() -> None:
    footprint = parse_product_footprint(example_footprint())
    assert footprint.id == FOOTPRINT_ID
    assert footprint.status is FootprintStatus.ACTIVE
    assert footprint.company_ids == ("urn:esgx:org:91320500MA1N2K3P99",)
    assert footprint.pcf.declared_unit_of_measurement is DeclaredUnit.PIECE
    assert footprint.pcf.pcf_excluding_biogenic_uptake == Decimal("5.31")
    assert footprint.pcf.reference_period_start == datetime(2025, 7, 1, tzinfo=UTC)
    assert footprint.pcf.ipcc_characterization_factors == ("AR6",)
    assert footprint.pcf.dqi is not None
    assert footprint.pcf.dqi.technological_dqr == Decimal("2.0")
    assert footprint.preceding_pf_ids == ()


def test_pact_example_shape_with_negative_biogenic_uptake() -> None:
    # PACT's own example-1: uptake makes the footprint including it negative.
    footprint = example_footprint()
    footprint["pcf"].update(
        {
            "pcfExcludingBiogenicUptake": "0.384",
            "pcfIncludingBiogenicUptake": "-1.23",
            "biogenicCO2Uptake": "-1.61",
            "productOrSectorSpecificRules": [{"operator": "Other", "ruleNames": ["TfS"]}],
        }
    )
    assert parse_product_footprint(footprint).pcf.pcf_including_biogenic_uptake == Decimal("-1.23")


MALFORMED: list[tuple[str, tuple[Step, ...], Any, str, str]] = [
    ("missing-pcf", ("pcf",), DELETE, "pcf", "Missing data"),
    (
        "missing-declared-amount",
        ("pcf", "declaredUnitAmount"),
        DELETE,
        "pcf.declaredUnitAmount",
        "Missing data",
    ),
    (
        "zero-declared-amount",
        ("pcf", "declaredUnitAmount"),
        "0",
        "pcf.declaredUnitAmount",
        "greater than 0",
    ),
    (
        "number-not-string",
        ("pcf", "fossilGhgEmissions"),
        5.28,
        "pcf.fossilGhgEmissions",
        "JSON numbers",
    ),
    ("negative-fossil", ("pcf", "fossilGhgEmissions"), "-1", "pcf.fossilGhgEmissions", "negative"),
    ("id-not-uuid", ("id",), "pf-1", "id", "UUID"),
    ("version-2", ("specVersion",), "2.2.0", "specVersion", "PACT 3.x"),
    ("status", ("status",), "active", "status", "Active, Deprecated"),
    ("company-id-not-urn", ("companyIds", 0), "91320500MA1N2K3P99", "companyIds[0]", "URN"),
    ("no-product-ids", ("productIds",), [], "productIds", "at least 1"),
    (
        "unit",
        ("pcf", "declaredUnitOfMeasurement"),
        "pieces",
        "pcf.declaredUnitOfMeasurement",
        "megabit second",
    ),
    ("created-without-zone", ("created",), "2025-10-05T09:00:00", "created", "time zone"),
    (
        "period-backwards",
        ("pcf", "referencePeriodEnd"),
        "2025-06-30T00:00:00Z",
        "pcf.referencePeriodEnd",
        "later than referencePeriodStart",
    ),
    (
        "validity-backwards",
        ("validityPeriodEnd",),
        "2025-01-01T00:00:00Z",
        "validityPeriodEnd",
        "later than validityPeriodStart",
    ),
    (
        "two-geographies",
        ("pcf", "geographyCountrySubdivision"),
        "CN-TJ",
        "pcf.geographyCountrySubdivision",
        "at most one",
    ),
    (
        "region",
        ("pcf", "geographyRegionOrSubregion"),
        "Far East",
        "pcf.geographyRegionOrSubregion",
        "M49",
    ),
    (
        "uptake-raises-footprint",
        ("pcf", "pcfIncludingBiogenicUptake"),
        "5.40",
        "pcf.pcfIncludingBiogenicUptake",
        "cannot exceed",
    ),
    ("precedes-itself", ("precedingPfIds",), [str(FOOTPRINT_ID)], "precedingPfIds", "its own id"),
    (
        "ipcc-format",
        ("pcf", "ipccCharacterizationFactors", 0),
        "AR-6",
        "pcf.ipccCharacterizationFactors[0]",
        '"AR6"',
    ),
    (
        "no-standards",
        ("pcf", "crossSectoralStandards"),
        [],
        "pcf.crossSectoralStandards",
        "at least 1",
    ),
    (
        "exempted-over-100",
        ("pcf", "exemptedEmissionsPercent"),
        "101",
        "pcf.exemptedEmissionsPercent",
        "at most 100",
    ),
    ("dqr-over-5", ("pcf", "dqi", "temporalDQR"), "5.5", "pcf.dqi.temporalDQR", "at most 5"),
]


@pytest.mark.parametrize(
    ("steps", "value", "where", "fragment"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_footprint_is_rejected(
    steps: tuple[Step, ...], value: Any, where: str, fragment: str
) -> None:
    errors = _errors(tampered(example_footprint(), steps, value))
    assert_error(errors, f"{ROOT}.{where}", fragment)


def test_malformed_footprint_inside_a_disclosure_has_the_full_path() -> None:
    footprint = tampered(example_footprint(), ("pcf", "referencePeriodEnd"), "2025-06-30T00:00:00Z")
    subject = tampered(example_subject(), ("productFootprints",), [footprint])
    with pytest.raises(InvalidInput) as caught:
        parse_disclosure(subject)
    where = f"{ROOT}.productFootprints[0].pcf.referencePeriodEnd"
    assert_error(tuple(caught.value.errors), where, "later than")


def test_the_same_footprint_twice_in_a_disclosure() -> None:
    subject = tampered(example_subject(), ("productFootprints",), [example_footprint()] * 2)
    with pytest.raises(InvalidInput) as caught:
        parse_disclosure(subject)
    assert_error(tuple(caught.value.errors), f"{ROOT}.productFootprints[1].id", "already")
