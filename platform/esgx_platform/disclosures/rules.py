"""Rules a parsed disclosure must satisfy: its arithmetic, and facts only the platform knows.

Pure functions of a `Disclosure` and a plain-data `RuleContext` that the caller fills from the
database (customers, footprints and offset serials already filed, last year's figures). Errors
reject the disclosure; warnings (`warning_rules.py`) are stored and shown but never reject.

Decisions:
- "Within rounding" is derived from the precision each figure was written with (half a unit in
  its last place, summed over the figures involved, at least 0.01): `byGas` totals and the
  renewable instruments must add up that closely. Allocations use the spec's 0.5 % / 0.01 t.
- An allocation's `totalQuantity` must be the disclosure's own total for its basis (revenue for
  `economic`, output for `physical`), otherwise the share could be shrunk by inflating it.
- An allocation may name product footprints filed in the same disclosure or already filed by
  the supplier as stand-alone `ProductFootprint` credentials (`RuleContext.filed_footprint_ids`);
  any other id is rejected, so a lead factory never follows a dangling reference.
- A product footprint must be characterized with exactly the disclosure's GWP set; a footprint
  listing several sets (["AR5", "AR6"]) mixes them and is rejected too.
- Offset serials are compared as ranges (`serials.py`); retirement cannot precede the vintage
  year nor lie after today. Malformed PACT footprints are refused by the schema (`pact.py`).
- The quarter must have ended before `today`, and a verification statement cannot be dated
  after it.
- A supplier cannot allocate to itself; negative figures and a restatement without reason are
  checked again here because a `Disclosure` may also be built from stored rows, not only parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from esgx_platform.disclosures import rule_messages as msg
from esgx_platform.disclosures.figures import (
    allocable_tco2e,
    allocation_tolerance,
    expected_allocation,
    half_unit,
    intensity_per_cny_million,
    rounding_slack,
    scope12_total,
    shown,
)
from esgx_platform.disclosures.gwp import gwp
from esgx_platform.disclosures.loading import path
from esgx_platform.disclosures.model import Allocation, AllocationBasis, Disclosure, GasUnit
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.disclosures.serials import SerialRange, overlapping, repeated
from esgx_platform.disclosures.warning_rules import WARNING_CHECKS
from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text

__all__ = [
    "CheckedDisclosure",
    "PriorFigures",
    "RuleContext",
    "RuleOutcome",
    "allocable_tco2e",
    "check_rules",
    "expected_allocation",
    "intensity_per_cny_million",
    "offset_serials",
    "scope12_total",
    "validate_disclosure",
]


@dataclass(frozen=True)
class PriorFigures:
    """The same quarter one year earlier, computed with `scope12_total` and
    `intensity_per_cny_million` from the accepted disclosure of that quarter."""

    scope12_tco2e: Decimal
    intensity_per_cny_million: Decimal | None = None


@dataclass(frozen=True)
class RuleContext:
    """What the rules need to know about the platform, looked up by the caller beforehand.

    - `today`: the date of filing; the disclosed quarter must have ended before it.
    - `issuer_urn`: the supplier filing (`urn:esgx:org:...`); it cannot be its own customer.
    - `customers`: canonical URNs of the lead factories the supplier has a supply relationship
      with (the `OrgUrn` field canonicalizes what suppliers write).
    - `filed_footprint_ids`: ids of footprints the supplier already filed on the platform as
      stand-alone `ProductFootprint` credentials.
    - `used_offset_serials`: serials or ranges in other accepted disclosures that overlap this
      one's (query by the prefixes of `offset_serials(d)`); leave out those of the disclosure
      being restated, which this one replaces.
    - `previous_year`: figures of the same quarter last year, if the supplier filed it.
    - `category_intensity_iqr`: (Q1, Q3) of `intensity_per_cny_million` over the quarter's
      accepted disclosures of suppliers in the same category, when there are enough of them.
    """

    today: date
    issuer_urn: str
    customers: frozenset[str] = frozenset()
    filed_footprint_ids: frozenset[UUID] = frozenset()
    used_offset_serials: frozenset[str] = frozenset()
    previous_year: PriorFigures | None = None
    category_intensity_iqr: tuple[Decimal, Decimal] | None = None


@dataclass(frozen=True)
class RuleOutcome:
    errors: tuple[FieldError, ...]
    warnings: tuple[FieldError, ...]

    @property
    def accepted(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class CheckedDisclosure:
    """A disclosure that passed every rule, with the warnings to store alongside it."""

    disclosure: Disclosure
    warnings: tuple[FieldError, ...]


Check = Callable[[Disclosure, RuleContext], Iterator[FieldError]]


def check_rules(d: Disclosure, context: RuleContext) -> RuleOutcome:
    """Run every rule; errors reject the disclosure, warnings are only reported."""
    errors = tuple(error for check in ERROR_CHECKS for error in check(d, context))
    warnings = tuple(warning for check in WARNING_CHECKS for warning in check(d, context))
    return RuleOutcome(errors, warnings)


def validate_disclosure(subject: Mapping[str, Any], context: RuleContext) -> CheckedDisclosure:
    """Parse a credential subject and apply the rules.

    Raises InvalidInput listing the schema errors, or else every rule error; returns the
    disclosure and its warnings when it may be accepted.
    """
    disclosure = parse_disclosure(subject)
    outcome = check_rules(disclosure, context)
    if outcome.errors:
        raise InvalidInput(
            Text("The disclosure breaks {n} rule(s).", "该披露违反了 {n} 条规则。").format(
                n=len(outcome.errors)
            ),
            errors=outcome.errors,
        )
    return CheckedDisclosure(disclosure, outcome.warnings)


def offset_serials(d: Disclosure) -> frozenset[str]:
    """Every serial or range the disclosure retires (for looking up `used_offset_serials`)."""
    return frozenset(serial for offset in d.offsets for serial in offset.serials)


def _negative_emissions(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    figures: list[tuple[str, Decimal]] = [
        (path("scope1", "tco2e"), d.scope1.tco2e),
        *((path("scope1", "byGas", g.gas), g.amount) for g in d.scope1.by_gas),
        (path("scope2", "locationBasedTco2e"), d.scope2.location_based_tco2e),
        (path("scope2", "marketBasedTco2e"), d.scope2.market_based_tco2e),
        *((path("scope3", i, "tco2e"), e.tco2e) for i, e in enumerate(d.scope3)),
        *(
            (path("allocations", i, "allocatedTco2e"), a.allocated_tco2e)
            for i, a in enumerate(d.allocations)
        ),
        *((path("offsets", i, "tco2e"), o.tco2e) for i, o in enumerate(d.offsets)),
    ]
    for where, value in figures:
        if value < 0:
            yield FieldError(where, msg.NEGATIVE_EMISSIONS)


def _by_gas(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    scope1 = d.scope1
    if not scope1.by_gas:
        return
    if scope1.by_gas_gwp_set is not None and scope1.by_gas_gwp_set != d.gwp_set:
        yield FieldError(
            path("scope1", "byGasGwpSet"),
            msg.MIXED_GWP_BY_GAS.format(given=scope1.by_gas_gwp_set, gwp_set=d.gwp_set),
        )
        return
    factors: list[Decimal] = []
    for item in scope1.by_gas:
        factor = Decimal(1) if scope1.by_gas_unit is GasUnit.CO2E else gwp(d.gwp_set, item.gas)
        if factor is None:
            yield FieldError(
                path("scope1", "byGas", item.gas),
                msg.NO_GWP.format(gas=item.gas, gwp_set=d.gwp_set),
            )
            return
        factors.append(factor)
    amounts = [item.amount for item in scope1.by_gas]
    total = sum((a * f for a, f in zip(amounts, factors, strict=True)), Decimal(0))
    slack = rounding_slack(scope1.tco2e, *amounts, weights=(Decimal(1), *factors))
    if abs(total - scope1.tco2e) > slack:
        yield FieldError(
            path("scope1", "byGas"),
            msg.BY_GAS_SUM.format(total=shown(total), declared=scope1.tco2e),
        )


def _energy(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    energy = d.energy
    if energy.renewable_electricity_mwh > energy.electricity_mwh:
        yield FieldError(
            path("energy", "renewableElectricityMwh"),
            msg.RENEWABLE_OVER_ELECTRICITY.format(electricity=energy.electricity_mwh),
        )
    if energy.electricity_mwh > energy.total_energy_mwh:
        yield FieldError(
            path("energy", "electricityMwh"),
            msg.ELECTRICITY_OVER_TOTAL.format(total=energy.total_energy_mwh),
        )
    amounts = [instrument.mwh for instrument in energy.renewable_instruments]
    total = sum(amounts, Decimal(0))
    if abs(total - energy.renewable_electricity_mwh) > rounding_slack(
        energy.renewable_electricity_mwh, *amounts
    ):
        yield FieldError(
            path("energy", "renewableInstruments"),
            msg.INSTRUMENTS_SUM.format(
                total=shown(total), renewable=energy.renewable_electricity_mwh
            ),
        )


def _allocation_parties(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    seen: set[str] = set()
    for index, allocation in enumerate(d.allocations):
        where = path("allocations", index, "customer")
        if allocation.customer == context.issuer_urn:
            yield FieldError(where, msg.SELF_ALLOCATION)
        elif allocation.customer not in context.customers:
            yield FieldError(where, msg.UNKNOWN_CUSTOMER.format(customer=allocation.customer))
        if allocation.customer in seen:
            yield FieldError(where, msg.DUPLICATE_CUSTOMER)
        seen.add(allocation.customer)


def _allocation_arithmetic(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    allocable = allocable_tco2e(d)
    for index, allocation in enumerate(d.allocations):
        if allocation.customer_quantity > allocation.total_quantity:
            yield FieldError(
                path("allocations", index, "customerQuantity"), msg.CUSTOMER_OVER_TOTAL
            )
        yield from _basis_total(d, index, allocation)
        where = path("allocations", index, "allocatedTco2e")
        if allocation.allocated_tco2e > allocable + half_unit(allocation.allocated_tco2e):
            yield FieldError(where, msg.OVER_ALLOCABLE.format(allocable=shown(allocable)))
        if allocation.total_quantity <= 0:
            yield FieldError(path("allocations", index, "totalQuantity"), msg.TOTAL_NOT_POSITIVE)
            continue
        expected = expected_allocation(d, allocation)
        if abs(allocation.allocated_tco2e - expected) > allocation_tolerance(expected):
            yield FieldError(
                where,
                msg.ALLOCATION_MISMATCH.format(
                    expected=shown(expected),
                    customer=allocation.customer_quantity,
                    total=allocation.total_quantity,
                    allocable=shown(allocable),
                ),
            )


def _basis_total(d: Disclosure, index: int, allocation: Allocation) -> Iterator[FieldError]:
    if allocation.basis is AllocationBasis.ECONOMIC:
        reference, message = d.activity.revenue.amount, msg.TOTAL_NOT_REVENUE
    else:
        reference, message = d.activity.output.amount, msg.TOTAL_NOT_OUTPUT
    total = allocation.total_quantity
    if abs(total - reference) > half_unit(total) + half_unit(reference):
        yield FieldError(
            path("allocations", index, "totalQuantity"), message.format(reference=reference)
        )


def _allocation_sum(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    allocated = [allocation.allocated_tco2e for allocation in d.allocations]
    total, allocable = sum(allocated, Decimal(0)), allocable_tco2e(d)
    if allocated and total > allocable + rounding_slack(*allocated):
        yield FieldError(
            path("allocations"),
            msg.ALLOCATIONS_OVER_ALLOCABLE.format(total=shown(total), allocable=shown(allocable)),
        )


def _allocation_footprints(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    known = {footprint.id for footprint in d.product_footprints} | context.filed_footprint_ids
    for index, allocation in enumerate(d.allocations):
        for position, footprint_id in enumerate(allocation.product_footprint_ids):
            if footprint_id not in known:
                yield FieldError(
                    path("allocations", index, "productFootprintIds", position),
                    msg.UNKNOWN_FOOTPRINT.format(id=footprint_id),
                )


def _footprint_gwp(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    for index, footprint in enumerate(d.product_footprints):
        factors = footprint.pcf.ipcc_characterization_factors
        if factors != (d.gwp_set.value,):
            yield FieldError(
                path("productFootprints", index, "pcf", "ipccCharacterizationFactors"),
                msg.MIXED_GWP_FOOTPRINT.format(factors=", ".join(factors), gwp_set=d.gwp_set),
            )


def _offset_serials(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    entries: list[tuple[str, SerialRange]] = []
    for index, offset in enumerate(d.offsets):
        for position, serial in enumerate(offset.serials):
            where = path("offsets", index, "serials", position)
            try:
                entries.append((where, SerialRange.parse(serial)))
            except ValueError:
                yield FieldError(where, msg.MALFORMED_SERIAL)
    ranges = [serial_range for _, serial_range in entries]
    for position in sorted(repeated(ranges)):
        yield FieldError(entries[position][0], msg.REPEATED_SERIAL)
    used = overlapping(ranges, _parsed(context.used_offset_serials))
    for where, serial_range in entries:
        if serial_range in used:
            yield FieldError(where, msg.USED_SERIAL)


def _parsed(serials: frozenset[str]) -> list[SerialRange]:
    ranges: list[SerialRange] = []
    for serial in serials:
        try:
            ranges.append(SerialRange.parse(serial))
        except ValueError:
            continue  # stored before range syntax was checked: cannot overlap a valid range
    return ranges


def _offset_dates(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    for index, offset in enumerate(d.offsets):
        where = path("offsets", index, "retiredOn")
        if offset.retired_on.year < offset.vintage:
            yield FieldError(where, msg.RETIRED_BEFORE_VINTAGE.format(vintage=offset.vintage))
        if offset.retired_on > context.today:
            yield FieldError(where, msg.RETIRED_IN_FUTURE)


def _restatement(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    if d.restates is not None and not d.restatement_reason:
        yield FieldError(path("restatementReason"), msg.RESTATEMENT_WITHOUT_REASON)
    if d.restates is None and d.restatement_reason is not None:
        yield FieldError(path("restates"), msg.REASON_WITHOUT_RESTATEMENT)


def _dates(d: Disclosure, context: RuleContext) -> Iterator[FieldError]:
    if d.period.ends_on >= context.today:
        yield FieldError(path("period"), msg.PERIOD_NOT_ENDED.format(end=d.period.ends_on))
    statement = d.verification.statement_date if d.verification else None
    if statement is not None and statement > context.today:
        yield FieldError(path("verification", "statementDate"), msg.STATEMENT_IN_FUTURE)


ERROR_CHECKS: tuple[Check, ...] = (
    _dates,
    _negative_emissions,
    _by_gas,
    _energy,
    _allocation_parties,
    _allocation_arithmetic,
    _allocation_sum,
    _allocation_footprints,
    _footprint_gwp,
    _offset_serials,
    _offset_dates,
    _restatement,
)
