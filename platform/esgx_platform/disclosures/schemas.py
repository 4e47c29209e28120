"""Input schema of an `EmissionDisclosure` credential subject (`docs/disclosure-model.md`).

Required: `period`, `boundary`, `gwpSet`, `scope1`, `scope2` (both methods), `energy`
(`electricityMwh`, `totalEnergyMwh`) and `activity` (revenue and output): without them no figure
can be checked, compared or allocated. The lists (`scope3`, `allocations`, `productFootprints`,
`targets`, `offsets`, `initiatives`) default to empty; the sections `dataQuality`,
`verification` and `supplyChainEngagement` and the members `restates`/`restatementReason` are
optional, and `null` counts as absent for optional members. Within sections:
`energy.renewableElectricityMwh` defaults to 0; `scope1.byGasUnit` to `co2e`; a verification
other than `none` needs provider, standard and statement date; `dataQuality` needs
`primaryDataShare`, its ratings are optional; an initiative's expected saving is optional.

Added optional members (the wire format may only grow that way): `scope1.byGasGwpSet` names the
set the per-gas figures were characterized with, so a mixed set is caught instead of assumed.
Value choices: `customerScope3Category` is 1-8 (a supplier's emissions land in its customer's
upstream Scope 3; downstream categories would double count); target `scope` is one of
`1`, `2`, `3`, `1+2`, `1+2+3`; initiative `status` is `planned`, `inProgress` or `completed`;
`greenFactory` is `none`, `municipal`, `provincial` or `national`; `restates` is a lower-case
sha256 hex content id.

Every quantity is a decimal string (JSON numbers refused; at most 18 digits before and after the
point) and emissions, energy, money and counts are non-negative. Lists hold at most 1000 items
(`scope3` 15, `targets` 100) so a hostile payload cannot make validation expensive. Unknown
members are rejected everywhere except inside `productFootprints` (PACT's tolerance, see
`pact.py`). Arithmetic and context checks are in `rules.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validates, validates_schema

from esgx_platform.disclosures.fields import (
    NOT_DECIMAL,
    TOO_FEW,
    TOO_MANY,
    Choice,
    Items,
    Label,
    OrgUrn,
    Period,
    Quantity,
    Uuid,
    WholeNumber,
)
from esgx_platform.disclosures.loading import frozen, load_subject
from esgx_platform.disclosures.management import (
    DataQualitySchema,
    InitiativeSchema,
    OffsetSchema,
    SupplyChainEngagementSchema,
    TargetSchema,
    VerificationSchema,
)
from esgx_platform.disclosures.model import (
    Activity,
    Allocation,
    AllocationBasis,
    Boundary,
    DeclaredUnit,
    Disclosure,
    Energy,
    GasAmount,
    GasUnit,
    GwpSet,
    InstrumentType,
    Money,
    Output,
    ProductFootprint,
    RenewableInstrument,
    Scope1,
    Scope2,
    Scope3Entry,
    Scope3Method,
)
from esgx_platform.disclosures.pact import ProductFootprintSchema
from esgx_platform.i18n import Text
from esgx_platform.schemas import invalid

_GAS = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_CURRENCY = (
    r"[A-Z]{3}",
    Text("Use an ISO 4217 code, e.g. CNY.", "请使用 ISO 4217 代码，例如 CNY。"),
)
_CONTENT_ID = (
    r"[0-9a-f]{64}",
    Text(
        "Use the replaced disclosure's content id: 64 lower-case hexadecimal characters.",
        "请填写被替代披露的内容标识：64 位小写十六进制字符。",
    ),
)

NOT_OBJECT = Text("Must be a JSON object.", "必须是 JSON 对象。")
BAD_GAS = Text(
    "Not a gas name: letters, digits, _ . or -, e.g. CH4 or HFC-134a.",
    "不是有效的气体名称：只能包含字母、数字、_ . 或 -，例如 CH4 或 HFC-134a。",
)
REPEATED_CATEGORY = Text(
    "Scope 3 category {c} is already reported above; give one entry per category.",
    "范围三类别 {c} 已在前面填报；每个类别只能填报一项。",
)
REPEATED_FOOTPRINT = Text(
    "A footprint with this id is already in productFootprints.",
    "productFootprints 中已有相同 id 的产品碳足迹。",
)
REASON_NEEDED = Text(
    "A restatement needs its restatementReason.", "更正披露须填写更正原因（restatementReason）。"
)
RESTATES_NEEDED = Text(
    "A restatementReason belongs with restates (the content id of the replaced disclosure).",
    "restatementReason 须与 restates（被替代披露的内容标识）一同填写。",
)


class GasAmounts(fields.Field[list[GasAmount]]):
    """`byGas`: a non-empty JSON object from gas name to a non-negative decimal string."""

    amount = Quantity(required=True)  # required: a null amount is an error, never None

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> list[GasAmount]:
        if not isinstance(value, Mapping):
            raise invalid(NOT_OBJECT)
        if not 1 <= len(value) <= 32:
            raise invalid(TOO_FEW.format(n=1) if not value else TOO_MANY.format(n=32))
        amounts: list[GasAmount] = []
        errors: dict[str, Any] = {}
        for gas, raw in value.items():
            if not isinstance(gas, str) or not _GAS.fullmatch(gas):
                errors[str(gas)[:40]] = [BAD_GAS]
                continue
            try:
                amounts.append(GasAmount(gas, self._amount(raw)))
            except ValidationError as exc:
                errors[gas] = exc.messages
        if errors:
            raise ValidationError(errors)
        return amounts

    def _amount(self, raw: Any) -> Decimal:
        amount: Decimal | None = self.amount.deserialize(raw)
        if amount is None:  # unreachable: the field refuses null
            raise invalid(NOT_DECIMAL)
        return amount


class Scope1Schema(Schema):
    tco2e = Quantity(required=True)
    by_gas = GasAmounts(data_key="byGas", load_default=())
    by_gas_unit = Choice(GasUnit, data_key="byGasUnit", load_default=GasUnit.CO2E)
    by_gas_gwp_set = Choice(GwpSet, data_key="byGasGwpSet", load_default=None)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Scope1:
        return Scope1(**frozen(data))


class Scope2Schema(Schema):
    location_based_tco2e = Quantity(data_key="locationBasedTco2e", required=True)
    market_based_tco2e = Quantity(data_key="marketBasedTco2e", required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Scope2:
        return Scope2(**data)


class InstrumentSchema(Schema):
    type = Choice(InstrumentType, required=True)
    mwh = Quantity(required=True)
    certificate_ids = Items(
        Label(max_length=200), data_key="certificateIds", unique=True, load_default=()
    )

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> RenewableInstrument:
        return RenewableInstrument(**frozen(data))


class EnergySchema(Schema):
    electricity_mwh = Quantity(data_key="electricityMwh", required=True)
    total_energy_mwh = Quantity(data_key="totalEnergyMwh", required=True)
    renewable_electricity_mwh = Quantity(data_key="renewableElectricityMwh", load_default=None)
    renewable_instruments = Items(
        fields.Nested(InstrumentSchema), data_key="renewableInstruments", load_default=()
    )

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Energy:
        renewable = data.pop("renewable_electricity_mwh")
        if renewable is not None:
            data["renewable_electricity_mwh"] = renewable
        return Energy(**frozen(data))


class Scope3Schema(Schema):
    category = WholeNumber(minimum=1, maximum=15, required=True)
    tco2e = Quantity(required=True)
    method = Choice(Scope3Method, required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Scope3Entry:
        return Scope3Entry(**data)


class MoneySchema(Schema):
    amount = Quantity(required=True)
    currency = Label(max_length=3, shape=_CURRENCY, required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Money:
        return Money(**data)


class OutputSchema(Schema):
    amount = Quantity(required=True)
    unit = Choice(DeclaredUnit, required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Output:
        return Output(**data)


class ActivitySchema(Schema):
    revenue = fields.Nested(MoneySchema, required=True)
    output = fields.Nested(OutputSchema, required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Activity:
        return Activity(**data)


class AllocationSchema(Schema):
    customer = OrgUrn(required=True)
    customer_scope3_category = WholeNumber(
        data_key="customerScope3Category", minimum=1, maximum=8, required=True
    )
    basis = Choice(AllocationBasis, required=True)
    customer_quantity = Quantity(data_key="customerQuantity", required=True)
    total_quantity = Quantity(data_key="totalQuantity", positive=True, required=True)
    allocated_tco2e = Quantity(data_key="allocatedTco2e", required=True)
    product_footprint_ids = Items(
        Uuid(), data_key="productFootprintIds", unique=True, load_default=()
    )

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Allocation:
        return Allocation(**frozen(data))


def _list(schema: type[Schema], **kwargs: Any) -> Items:
    return Items(fields.Nested(schema), load_default=(), **kwargs)


class DisclosureSchema(Schema):
    period = Period(required=True)
    boundary = Choice(Boundary, required=True)
    gwp_set = Choice(GwpSet, data_key="gwpSet", required=True)
    scope1 = fields.Nested(Scope1Schema, required=True)
    scope2 = fields.Nested(Scope2Schema, required=True)
    energy = fields.Nested(EnergySchema, required=True)
    activity = fields.Nested(ActivitySchema, required=True)
    scope3 = _list(Scope3Schema, max_items=15)
    allocations = _list(AllocationSchema)
    product_footprints = _list(ProductFootprintSchema, data_key="productFootprints")
    targets = _list(TargetSchema, max_items=100)
    offsets = _list(OffsetSchema)
    initiatives = _list(InitiativeSchema)
    data_quality = fields.Nested(DataQualitySchema, data_key="dataQuality", load_default=None)
    verification = fields.Nested(VerificationSchema, load_default=None)
    supply_chain_engagement = fields.Nested(
        SupplyChainEngagementSchema, data_key="supplyChainEngagement", load_default=None
    )
    restates = Label(max_length=64, shape=_CONTENT_ID, load_default=None)
    restatement_reason = Label(data_key="restatementReason", max_length=2000, load_default=None)

    # Marshmallow runs field validators even on a list some of whose items failed (those stay
    # plain dicts, or go missing and shift the indices), so these two wait until every item
    # parsed: the failed ones have their own errors already.
    @validates("scope3")
    def _one_entry_per_category(self, value: list[Any], **_: Any) -> None:
        if not all(isinstance(entry, Scope3Entry) for entry in value):
            return
        seen: set[int] = set()
        for index, entry in enumerate(value):
            if entry.category in seen:
                message = REPEATED_CATEGORY.format(c=entry.category)
                raise ValidationError({index: {"category": [message]}})
            seen.add(entry.category)

    @validates("product_footprints")
    def _distinct_footprints(self, value: list[Any], **_: Any) -> None:
        if not all(isinstance(footprint, ProductFootprint) for footprint in value):
            return
        seen: set[object] = set()
        for index, footprint in enumerate(value):
            if footprint.id in seen:
                raise ValidationError({index: {"id": [REPEATED_FOOTPRINT]}})
            seen.add(footprint.id)

    @validates_schema
    def _restatement_pairs(self, data: dict[str, Any], **_: Any) -> None:
        if data["restates"] is not None and data["restatement_reason"] is None:
            raise invalid(REASON_NEEDED, field="restatementReason")
        if data["restates"] is None and data["restatement_reason"] is not None:
            raise invalid(RESTATES_NEEDED, field="restates")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Disclosure:
        return Disclosure(**frozen(data))


def parse_disclosure(subject: Mapping[str, Any]) -> Disclosure:
    """Parse an `EmissionDisclosure` credential subject into a `Disclosure`.

    Checks shape only (types, ranges, enumerations, required members); the arithmetic and the
    platform context are `rules.check_rules`. Raises InvalidInput whose FieldErrors have paths
    under `$.credentialSubject`, e.g. `$.credentialSubject.allocations[0].allocatedTco2e`.
    """
    disclosure: Disclosure = load_subject(_DISCLOSURE_SCHEMA, subject)
    return disclosure


# One instance, reused: building the nested schemas costs more than a whole load, and a
# marshmallow 4 schema keeps no per-load state on the instance.
_DISCLOSURE_SCHEMA = DisclosureSchema()
