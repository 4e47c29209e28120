"""The parsed quarterly emission disclosure: frozen dataclasses holding Decimal quantities.

Names are snake_case versions of the wire members in `docs/disclosure-model.md`; every quantity
is a `Decimal` exactly as written on the wire (its exponent is kept, because the rules derive
rounding tolerances from the precision a figure was given at). Lists are tuples and optional
sections are `None`, so a `Disclosure` is immutable all the way down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from esgx_platform.periods.quarters import Quarter


class Boundary(StrEnum):
    OPERATIONAL_CONTROL = "operationalControl"
    FINANCIAL_CONTROL = "financialControl"
    EQUITY_SHARE = "equityShare"


class GwpSet(StrEnum):
    AR5 = "AR5"
    AR6 = "AR6"


class GasUnit(StrEnum):
    TONNES_OF_GAS = "tgas"
    CO2E = "co2e"


class InstrumentType(StrEnum):
    GEC = "GEC"
    I_REC = "I-REC"
    PPA = "PPA"
    ONSITE = "onsite"
    OTHER = "other"


class Scope3Method(StrEnum):
    SUPPLIER_SPECIFIC = "supplierSpecific"
    HYBRID = "hybrid"
    AVERAGE_DATA = "averageData"
    SPEND_BASED = "spendBased"


class AllocationBasis(StrEnum):
    ECONOMIC = "economic"
    PHYSICAL = "physical"


class TargetScope(StrEnum):
    S1 = "1"
    S2 = "2"
    S3 = "3"
    S1_2 = "1+2"
    S1_2_3 = "1+2+3"


class TargetType(StrEnum):
    ABSOLUTE = "absolute"
    INTENSITY = "intensity"


class TargetStatus(StrEnum):
    NONE = "none"
    COMMITTED = "committed"
    VALIDATED = "validated"
    NET_ZERO = "netZero"


class OffsetProgramme(StrEnum):
    CCER = "CCER"
    VCS = "VCS"
    GS = "GS"
    CDM = "CDM"
    OTHER = "other"


class InitiativeStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "inProgress"
    COMPLETED = "completed"


class VerificationLevel(StrEnum):
    NONE = "none"
    LIMITED = "limited"
    REASONABLE = "reasonable"


class GreenFactory(StrEnum):
    """Green-factory recognition (GB/T 36132): the highest list the supplier's site is on."""

    NONE = "none"
    MUNICIPAL = "municipal"  # 市级绿色工厂
    PROVINCIAL = "provincial"  # 省级绿色工厂
    NATIONAL = "national"  # 国家级绿色工厂 (MIIT list)


class FootprintStatus(StrEnum):
    ACTIVE = "Active"
    DEPRECATED = "Deprecated"


class DeclaredUnit(StrEnum):
    """PACT v3 `declaredUnitOfMeasurement` values (`piece` included)."""

    LITER = "liter"
    KILOGRAM = "kilogram"
    CUBIC_METER = "cubic meter"
    KILOWATT_HOUR = "kilowatt hour"
    MEGAJOULE = "megajoule"
    TON_KILOMETER = "ton kilometer"
    SQUARE_METER = "square meter"
    PIECE = "piece"
    HOUR = "hour"
    MEGABIT_SECOND = "megabit second"


@dataclass(frozen=True)
class GasAmount:
    gas: str
    amount: Decimal


@dataclass(frozen=True)
class Scope1:
    tco2e: Decimal
    by_gas: tuple[GasAmount, ...] = ()
    by_gas_unit: GasUnit = GasUnit.CO2E
    by_gas_gwp_set: GwpSet | None = None


@dataclass(frozen=True)
class Scope2:
    location_based_tco2e: Decimal
    market_based_tco2e: Decimal


@dataclass(frozen=True)
class RenewableInstrument:
    type: InstrumentType
    mwh: Decimal
    certificate_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Energy:
    electricity_mwh: Decimal
    total_energy_mwh: Decimal
    renewable_electricity_mwh: Decimal = Decimal(0)
    renewable_instruments: tuple[RenewableInstrument, ...] = ()


@dataclass(frozen=True)
class Scope3Entry:
    category: int
    tco2e: Decimal
    method: Scope3Method


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Output:
    amount: Decimal
    unit: DeclaredUnit


