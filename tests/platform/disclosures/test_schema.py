"""The wire format: what `parse_disclosure` refuses, where it says so, and what it defaults."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from esgx_platform.disclosures.model import GreenFactory
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.errors import FieldError, InvalidInput
from tests.platform.disclosures.support import (
    DELETE,
    Step,
    assert_error,
    example_subject,
    tampered,
)

ROOT = "$.credentialSubject"


def _schema_errors(subject: Any) -> tuple[FieldError, ...]:
    with pytest.raises(InvalidInput) as caught:
        parse_disclosure(subject)
    return tuple(caught.value.errors)


REJECTED: list[tuple[str, tuple[Step, ...], Any, str, str]] = [
    ("float-quantity", ("scope1", "tco2e"), 812.4, "scope1.tco2e", "JSON numbers"),
    (
        "integer-quantity",
        ("activity", "output", "amount"),
        1250000,
        "activity.output.amount",
        "JSON numbers",
    ),
    (
        "exponent",
        ("scope2", "marketBasedTco2e"),
        "2.28277e3",
        "scope2.marketBasedTco2e",
        "Not a decimal",
    ),
    ("nan", ("scope2", "marketBasedTco2e"), "NaN", "scope2.marketBasedTco2e", "Not a decimal"),
    (
        "negative",
        ("scope2", "locationBasedTco2e"),
        "-1.00",
        "scope2.locationBasedTco2e",
        "negative",
    ),
    ("negative-by-gas", ("scope1", "byGas", "CH4"), "-4.30", "scope1.byGas.CH4", "negative"),
    ("unknown-member", ("scop1",), {"tco2e": "1"}, "scop1", "Unknown field"),
    (
        "unknown-nested-member",
        ("scope2", "marketBased"),
        "1.00",
        "scope2.marketBased",
        "Unknown field",
    ),
    ("bad-period", ("period",), "2025-Q5", "period", "YYYY-Qn"),
    ("period-trailing-newline", ("period",), "2025-Q3\n", "period", "YYYY-Qn"),
    ("period-wide-digits", ("period",), "２０２５-Q3", "period", "YYYY-Qn"),
    ("bad-gwp-set", ("gwpSet",), "AR4", "gwpSet", "Must be one of: AR5, AR6"),
    ("bad-boundary", ("boundary",), "control", "boundary", "operationalControl"),
    (
        "bad-basis",
        ("allocations", 0, "basis"),
        "revenue",
        "allocations[0].basis",
        "economic, physical",
    ),
    (
        "bad-instrument",
        ("energy", "renewableInstruments", 0, "type"),
        "REC",
        "energy.renewableInstruments[0].type",
        "I-REC",
    ),
    ("bad-method", ("scope3", 0, "method"), "spend", "scope3[0].method", "spendBased"),
    ("category-16", ("scope3", 1, "category"), 16, "scope3[1].category", "at most 15"),
    ("category-zero", ("scope3", 1, "category"), 0, "scope3[1].category", "at least 1"),
    ("category-boolean", ("scope3", 1, "category"), True, "scope3[1].category", "whole number"),
    ("category-float", ("scope3", 1, "category"), 4.0, "scope3[1].category", "whole number"),
    (
        "duplicate-category",
        ("scope3", 1, "category"),
        1,
        "scope3[1].category",
        "category 1 is already",
    ),
    (
        "customer-downstream-category",
        ("allocations", 0, "customerScope3Category"),
        9,
        "allocations[0].customerScope3Category",
        "at most 8",
    ),
    (
        "customer-check-character",
        ("allocations", 0, "customer"),
        "urn:esgx:org:91120116MA05R7T29A",
        "allocations[0].customer",
        "check character",
    ),
    (
        "customer-not-urn",
        ("allocations", 0, "customer"),
        "91120116MA05R7T29K",
        "allocations[0].customer",
        "urn:esgx:org:",
    ),
    (
        "zero-total-quantity",
        ("allocations", 0, "totalQuantity"),
        "0",
        "allocations[0].totalQuantity",
        "greater than 0",
    ),
    (
        "footprint-id-not-uuid",
        ("allocations", 0, "productFootprintIds", 0),
        "3f1c2a9e",
        "allocations[0].productFootprintIds[0]",
        "UUID",
    ),
    (
        "currency-lower-case",
        ("activity", "revenue", "currency"),
        "cny",
        "activity.revenue.currency",
        "ISO 4217",
    ),
    ("output-unit", ("activity", "output", "unit"), "box", "activity.output.unit", "piece"),
    (
        "share-over-100",
        ("dataQuality", "primaryDataShare"),
        "100.1",
        "dataQuality.primaryDataShare",
        "at most 100",
    ),
    (
        "dqr-under-1",
        ("dataQuality", "technologicalDQR"),
        "0.9",
        "dataQuality.technologicalDQR",
        "at least 1",
    ),
    (
        "take-back-not-boolean",
        ("supplyChainEngagement", "takeBack"),
        1,
        "supplyChainEngagement.takeBack",
        "true or false",
    ),
    (
        "green-factory",
        ("supplyChainEngagement", "greenFactory"),
        "city",
        "supplyChainEngagement.greenFactory",
        "municipal",
    ),
    (
        "intensity-without-unit",
        ("targets", 0, "type"),
        "intensity",
        "targets[0].intensityUnit",
        "needs its intensityUnit",
    ),
    (
        "target-before-base",
        ("targets", 0, "targetYear"),
        2021,
        "targets[0].targetYear",
        "after the base year (2021)",
    ),
    ("target-status", ("targets", 0, "status"), "approved", "targets[0].status", "netZero"),
    ("offset-programme", ("offsets", 0, "programme"), "CER", "offsets[0].programme", "CCER"),
    (
        "serial-range-backwards",
        ("offsets", 0, "serials", 0),
        "CCER-2024-XX-000200..000101",
        "offsets[0].serials[0]",
        "usable serial",
    ),
    ("serials-empty", ("offsets", 0, "serials"), [], "offsets[0].serials", "at least 1"),
    ("offset-zero-tonnes", ("offsets", 0, "tco2e"), "0.00", "offsets[0].tco2e", "greater than 0"),
    (
        "retired-on-format",
        ("offsets", 0, "retiredOn"),
        "30/09/2025",
        "offsets[0].retiredOn",
        "YYYY-MM-DD",
    ),
    (
        "retired-on-impossible",
        ("offsets", 0, "retiredOn"),
        "2025-02-30",
        "offsets[0].retiredOn",
        "YYYY-MM-DD",
    ),
    ("verification-level", ("verification", "level"), "full", "verification.level", "reasonable"),
    (
        "verifier-missing",
        ("verification", "provider"),
        DELETE,
        "verification.provider",
        "Needed when",
    ),
    ("restates-upper-case", ("restates",), "AB" * 32, "restates", "lower-case"),
    ("missing-scope2", ("scope2",), DELETE, "scope2", "Missing data"),
    ("missing-activity-output", ("activity", "output"), DELETE, "activity.output", "Missing data"),
    ("scope1-not-object", ("scope1",), ["812.40"], "scope1", "Invalid input type"),
    (
        "allocations-not-list",
        ("allocations",),
        {"customer": "x"},
        "allocations",
        "Not a valid list",
    ),
    ("by-gas-empty", ("scope1", "byGas"), {}, "scope1.byGas", "at least 1"),
    ("by-gas-unit", ("scope1", "byGasUnit"), "kg", "scope1.byGasUnit", "tgas, co2e"),
    ("null-required", ("scope1", "tco2e"), None, "scope1.tco2e", "may not be null"),
]


@pytest.mark.parametrize(
    ("steps", "value", "where", "fragment"),
    [case[1:] for case in REJECTED],
    ids=[case[0] for case in REJECTED],
)
def test_rejected_with_its_path(
    steps: tuple[Step, ...], value: Any, where: str, fragment: str
) -> None:
    errors = _schema_errors(tampered(example_subject(), steps, value))
    assert_error(errors, f"{ROOT}.{where}", fragment)


@pytest.mark.parametrize("subject", [[], "text", 3, None])
def test_a_subject_that_is_not_an_object(subject: Any) -> None:
    assert_error(_schema_errors(subject), ROOT, "Invalid input type")


def test_every_error_is_reported_at_once() -> None:
    subject = tampered(example_subject(), ("scope1", "tco2e"), 812.4)
    subject["period"] = "Q3"
    subject["extra"] = True
    with pytest.raises(InvalidInput) as caught:
        parse_disclosure(subject)
    paths = {e.path for e in caught.value.errors}
    assert paths == {f"{ROOT}.scope1.tco2e", f"{ROOT}.period", f"{ROOT}.extra"}
    assert caught.value.detail.en == "The credential subject has 3 error(s)."


def test_minimal_disclosure_takes_the_defaults() -> None:
    subject = example_subject()
    for optional in (
        "scope3", "allocations", "productFootprints", "targets", "offsets", "initiatives",
        "dataQuality", "verification", "supplyChainEngagement",
    ):  # fmt: skip
        del subject[optional]
    del subject["energy"]["renewableElectricityMwh"]
    del subject["energy"]["renewableInstruments"]
    del subject["scope1"]["byGas"]
    d = parse_disclosure(subject)
    assert (d.scope3, d.allocations, d.offsets, d.targets) == ((), (), (), ())
    assert (d.data_quality, d.verification, d.supply_chain_engagement) == (None, None, None)
    assert d.energy.renewable_electricity_mwh == Decimal(0)
    assert d.scope1.by_gas == ()


def test_null_counts_as_absent_for_optional_members() -> None:
    subject = example_subject()
    subject["verification"] = None
    subject["energy"]["renewableElectricityMwh"] = None
    subject["supplyChainEngagement"]["greenFactory"] = None
    subject["energy"]["renewableInstruments"] = []
    d = parse_disclosure(subject)
    assert d.verification is None
    assert d.energy.renewable_electricity_mwh == Decimal(0)
    assert d.supply_chain_engagement is not None
    assert d.supply_chain_engagement.green_factory is None


def test_negative_zero_is_zero() -> None:
    subject = tampered(example_subject(), ("scope3", 1, "tco2e"), "-0.00")
    assert parse_disclosure(subject).scope3[1].tco2e.is_signed() is False


def test_customer_urns_are_canonical() -> None:
    subject = tampered(
        example_subject(), ("allocations", 0, "customer"), "urn:esgx:org:91120116ma05r7t29k"
    )
    assert parse_disclosure(subject).allocations[0].customer == "urn:esgx:org:91120116MA05R7T29K"
    platform_id = "urn:esgx:org:0F8D0C3E-1D2B-4A5C-9E8F-7A6B5C4D3E2F"
    subject["allocations"][0]["customer"] = platform_id
    assert parse_disclosure(subject).allocations[0].customer == platform_id.lower()


def test_green_factory_values() -> None:
    for value in ("none", "municipal", "provincial", "national"):
        subject = tampered(example_subject(), ("supplyChainEngagement", "greenFactory"), value)
        engagement = parse_disclosure(subject).supply_chain_engagement
        assert engagement is not None
        assert engagement.green_factory is GreenFactory(value)


def test_restatement_with_reason_parses() -> None:
    subject = tampered(example_subject(), ("restates",), "ab" * 32)
    subject["restatementReason"] = "Meter 3 was read twice in August."
    d = parse_disclosure(subject)
    assert (d.restates, d.restatement_reason) == ("ab" * 32, "Meter 3 was read twice in August.")


def test_unknown_members_are_tolerated_inside_product_footprints_only() -> None:
    from tests.platform.disclosures.support import example_footprint

    footprint = example_footprint()
    footprint["x-vendor-field"] = {"anything": [1, 2.5]}
    footprint["pcf"]["someFutureMember"] = "1.0"
    subject = tampered(example_subject(), ("productFootprints",), [footprint])
    assert parse_disclosure(subject).product_footprints[0].product_name_company == "Housing A7"
    subject["allocations"][0]["note"] = "typo'd member"
    assert_error(_schema_errors(subject), f"{ROOT}.allocations[0].note", "Unknown field")
