"""PACT v3 ProductFootprint schemas: inside a disclosure's `productFootprints` or filed alone.

PACT tolerates unknown members (data model extensions, members added by later 3.x releases), so
these schemas ignore members they do not model instead of rejecting them; everything they do
model is checked strictly: the required members of `docs/pact-v3.md`, decimal strings, URNs,
uuids, and the consistency rules a malformed footprint breaks (reference and validity periods in
order, at most one geography, biogenic uptake never raising the footprint, no footprint that
precedes itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_load, validates_schema

from esgx_platform.disclosures.fields import (
    Choice,
    Items,
    Label,
    Quantity,
    Timestamp,
    Uuid,
)
from esgx_platform.disclosures.loading import frozen, load_subject
from esgx_platform.disclosures.model import (
    CarbonFootprint,
    DataQualityIndicators,
    DeclaredUnit,
    FootprintStatus,
    ProductFootprint,
)
from esgx_platform.i18n import Text
from esgx_platform.schemas import invalid

# RFC 8141: "urn:" NID ":" NSS; PACT identifies companies, products and classifications so.
_URN = (
    r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s]+",
    Text("Not a URN (urn:<namespace>:<id>).", "不是有效的 URN（urn:<命名空间>:<标识>）。"),
)
_SPEC_VERSION = (
    r"3\.[0-9]+\.[0-9]+(-[0-9]{8})?",
    Text(
        'Only PACT 3.x footprints are accepted (specVersion such as "3.0.3").',
        '只接受 PACT 3.x 产品碳足迹（specVersion 例如 "3.0.3"）。',
    ),
)
_IPCC = (
    r"AR[0-9]{1,2}",
    Text('Use the form "AR6".', '请使用 "AR6" 这样的格式。'),
)
_COUNTRY = (
    r"[A-Z]{2}",
    Text("Use ISO 3166-1 alpha-2, e.g. CN.", "请使用 ISO 3166-1 两位代码，例如 CN。"),
)
_SUBDIVISION = (
    r"[A-Z]{2}-[A-Z0-9]{1,3}",
    Text("Use ISO 3166-2, e.g. CN-TJ.", "请使用 ISO 3166-2 代码，例如 CN-TJ。"),
)
# UN M49 regions and subregions, as PACT v3 enumerates them.
UN_REGIONS = frozenset(
    {
        "Africa", "Americas", "Asia", "Europe", "Oceania", "Australia and New Zealand",
        "Central Asia", "Eastern Asia", "Eastern Europe", "Latin America and the Caribbean",
        "Melanesia", "Micronesia", "Northern Africa", "Northern America", "Northern Europe",
        "Polynesia", "South-eastern Asia", "Southern Asia", "Southern Europe",
        "Sub-Saharan Africa", "Western Asia", "Western Europe",
    }
)  # fmt: skip
_REGION = (
    "|".join(sorted(UN_REGIONS)),
    Text(
        "Not a UN M49 region or subregion as PACT lists them.",
        "不是 PACT 列出的联合国 M49 区域或次区域。",
    ),
)
ONE_GEOGRAPHY = Text(
    "Give at most one of geographyRegionOrSubregion, geographyCountry and "
    "geographyCountrySubdivision.",
    "geographyRegionOrSubregion、geographyCountry 和 geographyCountrySubdivision "
    "最多只能填写一项。",
)
PERIOD_ORDER = Text("Must be later than {start}.", "必须晚于 {start}。")
UPTAKE_RAISES = Text(
    "pcfIncludingBiogenicUptake cannot exceed pcfExcludingBiogenicUptake: biogenic uptake is "
    "zero or negative.",
    "pcfIncludingBiogenicUptake 不能大于 pcfExcludingBiogenicUptake：生物源吸收为零或负值。",
)
PRECEDES_ITSELF = Text(
    "A footprint cannot list its own id among its preceding footprints.",
    "产品碳足迹不能把自身 id 列为前序足迹。",
)


_GEOGRAPHY = {
    "geographyRegionOrSubregion": "geography_region_or_subregion",
    "geographyCountry": "geography_country",
    "geographyCountrySubdivision": "geography_country_subdivision",
}


class DqiSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    technological_dqr = Quantity(
        data_key="technologicalDQR", minimum=1, maximum=5, load_default=None
    )
    geographical_dqr = Quantity(data_key="geographicalDQR", minimum=1, maximum=5, load_default=None)
    temporal_dqr = Quantity(data_key="temporalDQR", minimum=1, maximum=5, load_default=None)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> DataQualityIndicators:
        return DataQualityIndicators(**data)


def _urns(**kwargs: Any) -> Items:
    return Items(Label(max_length=500, shape=_URN), min_items=1, unique=True, **kwargs)


class CarbonFootprintSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    declared_unit_of_measurement = Choice(
        DeclaredUnit, data_key="declaredUnitOfMeasurement", required=True
    )
    declared_unit_amount = Quantity(data_key="declaredUnitAmount", positive=True, required=True)
    product_mass_per_declared_unit = Quantity(data_key="productMassPerDeclaredUnit", required=True)
    reference_period_start = Timestamp(data_key="referencePeriodStart", required=True)
    reference_period_end = Timestamp(data_key="referencePeriodEnd", required=True)
    pcf_excluding_biogenic_uptake = Quantity(
        data_key="pcfExcludingBiogenicUptake", minimum=None, required=True
    )
    pcf_including_biogenic_uptake = Quantity(
        data_key="pcfIncludingBiogenicUptake", minimum=None, required=True
    )
    fossil_ghg_emissions = Quantity(data_key="fossilGhgEmissions", required=True)
    fossil_carbon_content = Quantity(data_key="fossilCarbonContent", required=True)
    ipcc_characterization_factors = Items(
        Label(max_length=8, shape=_IPCC),
        data_key="ipccCharacterizationFactors",
        min_items=1,
        max_items=10,
        unique=True,
        required=True,
    )
    cross_sectoral_standards = Items(
        Label(max_length=100),
        data_key="crossSectoralStandards",
        min_items=1,
        max_items=50,
        unique=True,
        required=True,
    )
    exempted_emissions_percent = Quantity(
        data_key="exemptedEmissionsPercent", maximum=100, required=True
    )
    geography_region_or_subregion = Label(
        data_key="geographyRegionOrSubregion", shape=_REGION, load_default=None
    )
    geography_country = Label(data_key="geographyCountry", shape=_COUNTRY, load_default=None)
    geography_country_subdivision = Label(
        data_key="geographyCountrySubdivision", shape=_SUBDIVISION, load_default=None
    )
    primary_data_share = Quantity(data_key="primaryDataShare", maximum=100, load_default=None)
    dqi = fields.Nested(DqiSchema, load_default=None)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        geographies = [key for key, name in _GEOGRAPHY.items() if data.get(name) is not None]
        if len(geographies) > 1:
            raise invalid(ONE_GEOGRAPHY, field=geographies[1])
        start, end = data["reference_period_start"], data["reference_period_end"]
        if end <= start:
            raise invalid(
                PERIOD_ORDER.format(start="referencePeriodStart"), field="referencePeriodEnd"
            )
        if data["pcf_including_biogenic_uptake"] > data["pcf_excluding_biogenic_uptake"]:
            raise invalid(UPTAKE_RAISES, field="pcfIncludingBiogenicUptake")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> CarbonFootprint:
        return CarbonFootprint(**frozen(data))


class ProductFootprintSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = Uuid(required=True)
    spec_version = Label(data_key="specVersion", max_length=30, shape=_SPEC_VERSION, required=True)
    created = Timestamp(required=True)
    status = Choice(FootprintStatus, required=True)
    company_name = Label(data_key="companyName", max_length=500, required=True)
    company_ids = _urns(data_key="companyIds", required=True)
    product_description = Label(
        data_key="productDescription", min_length=0, max_length=5000, required=True
    )
    product_ids = _urns(data_key="productIds", required=True)
    product_name_company = Label(data_key="productNameCompany", max_length=500, required=True)
    pcf = fields.Nested(CarbonFootprintSchema, required=True)
    preceding_pf_ids = Items(
        Uuid(), data_key="precedingPfIds", min_items=1, unique=True, load_default=()
    )
    validity_period_start = Timestamp(data_key="validityPeriodStart", load_default=None)
    validity_period_end = Timestamp(data_key="validityPeriodEnd", load_default=None)
    product_classifications = _urns(data_key="productClassifications", load_default=())
    comment = Label(min_length=0, max_length=5000, load_default=None)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("validity_period_start"), data.get("validity_period_end")
        if start is not None and end is not None and end <= start:
            raise invalid(
                PERIOD_ORDER.format(start="validityPeriodStart"), field="validityPeriodEnd"
            )
        if data["id"] in data.get("preceding_pf_ids", ()):
            raise invalid(PRECEDES_ITSELF, field="precedingPfIds")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> ProductFootprint:
        return ProductFootprint(**frozen(data))


def parse_product_footprint(subject: Mapping[str, Any]) -> ProductFootprint:
    """Parse the subject of a stand-alone `ProductFootprint` credential (one PACT v3 footprint).

    Raises InvalidInput whose FieldErrors have paths under `$.credentialSubject`.
    """
    footprint: ProductFootprint = load_subject(_FOOTPRINT_SCHEMA, subject)
    return footprint


# Reused for the same reason as the disclosure schema (see schemas.py).
_FOOTPRINT_SCHEMA = ProductFootprintSchema()
