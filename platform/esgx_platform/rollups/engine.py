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

from esgx_platform.rollups.facts import (
    NOT_DUE,
    SUPPLIER_DATA,
    DisclosureFacts,
    Method,
    SupplierQuarter,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
ASSURED = frozenset({"limited", "reasonable"})


@dataclass(frozen=True, slots=True)
class Line:
    """One supplier-quarter's contribution and where it came from."""

    row: SupplierQuarter
    method: Method
    tco2e: Decimal
    content_ids: tuple[str, ...] = ()


def sources(row: SupplierQuarter, method: Method) -> tuple[str, ...]:
    """The disclosures a figure rests on: the quarter's (its allocation, or the data quality
    and assurance a footprint figure is tallied with) and, for a footprint figure, whatever
    carried the footprints, which may have been filed in another quarter."""
    d, purchases = row.disclosure, row.purchases
    if method is Method.HYBRID and d is not None:
        return (d.content_id,)
    if method is not Method.SUPPLIER_SPECIFIC:
        return ()
    ids = {d.content_id} if d is not None else set()
    if purchases is not None:
        ids.update(purchases.content_ids)
    return tuple(sorted(ids))


def choose(row: SupplierQuarter) -> Line:
    """The most specific usable figure: footprints × quantities, else the supplier's
    allocation, else a spend-based estimate, else missing."""
    purchases = row.purchases
    if row.consent and purchases is not None and purchases.complete:
        method = Method.SUPPLIER_SPECIFIC
        return Line(row, method, purchases.tco2e, sources(row, method))
    d = row.disclosure
    if row.consent and d is not None and d.allocated_tco2e is not None:
        return Line(row, Method.HYBRID, d.allocated_tco2e, (d.content_id,))
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
        for content_id in line.content_ids:
            self.content_ids.add(content_id)
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


def status_of(row: SupplierQuarter) -> str | None:
    """What is wrong with a supplier-quarter, if anything: `noConsent`, `rejected`,
    `notDisclosed` or `late` (the status lists of the roll-up); `notDue` for a quarter with
    no accepted filing (none, or only rejected ones) whose deadline has not passed: the
    supplier is not late, it simply has not filed yet."""
    if not row.consent:
        return "noConsent"
    if not row.disclosed:
        if not row.due:
            return NOT_DUE
        return "rejected" if row.rejected else "notDisclosed"
    return None if row.on_time else "late"


def filed_on_time(lines: Iterable[Line]) -> bool | None:
    """Whether every quarter judged so far was first filed by the deadline: quarters not yet
    due are left out (one filed early counts); None when nothing can be judged yet."""
    judged = [status for status in map(status_of, (ln.row for ln in lines)) if status != NOT_DUE]
    return all(status is None for status in judged) if judged else None


@dataclass
class Rollup:
    """A lead factory's Scope 3 from its suppliers for a quarter or a year."""

    period: str
    total: Tally = field(default_factory=Tally)
    categories: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    lines: list[Line] = field(default_factory=list)


def roll_up(period: str, rows: Iterable[SupplierQuarter]) -> Rollup:
    """Fold supplier-quarters into per-category figures; the total is their sum. Lines keep
    the rows' order (the database's); whoever lists them sorts what they show."""
    result = Rollup(period)
    categories = result.categories
    for row in rows:
        line = choose(row)
        categories[row.category].add(line)
        result.lines.append(line)
    for tally in categories.values():
        result.total.merge(tally)
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
    # The newest quarter's line, and the newest quarter whose disclosure the factory may see.
    _latest: Line | None = None
    _visible: Line | None = None

    def add(self, line: Line) -> None:
        self.lines.append(line)
        self.tco2e += line.tco2e
        self.spend += line.row.spend or ZERO
        if line.method in SUPPLIER_DATA:
            self.supplier_data_tco2e += line.tco2e
        quarter = line.row.quarter
        if self._latest is None or quarter > self._latest.row.quarter:
            self._latest = line
        visible = line.row.consent and line.row.disclosure is not None
        if visible and (self._visible is None or quarter > self._visible.row.quarter):
            self._visible = line

    @property
    def latest(self) -> Line:
        assert self._latest is not None, "a SupplierPeriod has at least one line"
        return self._latest

    @property
    def name(self) -> str:
        return self.lines[0].row.supplier_en

    @property
    def latest_disclosure(self) -> DisclosureFacts | None:
        """The newest quarter's disclosure that the factory may see."""
        return None if self._visible is None else self._visible.row.disclosure


def by_supplier(lines: Iterable[Line]) -> list[SupplierPeriod]:
    """Group lines by relationship, in a stable order (largest emissions first, then name)."""
    groups: dict[uuid.UUID, SupplierPeriod] = {}
    for line in lines:
        rid = line.row.relationship_id
        groups.setdefault(rid, SupplierPeriod(rid)).add(line)
    return sorted(groups.values(), key=lambda g: (-g.tco2e, g.name, str(g.relationship_id)))
