"""Schemas of the roll-up, assessment and ranking answers (built by `report_json`,
`snapshot_json`, `ranking_json` and friends), for the OpenAPI document: decimals are strings at
fixed places, texts a reader sees come as `{"en", "zh"}`."""

# ruff: noqa: N815 - members are named as on the wire (camelCase), like the JSON they describe

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from esgx_platform.web.api_schemas import SHA256_HEX

DECIMAL = validate.Regexp(r"^-?[0-9]+(\.[0-9]+)?$")
_FREE = {"description": "Figures keyed by name (see docs/rollups.md, docs/scoring.md)"}


def decimal(*, nullable: bool = False, about: str | None = None) -> fields.String:
    meta = {"description": about} if about else {}
    return fields.String(required=True, allow_none=nullable, validate=DECIMAL, metadata=meta)


def free(*, nullable: bool = False) -> fields.Dict:
    return fields.Dict(required=True, allow_none=nullable, metadata=_FREE)


class Bilingual(Schema):
    en = fields.String(required=True)
    zh = fields.String(required=True)


def bilingual(*, nullable: bool = False) -> fields.Nested:
    return fields.Nested(Bilingual, required=True, allow_none=nullable)


# --- roll-ups -------------------------------------------------------------------------------


class RollupLine(Schema):
    quarter = fields.String(required=True)
    method = fields.String(required=True)
    tco2e = decimal()
    spend = decimal(nullable=True)
    contentIds = fields.List(fields.String(), required=True)
    disclosed = fields.Boolean(required=True, allow_none=True)
    onTime = fields.Boolean(required=True, allow_none=True)
    rejected = fields.Boolean(required=True, allow_none=True)
    estimateNote = bilingual(nullable=True)


class SupplierOfFactory(Schema):
    """Which supplier, through which of the factory's relationships (its Scope 3 category)."""

    relationshipId = fields.UUID(required=True)
    supplierId = fields.UUID(required=True)
    name = bilingual()
    province = fields.String(required=True, allow_none=True)
    category = fields.Integer(required=True)


class RollupSupplier(SupplierOfFactory):
    consent = fields.Boolean(required=True)
    tco2e = decimal()
    spend = decimal()
    quarters = fields.List(fields.Nested(RollupLine), required=True)


class StatusEntry(Schema):
    supplierId = fields.UUID(required=True)
    name = fields.String(required=True)
    quarter = fields.String(required=True)


class FilingStatus(Schema):
    notDisclosed = fields.List(fields.Nested(StatusEntry), required=True)
    late = fields.List(fields.Nested(StatusEntry), required=True)
    rejected = fields.List(fields.Nested(StatusEntry), required=True)
    noConsent = fields.List(fields.Nested(StatusEntry), required=True)
    notDue = fields.List(
        fields.Nested(StatusEntry),
        required=True,
        metadata={"description": "No accepted filing yet, deadline not passed: not late"},
    )


class PreviousPeriod(Schema):
    period = fields.String(required=True)
    tco2e = decimal(nullable=True)
    intensityPerMillion = decimal(nullable=True)
    tco2eChangePct = decimal(nullable=True)
    intensityChangePct = decimal(nullable=True)


class Rollup(Schema):
    leadFactoryId = fields.UUID(required=True)
    period = fields.String(required=True)
    quarters = fields.List(fields.String(), required=True)
    settings = free()
    total = free()
    categories = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)
    status = fields.Nested(FilingStatus, required=True)
    responsibilityExtension = free()
    tier2 = free()
    intensityPerMillion = decimal(nullable=True, about="Emissions per million of spend")
    previous = fields.Nested(PreviousPeriod, required=True, allow_none=True)
    suppliers = fields.List(
        fields.Nested(RollupSupplier), metadata={"description": "Left out with suppliers=false"}
    )


class RollupQuery(Schema):
    suppliers = fields.Boolean(
        load_default=True, metadata={"description": "false leaves out the drill-down"}
    )


# --- assessments ----------------------------------------------------------------------------


class ModelRef(Schema):
    """An indicator model: which, which version, its SHA-256 (in a snapshot, or just stored)."""

    id = fields.String(required=True)
    version = fields.String(required=True)
    sha256 = fields.String(required=True, validate=SHA256_HEX)


class AssessmentSummary(Schema):
    id = fields.UUID(required=True)
    period = fields.String(required=True)
    grade = fields.String(required=True)
    totalScore = decimal()
    model = fields.Nested(ModelRef, required=True)
    createdAt = fields.AwareDateTime(required=True)
    evidenceUrl = fields.String(required=True)


class Assessment(AssessmentSummary):
    """The summary with the inputs, metrics and every member of the stored result."""

    class Meta:
        unknown = INCLUDE

    inputs = free()
    metrics = free()


# --- rankings -------------------------------------------------------------------------------


class BandRef(Schema):
    id = fields.String(required=True)
    name = bilingual()


class MetricRule(Schema):
    metric = fields.String(required=True)
    name = bilingual()
    unit = fields.String(required=True)
    direction = fields.String(required=True)
    weight = decimal()
    method = fields.String(required=True)
    worst = decimal(nullable=True)
    best = decimal(nullable=True)
    why = bilingual(nullable=True)


class BandRule(BandRef):
    share = decimal(nullable=True)
    minScore = decimal(nullable=True)


