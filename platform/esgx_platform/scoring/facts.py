"""The scorecard's input as plain data, and its JSON form (a snapshot stores it verbatim).

Everything a ranking depends on is here, so a stored snapshot recomputes exactly from its own
inputs: the figures of each visible disclosure (with its content id), each quarter's status,
earlier years' figures for the trend metrics, the procurement ratings, and the previous
period's scores for the trend.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from esgx_platform.rollups.facts import NOT_DUE

OK = "ok"  # disclosed by the deadline
LATE = "late"
# The optional sections of a disclosure that count towards completeness.
SECTIONS = ("scope3", "dataQuality", "targets", "productFootprints", "supplyChainEngagement")


@dataclass(frozen=True, slots=True)
class Figures:
    """What the scorecard reads of a supplier's current disclosure for one quarter."""

    content_id: str
    scope1: Decimal
    scope2_market: Decimal
    revenue_amount: Decimal
    revenue_currency: str
    # Revenue in the factory's reporting currency; None without an exchange rate.
    revenue: Decimal | None
    output_amount: Decimal
    output_unit: str
    electricity_mwh: Decimal
    renewable_mwh: Decimal
    primary_data_share: Decimal | None
    mean_dqr: Decimal | None
    verification: str
    target_status: str
    sections: tuple[str, ...]
    offsets_tco2e: Decimal
    qualifying_offsets_tco2e: Decimal

    @property
    def scope12(self) -> Decimal:
        return self.scope1 + self.scope2_market


@dataclass(frozen=True, slots=True)
class QuarterFacts:
    quarter: str
    # "ok", "late", a missing kind ("notDisclosed", "rejected", "noConsent"), or "notDue":
    # not filed and the deadline not passed yet, so not judged (no penalty, left out of the
    # period's denominators).
    status: str
    figures: Figures | None  # None unless the factory may see a disclosure


@dataclass(frozen=True, slots=True)
class Earlier:
    """An earlier year's current disclosure of one of the period's quarters."""

    quarter: str
    content_id: str
    scope12: Decimal
    # In the reporting currency at the rate of the *scored* period's year (constant currency,
    # so exchange-rate moves do not pass for efficiency changes); None without a rate.
    revenue: Decimal | None


@dataclass(frozen=True, slots=True)
class Rating:
    """External ratings procurement entered for the relationship (the current entry)."""

    id: uuid.UUID
    cdp_score: str | None
    ecovadis_medal: str | None
    recorded_at: str  # ISO 8601


@dataclass(frozen=True, slots=True)
class SupplierFacts:
    relationship_id: uuid.UUID
    supplier_id: uuid.UUID
    name_en: str
    name_zh: str
    province: str | None
    category: int
    spend: Decimal  # in the reporting currency, for the period (informative, not scored)
    quarters: tuple[QuarterFacts, ...]
    earlier: tuple[Earlier, ...] = ()
    rating: Rating | None = None

    @property
    def visible(self) -> list[tuple[str, Figures]]:
        return [(q.quarter, q.figures) for q in self.quarters if q.figures is not None]

    @property
    def judged(self) -> tuple[QuarterFacts, ...]:
        """The quarters it is judged on: all but those not yet due (one filed early counts)."""
        return tuple(q for q in self.quarters if q.status != NOT_DUE)

    @property
    def not_due(self) -> tuple[str, ...]:
        """The quarters not yet due (not filed, deadline not passed): not judged yet."""
        return tuple(q.quarter for q in self.quarters if q.status == NOT_DUE)

    def content_ids(self) -> set[str]:
        ids = {f.content_id for _, f in self.visible}
        return ids | {e.content_id for e in self.earlier}


@dataclass(frozen=True, slots=True)
class Previous:
    """A supplier's place in the previous period, scored with the same configuration."""

    period: str
    total: Decimal
    band: str
    rank: int


@dataclass(frozen=True)
class ScoringInputs:
    lead_factory_id: uuid.UUID
    period: str
    quarters: tuple[str, ...]
    reporting_currency: str
    deadline_days: int
    suppliers: tuple[SupplierFacts, ...]
    previous: Mapping[uuid.UUID, Previous] = field(default_factory=dict)  # by relationship

    def content_ids(self) -> list[str]:
        return sorted(set().union(*(s.content_ids() for s in self.suppliers)))


# --- JSON (decimals as exact strings, so a round trip changes nothing) -----------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def inputs_json(inputs: ScoringInputs) -> dict[str, Any]:
    body: dict[str, Any] = {
        f.name: _plain(getattr(inputs, f.name)) for f in fields(inputs) if f.name != "previous"
    }
    body["previous"] = {str(k): _plain(v) for k, v in sorted(inputs.previous.items(), key=str)}
    return body


_DECIMALS = frozenset(
    {
        "scope1",
        "scope2_market",
        "revenue_amount",
        "revenue",
        "output_amount",
        "electricity_mwh",
        "renewable_mwh",
        "primary_data_share",
        "mean_dqr",
        "offsets_tco2e",
        "qualifying_offsets_tco2e",
        "scope12",
        "spend",
        "total",
    }
)
_UUIDS = frozenset({"id", "relationship_id", "supplier_id", "lead_factory_id"})


def _typed(data: Mapping[str, Any]) -> dict[str, Any]:
    """Decimal and UUID members back from their strings; lists become tuples."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is not None and key in _DECIMALS:
            value = Decimal(value)
        elif value is not None and key in _UUIDS:
            value = uuid.UUID(value)
        elif isinstance(value, list):
            value = tuple(value)
        out[key] = value
    return out


def _supplier(data: Mapping[str, Any]) -> SupplierFacts:
    values = _typed(data)
    values["quarters"] = tuple(
        QuarterFacts(
            q["quarter"],
            q["status"],
            None if q["figures"] is None else Figures(**_typed(q["figures"])),
        )
        for q in data["quarters"]
    )
    values["earlier"] = tuple(Earlier(**_typed(e)) for e in data["earlier"])
    values["rating"] = None if data["rating"] is None else Rating(**_typed(data["rating"]))
    return SupplierFacts(**values)


def inputs_from_json(data: Mapping[str, Any]) -> ScoringInputs:
    """The inputs a snapshot stored; raises KeyError/TypeError/ValueError when malformed."""
    return ScoringInputs(
        lead_factory_id=uuid.UUID(data["lead_factory_id"]),
        period=data["period"],
        quarters=tuple(data["quarters"]),
        reporting_currency=data["reporting_currency"],
        deadline_days=data["deadline_days"],
        suppliers=tuple(_supplier(s) for s in data["suppliers"]),
        previous={uuid.UUID(k): Previous(**_typed(v)) for k, v in data["previous"].items()},
    )
