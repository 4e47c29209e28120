"""The roll-up as pure functions: choose each supplier-quarter's method, then add up.

A year is the sum of its quarters' lines, so quarters add up to the year exactly. Figures
are exact decimal sums; only spend-based estimates are rounded (to the gram, at the line).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from esgx_platform.rollups.facts import SUPPLIER_DATA, DisclosureFacts, Method, SupplierQuarter

ZERO = Decimal(0)
HUNDRED = Decimal(100)
ASSURED = frozenset({"limited", "reasonable"})


@dataclass(frozen=True, slots=True)
class Line:
    """One supplier-quarter's contribution and where it came from."""

    row: SupplierQuarter
    method: Method
    tco2e: Decimal

    @property
    def content_ids(self) -> tuple[str, ...]:
        """The disclosures the figure rests on: the quarter's (its allocation, or the data
        quality and assurance a footprint figure is tallied with) and, for a footprint figure,
        whatever carried the footprints, which may have been filed in another quarter."""
        if self.method not in SUPPLIER_DATA:
            return ()
        d, purchases = self.row.disclosure, self.row.purchases
        ids = {d.content_id} if d is not None else set()
        if self.method is Method.SUPPLIER_SPECIFIC and purchases is not None:
            ids.update(purchases.content_ids)
        return tuple(sorted(ids))


def choose(row: SupplierQuarter) -> Line:
    """The most specific usable figure: footprints × quantities, else the supplier's
    allocation, else a spend-based estimate, else missing."""
    purchases = row.purchases
    if row.consent and purchases is not None and purchases.complete:
        return Line(row, Method.SUPPLIER_SPECIFIC, purchases.tco2e)
    d = row.disclosure
    if row.consent and d is not None and d.allocated_tco2e is not None:
        return Line(row, Method.HYBRID, d.allocated_tco2e)
    if row.estimate_tco2e is not None:
        return Line(row, Method.SPEND_BASED, row.estimate_tco2e)
    return Line(row, Method.MISSING, ZERO)


@dataclass
class Tally:
    """Running totals for one category (or all): folded line by line, memory flat."""

    tco2e: Decimal = ZERO
    by_method: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    lines_by_method: Counter[str] = field(default_factory=Counter)
    supplier_tco2e: Decimal = ZERO
    pds_weighted: Decimal = ZERO
    pds_weight: Decimal = ZERO
    dqr_sum: Decimal = ZERO
    dqr_count: int = 0
    by_assurance: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    spend: Decimal = ZERO
    spend_supplier_data: Decimal = ZERO
    content_ids: set[str] = field(default_factory=set)

    def add(self, line: Line) -> None:
        self.tco2e += line.tco2e
        # Methods are str enums: used as keys directly (`.value` costs a descriptor call).
        self.by_method[line.method] += line.tco2e
        self.lines_by_method[line.method] += 1
        spend = line.row.spend or ZERO
        self.spend += spend
        self.content_ids.update(line.content_ids)
        d = line.row.disclosure
        if line.method not in SUPPLIER_DATA:
            self.by_assurance["estimate" if line.tco2e else "missing"] += line.tco2e
            return
        self.supplier_tco2e += line.tco2e
        self.spend_supplier_data += spend
        if d is None:
            # Footprints × quantities in a quarter without a disclosure: supplier data all the
            # same, with no assurance statement to go by.
            self.by_assurance["none"] += line.tco2e
            return
        self.by_assurance[d.verification_level] += line.tco2e
        if d.primary_data_share is not None:
            self.pds_weighted += line.tco2e * d.primary_data_share
            self.pds_weight += line.tco2e
        if d.mean_dqr is not None:
            self.dqr_sum += d.mean_dqr
            self.dqr_count += 1

    def merge(self, other: Tally) -> None:
        """Add another tally's figures to this one (the total is the sum of its categories)."""
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, value in other.by_method.items():
            self.by_method[key] += value
        self.lines_by_method.update(other.lines_by_method)
        for key, value in other.by_assurance.items():
            self.by_assurance[key] += value
        self.content_ids |= other.content_ids

    def summary(self) -> dict[str, object]:
        """Plain figures (decimals stay Decimal; shares in percent, None when undefined)."""
        return {
            "tco2e": self.tco2e,
            "byMethod": {str(k): v for k, v in sorted(self.by_method.items())},
            "linesByMethod": {str(k): v for k, v in sorted(self.lines_by_method.items())},
            "supplierDataPct": share(self.supplier_tco2e, self.tco2e),
            "primaryDataPct": ratio(self.pds_weighted, self.pds_weight),
            "meanDqr": ratio(self.dqr_sum, Decimal(self.dqr_count)),
            "byAssurance": dict(sorted(self.by_assurance.items())),
            "spend": self.spend,
            "coverageBySpendPct": share(self.spend_supplier_data, self.spend),
            "contentIds": sorted(self.content_ids),
        }


_SUMMED = (
    "tco2e",
    "supplier_tco2e",
    "pds_weighted",
    "pds_weight",
    "dqr_sum",
    "dqr_count",
    "spend",
    "spend_supplier_data",
)


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, None when the whole is zero."""
    return None if not whole else part * HUNDRED / whole


def ratio(num: Decimal, den: Decimal) -> Decimal | None:
    return None if not den else num / den


@dataclass
class Rollup:
    """A lead factory's Scope 3 from its suppliers for a quarter or a year."""

    period: str
    total: Tally = field(default_factory=Tally)
    categories: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    lines: list[Line] = field(default_factory=list)


def roll_up(period: str, rows: Iterable[SupplierQuarter]) -> Rollup:
    """Fold supplier-quarters into per-category figures; the total is their sum. Lines are
    kept in a stable order (supplier, then quarter) whatever order the rows came in."""
    result = Rollup(period)
    categories = result.categories
    for row in rows:
        line = choose(row)
        categories[row.category].add(line)
        result.lines.append(line)
    for tally in categories.values():
        result.total.merge(tally)
    result.lines.sort(key=lambda ln: (ln.row.supplier_en, ln.row.relationship_id, ln.row.quarter))
    return result


@dataclass(slots=True)
class SupplierPeriod:
    """One supplier's quarters in the period, summed as they are added (for drill-down and
    indicators, which read these sums many times)."""

    relationship_id: uuid.UUID
    lines: list[Line] = field(default_factory=list)
    tco2e: Decimal = ZERO
    spend: Decimal = ZERO
    supplier_data_tco2e: Decimal = ZERO

    def add(self, line: Line) -> None:
        self.lines.append(line)
        self.tco2e += line.tco2e
        self.spend += line.row.spend or ZERO
        if line.method in SUPPLIER_DATA:
            self.supplier_data_tco2e += line.tco2e

    @property
    def latest(self) -> Line:
        return max(self.lines, key=lambda line: line.row.quarter)

    @property
    def latest_disclosure(self) -> DisclosureFacts | None:
        """The newest quarter's disclosure that the factory may see."""
        for line in sorted(self.lines, key=lambda ln: ln.row.quarter, reverse=True):
            if line.row.consent and line.row.disclosure is not None:
                return line.row.disclosure
        return None


def by_supplier(lines: Iterable[Line]) -> list[SupplierPeriod]:
    """Group lines by relationship, in a stable order (largest emissions first, then name)."""
    groups: dict[uuid.UUID, SupplierPeriod] = {}
    for line in lines:
        rid = line.row.relationship_id
        groups.setdefault(rid, SupplierPeriod(rid)).add(line)
    return sorted(groups.values(), key=lambda g: (-g.tco2e, g.latest.row.supplier_en))