class Bands(Schema):
    method = fields.String(required=True)
    bands = fields.List(fields.Nested(BandRule), required=True)


class RankingMethod(Schema):
    version = fields.Integer(required=True)
    sha256 = fields.String(required=True, validate=SHA256_HEX)
    name = bilingual(nullable=True)
    notes = bilingual(nullable=True)
    metrics = fields.List(fields.Nested(MetricRule), required=True)
    penalties = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    bands = fields.Nested(Bands, required=True)


class ScoreComponent(Schema):
    metric = fields.String(required=True)
    name = bilingual()
    unit = fields.String(required=True)
    value = decimal(nullable=True)
    label = fields.String(required=True, allow_none=True)
    detail = bilingual(nullable=True)
    method = fields.String(required=True)
    score = decimal()
    weight = decimal()
    contribution = decimal()
    reason = bilingual(nullable=True)
    group = fields.String(required=True, allow_none=True)
    groupSize = fields.Integer(allow_none=True, metadata={"description": "Not in own view"})


class Penalty(Schema):
    kind = fields.String(required=True)
    quarters = fields.List(fields.String(), required=True)
    points = decimal()
    reason = bilingual(nullable=True)


class QuarterStatus(Schema):
    quarter = fields.String(required=True)
    status = fields.String(required=True)
    contentId = fields.String(required=True, allow_none=True)


class RatingRef(Schema):
    cdpScore = fields.String(required=True, allow_none=True)
    ecovadisMedal = fields.String(required=True, allow_none=True)
    recordedAt = fields.String(required=True, metadata={"description": "HTTP date"})


class Trend(Schema):
    previousPeriod = fields.String(required=True)
    previousScore = decimal()
    previousBand = fields.String(required=True, allow_none=True)
    scoreChange = decimal()
    bandChange = fields.String(required=True, allow_none=True)
    previousRank = fields.Integer(allow_none=True, metadata={"description": "Not in own view"})


class Scorecard(SupplierOfFactory):
    band = fields.Nested(BandRef, required=True, allow_none=True)
    totalScore = decimal()
    scoreBeforePenalties = decimal()
    penaltyPoints = decimal()
    missingData = fields.Boolean(required=True)
    quarters = fields.List(fields.Nested(QuarterStatus), required=True)
    components = fields.List(fields.Nested(ScoreComponent), required=True)
    penalties = fields.List(fields.Nested(Penalty), required=True)
    rating = fields.Nested(RatingRef, required=True, allow_none=True)
    trend = fields.Nested(Trend, required=True, allow_none=True)
    overdueQuarters = fields.List(fields.String(), required=True)
    rank = fields.Integer(allow_none=True, metadata={"description": "Not in own view"})
    spend = fields.String(validate=DECIMAL, metadata={"description": "Not in own view"})
    intensityPerRevenue = fields.String(allow_none=True, validate=DECIMAL)


class Ranking(Schema):
    leadFactoryId = fields.UUID(required=True)
    period = fields.String(required=True)
    quarters = fields.List(fields.String(), required=True)
    reportingCurrency = fields.String(required=True)
    previousPeriod = fields.String(required=True, allow_none=True)
    config = fields.Nested(RankingMethod, required=True)
    supplierCount = fields.Integer(required=True)
    bandCounts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    suppliers = fields.List(fields.Nested(Scorecard), required=True)


class ConfigRef(Schema):
    """A ranking configuration's version and SHA-256 (in a snapshot, or just stored)."""

    version = fields.Integer(required=True)
    sha256 = fields.String(required=True, validate=SHA256_HEX)


class RankingSnapshotSummaryOut(Schema):
    id = fields.UUID(required=True)
    period = fields.String(required=True)
    config = fields.Nested(ConfigRef, required=True)
    inputsSha256 = fields.String(required=True, validate=SHA256_HEX)
    resultSha256 = fields.String(required=True, validate=SHA256_HEX)
    supplierCount = fields.Integer(required=True)
    logSize = fields.Integer(required=True)
    createdAt = fields.AwareDateTime(required=True)
    url = fields.String(required=True)


class RankingSnapshotOut(RankingSnapshotSummaryOut):
    result = free()
    contentIds = fields.List(fields.String(), required=True)
    inputs = fields.Dict(metadata={"description": "With inputs=true"})


class SnapshotQuery(Schema):
    inputs = fields.Boolean(load_default=False, metadata={"description": "Include the inputs"})


class SnapshotCheck(Schema):
    ok = fields.Boolean(required=True)
    inputsIntact = fields.Boolean(required=True)
    configIntact = fields.Boolean(required=True)
    reproduced = fields.Boolean(required=True)
    sourcesMismatched = fields.List(fields.String(), required=True)
    changedSince = fields.List(fields.String(), required=True)


class RankingConfig(RankingMethod):
    body = free()


class Rating(Schema):
    version = fields.Integer(required=True)
    cdpScore = fields.String(required=True, allow_none=True)
    ecovadisMedal = fields.String(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)
    recordedAt = fields.AwareDateTime(required=True)
    recordedBy = fields.UUID(required=True, allow_none=True)


class OwnScorecard(Schema):
    leadFactoryId = fields.UUID(required=True)
    period = fields.String(required=True)
    quarters = fields.List(fields.String(), required=True)
    config = fields.Nested(RankingMethod, required=True)
    scorecard = fields.Nested(Scorecard, required=True)
