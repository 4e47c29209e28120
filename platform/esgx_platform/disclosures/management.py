"""Schemas of a disclosure's management sections: targets, offsets, initiatives, data quality,
verification and supply-chain engagement (see `schemas.py` for the required/optional choices)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, post_load, validates_schema

from esgx_platform.disclosures.fields import (
    Choice,
    Day,
    Items,
    Label,
    Quantity,
    StrictBool,
    WholeNumber,
)
from esgx_platform.disclosures.loading import frozen
from esgx_platform.disclosures.model import (
    DataQuality,
    GreenFactory,
    Initiative,
    InitiativeStatus,
    Offset,
    OffsetProgramme,
    SupplyChainEngagement,
    Target,
    TargetScope,
    TargetStatus,
    TargetType,
    Verification,
    VerificationLevel,
)
from esgx_platform.disclosures.serials import BAD_SERIAL, SerialRange
from esgx_platform.i18n import Text
from esgx_platform.schemas import invalid

MIN_YEAR, MAX_YEAR = 1990, 2100

NEEDS_INTENSITY_UNIT = Text(
    "An intensity target needs its intensityUnit, e.g. tCO2e/CNY million.",
    "强度目标须填写 intensityUnit，例如 tCO2e/CNY million。",
)
NO_INTENSITY_UNIT = Text(
    "Only intensity targets carry an intensityUnit.", "只有强度目标才填写 intensityUnit。"
)
TARGET_AFTER_BASE = Text(
    "The target year must be after the base year ({y}).", "目标年份必须晚于基准年份（{y}）。"
)
VERIFIER_NEEDED = Text(
    "Needed when the verification level is limited or reasonable.",
    "核查等级为有限保证或合理保证时必须填写。",
)


def _serial(value: str) -> None:
    try:
        SerialRange.parse(value)
    except ValueError:
        raise invalid(BAD_SERIAL) from None


def _year(**kwargs: Any) -> WholeNumber:
    return WholeNumber(minimum=MIN_YEAR, maximum=MAX_YEAR, **kwargs)


class TargetSchema(Schema):
    scope = Choice(TargetScope, required=True)
    type = Choice(TargetType, required=True)
    intensity_unit = Label(data_key="intensityUnit", max_length=100, load_default=None)
    base_year = _year(data_key="baseYear", required=True)
    base_tco2e = Quantity(data_key="baseTco2e", required=True)
    target_year = _year(data_key="targetYear", required=True)
    reduction_percent = Quantity(data_key="reductionPercent", maximum=100, required=True)
    status = Choice(TargetStatus, required=True)

    @validates_schema
    def _coherent(self, data: dict[str, Any], **_: Any) -> None:
        intensity = data["type"] is TargetType.INTENSITY
        if intensity and data["intensity_unit"] is None:
            raise invalid(NEEDS_INTENSITY_UNIT, field="intensityUnit")
        if not intensity and data["intensity_unit"] is not None:
            raise invalid(NO_INTENSITY_UNIT, field="intensityUnit")
        if data["target_year"] <= data["base_year"]:
            raise invalid(TARGET_AFTER_BASE.format(y=data["base_year"]), field="targetYear")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Target:
        return Target(**data)


class OffsetSchema(Schema):
    programme = Choice(OffsetProgramme, required=True)
    serials = Items(
        Label(max_length=200, validate=_serial), min_items=1, unique=True, required=True
    )
    vintage = _year(required=True)
    tco2e = Quantity(positive=True, required=True)
    retired_on = Day(data_key="retiredOn", required=True)
    standard = Label(load_default=None)
    registry = Label(load_default=None)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Offset:
        return Offset(**frozen(data))


class InitiativeSchema(Schema):
    description = Label(max_length=500, required=True)
    expected_tco2e_per_year = Quantity(data_key="expectedTco2ePerYear", load_default=None)
    status = Choice(InitiativeStatus, required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Initiative:
        return Initiative(**data)


class DataQualitySchema(Schema):
    primary_data_share = Quantity(data_key="primaryDataShare", maximum=100, required=True)
    technological_dqr = Quantity(
        data_key="technologicalDQR", minimum=1, maximum=5, load_default=None
    )
    geographical_dqr = Quantity(data_key="geographicalDQR", minimum=1, maximum=5, load_default=None)
    temporal_dqr = Quantity(data_key="temporalDQR", minimum=1, maximum=5, load_default=None)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> DataQuality:
        return DataQuality(**data)


class VerificationSchema(Schema):
    level = Choice(VerificationLevel, required=True)
    provider = Label(load_default=None)
    standard = Label(load_default=None)
    statement_date = Day(data_key="statementDate", load_default=None)

    @validates_schema
    def _verifier_named(self, data: dict[str, Any], **_: Any) -> None:
        if data["level"] is VerificationLevel.NONE:
            return
        missing = {
            key: [VERIFIER_NEEDED]
            for key, name in (
                ("provider", "provider"),
                ("standard", "standard"),
                ("statementDate", "statement_date"),
            )
            if data[name] is None
        }
        if missing:
            raise ValidationError(missing)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Verification:
        return Verification(**data)


class SupplyChainEngagementSchema(Schema):
    reporting_share_by_spend = Quantity(
        data_key="reportingShareBySpend", maximum=100, load_default=None
    )
    targets_share_by_spend = Quantity(
        data_key="targetsShareBySpend", maximum=100, load_default=None
    )
    green_factory = Choice(GreenFactory, data_key="greenFactory", load_default=None)
    take_back = StrictBool(data_key="takeBack", load_default=None)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> SupplyChainEngagement:
        return SupplyChainEngagement(**data)
