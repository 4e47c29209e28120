"""Repeatable rows of the disclosure form: how many to show and what a new row starts with.

A new row's preset values are made on the server: gas names for the first Scope 1 rows, a
status for an initiative, and for a PACT product footprint a new uuid, the spec version, the
supplier as the company, the quarter as the reference period and the disclosure's GWP set. A
row holding only presets is dropped from the subject (see `form.FILLED_WHEN`), so presets never
reach a signed disclosure by themselves. A row is added by saving the draft with one more row.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from esgx_platform.periods.quarters import Quarter

# The form's repeatable lists and how many rows each shows at least.
ROWS: dict[str, int] = {"scope1.byGas": 4, "initiatives": 2, "productFootprints": 1}
MAX_SHOWN = 100  # rows beyond this (only a crafted post makes them) are not rendered
# The member a new row's link lands on (the first field a person types into).
FIRST_MEMBER = {
    "scope1.byGas": "amount",
    "initiatives": "description",
    "productFootprints": "productNameCompany",
}
COMMON_GASES = ("CO2", "CH4", "N2O")
PACT_VERSION = "3.0.3"


@dataclass(frozen=True)
class RowContext:
    """What a new row's presets are made from."""

    company_name: str
    company_urn: str
    quarter: Quarter
    now: datetime


def row_count(values: Mapping[str, str], rows: str) -> int:
    """How many rows of `rows` the form shows: every row the values mention, at least the
    list's minimum."""
    pattern = re.compile(re.escape(rows) + r"\[(\d{1,3})\]\.")
    used = [int(match.group(1)) + 1 for name in values if (match := pattern.match(name))]
    return min(MAX_SHOWN, max([ROWS[rows], *used]))


def with_presets(values: Mapping[str, str], context: RowContext) -> dict[str, str]:
    """The values with every shown row's presets filled in where the row has none (a value
    typed or cleared by the person is kept)."""
    filled = dict(values)
    for rows in ROWS:
        for index in range(row_count(values, rows)):
            for name, preset in presets(rows, index, values, context).items():
                filled.setdefault(name, preset)
    return filled


def add_row(
    values: Mapping[str, str], rows: str, context: RowContext
) -> tuple[dict[str, str], str]:
    """The values with one more row of `rows`, and the name of that row's first field."""
    index = row_count(values, rows)
    added = {**values, **presets(rows, index, values, context)}
    return with_presets(added, context), f"{rows}[{index}].{FIRST_MEMBER[rows]}"


def presets(
    rows: str, index: int, values: Mapping[str, str], context: RowContext
) -> dict[str, str]:
    """A new row's preset values (at least one, so that the row is counted once saved)."""
    prefix = f"{rows}[{index}]"
    if rows == "scope1.byGas":
        return {f"{prefix}.gas": COMMON_GASES[index] if index < len(COMMON_GASES) else ""}
    if rows == "initiatives":
        return {f"{prefix}.status": "planned"}
    return _footprint_presets(prefix, values, context)


def _footprint_presets(
    prefix: str, values: Mapping[str, str], context: RowContext
) -> dict[str, str]:
    start, end = context.quarter.starts_on, context.quarter.next().starts_on
    pcf = {
        "declaredUnitOfMeasurement": "piece",
        "declaredUnitAmount": "1",
        "referencePeriodStart": f"{start.isoformat()}T00:00:00Z",
        "referencePeriodEnd": f"{end.isoformat()}T00:00:00Z",
        # A footprint in a disclosure must use the disclosure's own GWP set (a rule).
        "ipccCharacterizationFactors": values.get("gwpSet") or "AR6",
        "crossSectoralStandards": "ISO14067",
        "exemptedEmissionsPercent": "0",
        "geographyCountry": "CN",
    }
    return {
        f"{prefix}.id": str(uuid.uuid4()),
        f"{prefix}.specVersion": PACT_VERSION,
        f"{prefix}.created": context.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        f"{prefix}.status": "Active",
        f"{prefix}.companyName": context.company_name,
        f"{prefix}.companyIds": context.company_urn,
        **{f"{prefix}.pcf.{member}": value for member, value in pcf.items()},
    }
