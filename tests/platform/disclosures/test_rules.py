"""Each rule, broken by tampering with exactly one member of the valid example."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from esgx_platform.disclosures.model import GwpSet
from esgx_platform.disclosures.rules import check_rules, offset_serials, validate_disclosure
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.errors import InvalidInput
from tests.platform.disclosures.support import (
    CUSTOMER,
    ISSUER,
    OTHER_LEAD_FACTORY,
    Step,
    assert_error,
    errors_of,
    example_context,
    example_footprint,
    example_subject,
    tampered,
)

ROOT = "$.credentialSubject"


def _footprint_with_factors(factors: list[str]) -> dict[str, Any]:
    footprint = example_footprint()
    footprint["pcf"]["ipccCharacterizationFactors"] = factors
    return footprint


# (steps to the tampered member, new value, path of the error, fragment of its English text)
TAMPERED_MEMBER: list[tuple[str, tuple[Step, ...], Any, str, str]] = [
    ("by-gas-sum", ("scope1", "byGas", "N2O"), "19.00", "scope1.byGas", "add up to 813.40"),
    ("by-gas-tonnes", ("scope1", "byGasUnit"), "tgas", "scope1.byGas", "add up to 5832.24"),
    ("by-gas-mixed-gwp", ("scope1", "byGasGwpSet"), "AR5", "scope1.byGasGwpSet", "one GWP"),
    (
        "renewable-over-electricity",
        ("energy", "renewableElectricityMwh"),
        "5000.00",
        "energy.renewableElectricityMwh",
        "cannot exceed the electricity",
    ),
    (
        "electricity-over-total",
        ("energy", "totalEnergyMwh"),
        "4000.00",
        "energy.electricityMwh",
        "cannot exceed total energy",
    ),
    (
        "instruments-sum",
        ("energy", "renewableInstruments", 1, "mwh"),
        "200.00",
        "energy.renewableInstruments",
        "add up to 1200.00 MWh",
    ),
    (
        "self-allocation",
        ("allocations", 0, "customer"),
        ISSUER,
        "allocations[0].customer",
        "to itself",
    ),
    (
        "customer-over-total",
        ("allocations", 0, "customerQuantity"),
        "90000000.00",
        "allocations[0].customerQuantity",
        "cannot exceed the total",
    ),
    (
        "allocation-inconsistent",
        ("allocations", 0, "allocatedTco2e"),
        "4720.00",
        "allocations[0].allocatedTco2e",
        "Expected 21625000.00 / 86500000.00 x 18745.67 = 4686.42",
    ),
    (
        "allocation-over-allocable",
        ("allocations", 0, "allocatedTco2e"),
        "20000.00",
        "allocations[0].allocatedTco2e",
        "More than the allocable emissions (18745.67",
    ),
    (
        "economic-total-not-revenue",
        ("allocations", 0, "totalQuantity"),
        "90000000.00",
        "allocations[0].totalQuantity",
        "revenue (86500000.00)",
    ),
    (
        "physical-total-not-output",
        ("allocations", 0, "basis"),
        "physical",
        "allocations[0].totalQuantity",
        "output (1250000)",
    ),
    (
        "offset-retired-before-vintage",
        ("offsets", 0, "retiredOn"),
        "2023-12-31",
        "offsets[0].retiredOn",
        "before their vintage year (2024)",
    ),
    (
        "offset-retired-in-future",
        ("offsets", 0, "retiredOn"),
        "2025-10-13",
        "offsets[0].retiredOn",
        "already retired",
    ),
    ("period-not-ended", ("period",), "2025-Q4", "period", "ends on 2025-12-31"),
    (
        "statement-in-future",
        ("verification", "statementDate"),
        "2025-10-13",
        "verification.statementDate",
        "in the future",
    ),
    (
        "restates-without-reason",
        ("restates",),
        "ab" * 32,
        "restatementReason",
        "needs its restatementReason",
    ),
    (
        "reason-without-restates",
        ("restatementReason",),
        "Corrected meter reading",
        "restates",
        "belongs with restates",
    ),
    (
        "footprint-mixed-gwp",
        ("productFootprints",),
        [_footprint_with_factors(["AR5"])],
        "productFootprints[0].pcf.ipccCharacterizationFactors",
        "characterized with AR5",
    ),
    (
        "footprint-several-gwp-sets",
        ("productFootprints",),
        [_footprint_with_factors(["AR5", "AR6"])],
        "productFootprints[0].pcf.ipccCharacterizationFactors",
        "AR5, AR6",
    ),
]


@pytest.mark.parametrize(
    ("steps", "value", "where", "fragment"),
    [case[1:] for case in TAMPERED_MEMBER],
    ids=[case[0] for case in TAMPERED_MEMBER],
)
def test_tampered_member_is_rejected(
    steps: tuple[Step, ...], value: Any, where: str, fragment: str
) -> None:
    subject = tampered(example_subject(), steps, value)
    assert_error(errors_of(subject), f"{ROOT}.{where}", fragment)


def test_unknown_customer_names_it() -> None:
    stranger = "urn:esgx:org:91110000600037341L"
    subject = tampered(example_subject(), ("allocations", 0, "customer"), stranger)
    context = example_context(customers=frozenset({CUSTOMER}))
    errors = errors_of(subject, context)
    assert_error(errors, f"{ROOT}.allocations[0].customer", f"{stranger} is not a lead factory")


def test_customer_outside_context_is_rejected() -> None:
    errors = errors_of(example_subject(), example_context(customers=frozenset()))
    assert_error(errors, f"{ROOT}.allocations[0].customer", "supply relationship")


def test_duplicate_customer() -> None:
    subject = example_subject()
    subject["allocations"].append(dict(subject["allocations"][0]))
    errors = errors_of(subject)
    assert_error(errors, f"{ROOT}.allocations[1].customer", "already has an allocation")
    assert not [e for e in errors if e.path == f"{ROOT}.allocations[0].customer"]


def test_allocations_together_exceed_allocable() -> None:
    # Each allocation is consistent with its own share, but 25 % + 80 % of revenue is > 100 %.
    subject = example_subject()
    subject["allocations"].append(
        {
            "customer": OTHER_LEAD_FACTORY,
            "customerScope3Category": 1,
            "basis": "economic",
            "customerQuantity": "69200000.00",
            "totalQuantity": "86500000.00",
            "allocatedTco2e": "14996.54",  # 18745.67 x 0.8 = 14996.536
        }
    )
    errors = errors_of(subject)
    assert_error(errors, f"{ROOT}.allocations", "add up to 19682.96 tCO2e, more than")
    assert [e.path for e in errors] == [f"{ROOT}.allocations"]


def test_allocation_within_half_a_percent_passes() -> None:
    # 0.5 % of 4686.4175 is 23.43: 4709.84 is inside, 4709.86 outside.
    inside = tampered(example_subject(), ("allocations", 0, "allocatedTco2e"), "4709.84")
    outside = tampered(example_subject(), ("allocations", 0, "allocatedTco2e"), "4709.86")
    assert errors_of(inside) == ()
    assert_error(errors_of(outside), f"{ROOT}.allocations[0].allocatedTco2e", "Expected")


def test_footprint_not_filed_anywhere_is_rejected() -> None:
    errors = errors_of(example_subject(), example_context(filed_footprint_ids=frozenset()))
    where = f"{ROOT}.allocations[0].productFootprintIds[0]"
    assert_error(errors, where, "3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c")


def test_footprint_carried_in_the_disclosure_is_found() -> None:
    subject = tampered(example_subject(), ("productFootprints",), [example_footprint()])
    assert errors_of(subject, example_context(filed_footprint_ids=frozenset())) == ()


def test_offset_serial_used_elsewhere_on_the_platform() -> None:
    context = example_context(used_offset_serials=frozenset({"CCER-2024-XX-000150"}))
    assert_error(
        errors_of(example_subject(), context),
        f"{ROOT}.offsets[0].serials[0]",
        "already claimed in another disclosure",
    )


def test_offset_serial_repeated_within_the_disclosure() -> None:
    subject = example_subject()
    subject["offsets"].append(
        {
            "programme": "CCER",
            "serials": ["CCER-2024-XX-000200..000250"],  # 000200 is also in the first range
            "vintage": 2024,
            "tco2e": "51.00",
            "retiredOn": "2025-09-30",
        }
    )
    errors = errors_of(subject)
    assert_error(errors, f"{ROOT}.offsets[1].serials[0]", "already listed in this disclosure")
    assert not [e for e in errors if e.path == f"{ROOT}.offsets[0].serials[0]"]


def test_adjacent_serial_ranges_do_not_overlap() -> None:
    context = example_context(used_offset_serials=frozenset({"CCER-2024-XX-000201..000300"}))
    assert errors_of(example_subject(), context) == ()


def test_offset_serials_lists_what_to_look_up() -> None:
    d = parse_disclosure(example_subject())
    assert offset_serials(d) == frozenset({"CCER-2024-XX-000101..000200"})


def test_period_must_have_ended_by_today() -> None:
    errors = errors_of(example_subject(), example_context(today=date(2025, 9, 30)))
    assert_error(errors, f"{ROOT}.period", "has not ended yet")


@pytest.mark.parametrize(
    ("gases", "unit", "tco2e", "gwp_set", "ok"),
    [
        # CH4 under AR6 counts as fossil: 10 t x 29.8 = 298.
        ({"CH4": "10.00"}, "tgas", "298.00", "AR6", True),
        ({"CH4_fossil": "10.00"}, "tgas", "298.00", "AR6", True),
        ({"CH4_nonfossil": "10.00"}, "tgas", "270.00", "AR6", True),
        ({"CH4_nonfossil": "10.00"}, "tgas", "298.00", "AR6", False),
        ({"CH4": "10.00"}, "tgas", "280.00", "AR5", True),
        ({"N2O": "0.07", "CO2": "790.10", "CH4": "0.10"}, "tgas", "812.19", "AR6", True),
        # The rounding of 0.07 t N2O (±0.005 t x 273) allows ±1.37 t, not 2.
        ({"N2O": "0.07", "CO2": "790.10", "CH4": "0.10"}, "tgas", "814.19", "AR6", False),
    ],
)
def test_gases_in_tonnes_are_characterized_with_the_disclosure_gwp_set(
    gases: dict[str, str], unit: str, tco2e: str, gwp_set: str, ok: bool
) -> None:
    subject = example_subject()
    subject["gwpSet"] = gwp_set
    subject["scope1"] = {"tco2e": tco2e, "byGas": gases, "byGasUnit": unit}
    subject["allocations"] = []  # Scope 1 changed, so the example's allocation would not fit
    errors = errors_of(subject)
    assert (errors == ()) is ok, errors


def test_gas_without_a_gwp_cannot_be_given_in_tonnes() -> None:
    subject = tampered(example_subject(), ("scope1", "byGasUnit"), "tgas")
    subject["scope1"]["byGas"] = {"CO2": "812.40", "HFC-32": "0.00"}
    assert_error(errors_of(subject), f"{ROOT}.scope1.byGas.HFC-32", "no GWP for HFC-32")


def test_negative_emissions_in_a_built_disclosure() -> None:
    # The schema refuses negative figures; the rule guards disclosures built from stored rows.
    d = parse_disclosure(example_subject())
    broken = dataclasses.replace(
        d, scope2=dataclasses.replace(d.scope2, location_based_tco2e=Decimal("-1.00"))
    )
    errors = check_rules(broken, example_context()).errors
    assert_error(errors, f"{ROOT}.scope2.locationBasedTco2e", "cannot be negative")


def test_byGas_set_matching_the_disclosure_is_accepted() -> None:  # noqa: N802
    subject = tampered(example_subject(), ("scope1", "byGasGwpSet"), "AR6")
    assert errors_of(subject) == ()
    assert parse_disclosure(subject).scope1.by_gas_gwp_set is GwpSet.AR6


def test_validate_disclosure_raises_with_every_rule_error() -> None:
    subject = tampered(example_subject(), ("energy", "totalEnergyMwh"), "4000.00")
    subject["offsets"][0]["retiredOn"] = "2023-01-01"
    with pytest.raises(InvalidInput) as caught:
        validate_disclosure(subject, example_context())
    paths = {e.path for e in caught.value.errors}
    assert paths == {f"{ROOT}.energy.electricityMwh", f"{ROOT}.offsets[0].retiredOn"}
    assert caught.value.detail.en == "The disclosure breaks 2 rule(s)."
    assert caught.value.detail.zh == "该披露违反了 2 条规则。"
