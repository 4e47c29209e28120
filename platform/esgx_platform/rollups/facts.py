"""The roll-up's input, as plain data: one supply relationship in one quarter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from esgx_platform.i18n import Text


class Method(StrEnum):
    """GHG Protocol calculation methods, most specific first."""

    # Σ quantity bought × the supplier's product footprint per declared unit
    SUPPLIER_SPECIFIC = "supplier_specific"
    # the supplier's own emissions allocated to this factory in its verified disclosure
    HYBRID = "hybrid"
    # spend × a spend-based (EEIO) factor: an estimate
    SPEND_BASED = "spend_based"
    # nothing usable
    MISSING = "missing"


SUPPLIER_DATA = frozenset({Method.SUPPLIER_SPECIFIC, Method.HYBRID})

# The status of a supplier-quarter without an accepted filing before its deadline (see
# `engine.status_of`): not missing, not late, never penalized; the ranking leaves it out.
NOT_DUE = "notDue"


# slots and no freezing: tens of thousands are built per roll-up, and a frozen dataclass pays
# an object.__setattr__ per field. Nothing mutates them after construction.
@dataclass(slots=True)
class DisclosureFacts:
    """What the roll-up reads from the supplier's current disclosure for the quarter."""

    content_id: str
    version: int
    # First filed (a restatement does not move it) by the factory's deadline for the quarter.
    filed_on_time: bool
    verification_level: str
    primary_data_share: Decimal | None
    mean_dqr: Decimal | None
    target_status: str
    electricity_mwh: Decimal
    renewable_mwh: Decimal
    # Allocated to this factory; None when the disclosure has no allocation to it.
    allocated_tco2e: Decimal | None
    footprints_linked: bool
    tier2_reporting_pct: Decimal | None
    tier2_targets_pct: Decimal | None
    green_factory: str | None


@dataclass(frozen=True)
class PurchaseFacts:
    """Quantities the factory recorded, priced with the supplier's product footprints."""

    tco2e: Decimal
    footprint_ids: tuple[str, ...]
    # Every purchase line found a footprint with a matching declared unit.
    complete: bool
    # Content ids of the signed credentials (disclosures or stand-alone footprint credentials)
    # that carried the footprints used: the figure's provenance, whatever quarter they came in.
    content_ids: tuple[str, ...] = ()


@dataclass(slots=True)
class SupplierQuarter:
    relationship_id: uuid.UUID
    supplier_id: uuid.UUID
    supplier_en: str
    supplier_zh: str
    province: str | None
    category: int
    quarter: str  # "2025-Q3"
    deadline: datetime
    # The deadline had passed when the roll-up was read (`db.utcnow()`, once per reading):
    # before it, a quarter without an accepted filing is not yet due rather than missing.
    due: bool
    consent: bool
    # Spend in the factory's reporting currency (None: not recorded or not convertible).
    spend: Decimal | None
    estimate_tco2e: Decimal | None
    estimate_note: Text | None  # why there is no estimate
    disclosure: DisclosureFacts | None
    purchases: PurchaseFacts | None
    rejected: bool

    @property
    def disclosed(self) -> bool:
        return self.disclosure is not None

    @property
    def on_time(self) -> bool:
        return self.disclosure is not None and self.disclosure.filed_on_time