@dataclass(frozen=True)
class Activity:
    revenue: Money
    output: Output


@dataclass(frozen=True)
class Allocation:
    customer: str
    customer_scope3_category: int
    basis: AllocationBasis
    customer_quantity: Decimal
    total_quantity: Decimal
    allocated_tco2e: Decimal
    product_footprint_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True)
class DataQualityIndicators:
    technological_dqr: Decimal | None = None
    geographical_dqr: Decimal | None = None
    temporal_dqr: Decimal | None = None


@dataclass(frozen=True)
class CarbonFootprint:
    """PACT v3 `pcf`: the members the platform reads. Emissions in kgCO2e per declared unit."""

    declared_unit_of_measurement: DeclaredUnit
    declared_unit_amount: Decimal
    product_mass_per_declared_unit: Decimal
    reference_period_start: datetime
    reference_period_end: datetime
    pcf_excluding_biogenic_uptake: Decimal
    pcf_including_biogenic_uptake: Decimal
    fossil_ghg_emissions: Decimal
    fossil_carbon_content: Decimal
    ipcc_characterization_factors: tuple[str, ...]
    cross_sectoral_standards: tuple[str, ...]
    exempted_emissions_percent: Decimal
    geography_region_or_subregion: str | None = None
    geography_country: str | None = None
    geography_country_subdivision: str | None = None
    primary_data_share: Decimal | None = None
    dqi: DataQualityIndicators | None = None


@dataclass(frozen=True)
class ProductFootprint:
    """PACT v3 ProductFootprint; members the platform does not model are tolerated and dropped."""

    id: UUID
    spec_version: str
    created: datetime
    status: FootprintStatus
    company_name: str
    company_ids: tuple[str, ...]
    product_description: str
    product_ids: tuple[str, ...]
    product_name_company: str
    pcf: CarbonFootprint
    preceding_pf_ids: tuple[UUID, ...] = ()
    validity_period_start: datetime | None = None
    validity_period_end: datetime | None = None
    product_classifications: tuple[str, ...] = ()
    comment: str | None = None


@dataclass(frozen=True)
class Target:
    scope: TargetScope
    type: TargetType
    base_year: int
    base_tco2e: Decimal
    target_year: int
    reduction_percent: Decimal
    status: TargetStatus
    intensity_unit: str | None = None


@dataclass(frozen=True)
class Offset:
    programme: OffsetProgramme
    serials: tuple[str, ...]
    vintage: int
    tco2e: Decimal
    retired_on: date
    standard: str | None = None
    registry: str | None = None


@dataclass(frozen=True)
class Initiative:
    description: str
    status: InitiativeStatus
    expected_tco2e_per_year: Decimal | None = None


@dataclass(frozen=True)
class DataQuality:
    primary_data_share: Decimal
    technological_dqr: Decimal | None = None
    geographical_dqr: Decimal | None = None
    temporal_dqr: Decimal | None = None


@dataclass(frozen=True)
class Verification:
    level: VerificationLevel
    provider: str | None = None
    standard: str | None = None
    statement_date: date | None = None


@dataclass(frozen=True)
class SupplyChainEngagement:
    reporting_share_by_spend: Decimal | None = None
    targets_share_by_spend: Decimal | None = None
    green_factory: GreenFactory | None = None
    take_back: bool | None = None


@dataclass(frozen=True)
class Disclosure:
    """One supplier's emission disclosure for one quarter (the credential's subject)."""

    period: Quarter
    boundary: Boundary
    gwp_set: GwpSet
    scope1: Scope1
    scope2: Scope2
    energy: Energy
    activity: Activity
    scope3: tuple[Scope3Entry, ...] = ()
    allocations: tuple[Allocation, ...] = ()
    product_footprints: tuple[ProductFootprint, ...] = ()
    targets: tuple[Target, ...] = ()
    offsets: tuple[Offset, ...] = ()
    initiatives: tuple[Initiative, ...] = ()
    data_quality: DataQuality | None = None
    verification: Verification | None = None
    supply_chain_engagement: SupplyChainEngagement | None = None
    restates: str | None = None
    restatement_reason: str | None = None
