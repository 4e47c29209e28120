"""The scoring configuration's JSON format: a marshmallow schema whose errors name a JSON path.

```
{"name": {"en", "zh"}, "notes"?: {"en", "zh"},
 "metrics": [{"metric", "weight", "method": "percentile" | "absolute",
              "worst"?, "best"?, "why"?: {"en", "zh"}}],
 "penalties": {"notDisclosed", "rejected", "noConsent", "late", "unassured"},
 "bands": {"method": "percentile", "bands": [{"id", "name", "share"}]}
        | {"method": "score", "bands": [{"id", "name", "minScore"}]}}
```
Numbers are decimal strings (no float ever enters); unknown members are refused. Weights are
≥ 0 and sum to exactly 100, so a weight reads as a percentage of the total and no silent
renormalization hides a typo. Metrics left out are not scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from esgx_platform.assessment.loading import parse_json
from esgx_platform.assessment.model_schema import NameSchema, NotesSchema
from esgx_platform.disclosures.fields import Choice, Items, Label, Quantity
from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.schemas import invalid, load
from esgx_platform.scoring.config import (
    Band,
    BandMethod,
    MetricRule,
    PenaltyKind,
    ScoringConfig,
    config_sha256,
    default_config_body,
)
from esgx_platform.scoring.metrics import METRICS, Direction, Method

HUNDRED = Decimal(100)
_BAND_ID = (
    r"[a-z][a-z0-9_]{0,31}",
    Text("Use lower-case letters, digits and _.", "请使用小写字母、数字和 _。"),
)

UNKNOWN_METRIC = Text(
    "Unknown metric {name}: use one of {known}.", "未知指标 {name}：请使用 {known} 之一。"
)
REPEATED = Text("{id} is already listed above.", "{id} 已在前面列出。")
WEIGHTS = Text(
    "The weights sum to {total}; they must sum to 100.", "各项权重之和为 {total}，必须等于 100。"
)
METHOD_NOT_FOR = Text(
    "The metric {metric} can only be scored by {methods}.", "指标 {metric} 只能按 {methods} 评分。"
)
NEEDED = Text("Needed for the absolute method.", "绝对阈值法必须填写此项。")
NOT_USED = Text("Not used by the percentile method: leave it out.", "百分位法不使用此项：请删除。")
SAME = Text("best must differ from worst.", "best 必须与 worst 不同。")
WRONG_SIDE = Text(
    "For {metric} {direction} is better: best must be {side} worst.",
    "指标 {metric} 越{direction_zh}越好：best 必须{side_zh} worst。",
)
SHARES = Text(
    "The band shares sum to {total}; they must sum to 100.",
    "各档位占比之和为 {total}，必须等于 100。",
)
SHARE_NEEDED = Text("Percentile bands need a share.", "百分位分档须填写 share。")
MIN_SCORE_NEEDED = Text("Score bands need a minScore.", "按分数分档须填写 minScore。")
NOT_FOR_METHOD = Text(
    "Not used by {method} bands: leave it out.", "{method} 分档不使用此项：请删除。"
)
DESCENDING = Text(
    "Bands go from best to worst: minScore must be below the previous band's {previous}.",
    "档位须由高到低：minScore 必须低于上一档的 {previous}。",
)
LAST_FLOOR = Text(
    "The last band is the floor: its minScore must be 0.", "最后一档为最低档：minScore 必须为 0。"
)
INVALID_CONFIG = Text("The scoring configuration has {n} error(s).", "评分配置有 {n} 处错误。")


class MetricRuleSchema(Schema):
    metric = Label(max_length=40, required=True)
    weight = Quantity(maximum=100, required=True)
    method = Choice(Method, required=True)
    worst = Quantity(minimum=None, load_default=None)
    best = Quantity(minimum=None, load_default=None)
    why = fields.Nested(NotesSchema, load_default=None)

    @validates_schema
    def _coherent(self, data: dict[str, Any], **_: Any) -> None:
        metric = METRICS.get(data["metric"])
        if metric is None:
            known = ", ".join(METRICS)
            raise invalid(
                UNKNOWN_METRIC.format(name=data["metric"][:40], known=known), field="metric"
            )
        if data["method"] not in metric.methods:
            methods = ", ".join(sorted(metric.methods))
            message = METHOD_NOT_FOR.format(metric=metric.id, methods=methods)
            raise invalid(message, field="method")
        problems = _absolute_problems(data, metric.id, metric.direction)
        if problems:
            raise ValidationError(problems)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> MetricRule:
        return MetricRule(**data)


def _absolute_problems(
    data: Mapping[str, Any], metric: str, direction: Direction
) -> dict[str, Any]:
    worst, best = data["worst"], data["best"]
    if data["method"] is Method.PERCENTILE:
        return {k: [NOT_USED] for k in ("worst", "best") if data[k] is not None}
    missing = {k: [NEEDED] for k in ("worst", "best") if data[k] is None}
    if missing:
        return missing
    if worst == best:
        return {"best": [SAME]}
    if (best > worst) != (direction is Direction.HIGHER):
        higher = direction is Direction.HIGHER
        words = ("above", "高于", "高") if higher else ("below", "低于", "低")
        message = WRONG_SIDE.format(
            metric=metric,
            direction=direction.value,
            side=words[0],
            side_zh=words[1],
            direction_zh=words[2],
        )
        return {"best": [message]}
    return {}


class PenaltiesSchema(Schema):
    not_disclosed = Quantity(data_key="notDisclosed", maximum=100, required=True)
    rejected = Quantity(maximum=100, required=True)
    no_consent = Quantity(data_key="noConsent", maximum=100, required=True)
    late = Quantity(maximum=100, required=True)
    unassured = Quantity(maximum=100, required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> dict[PenaltyKind, Decimal]:
        kinds = {
            "not_disclosed": PenaltyKind.NOT_DISCLOSED,
            "rejected": PenaltyKind.REJECTED,
            "no_consent": PenaltyKind.NO_CONSENT,
            "late": PenaltyKind.LATE,
            "unassured": PenaltyKind.UNASSURED,
        }
        return {kinds[k]: v for k, v in data.items()}


class BandSchema(Schema):
    id = Label(shape=_BAND_ID, required=True)
    name = fields.Nested(NameSchema, required=True)
    share = Quantity(positive=True, maximum=100, load_default=None)
    min_score = Quantity(data_key="minScore", maximum=100, load_default=None)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Band:
        return Band(**data)


class BandsSchema(Schema):
    method = Choice(BandMethod, required=True)
    bands = Items(fields.Nested(BandSchema), min_items=1, max_items=10, required=True)

    @validates_schema
    def _coherent(self, data: dict[str, Any], **_: Any) -> None:
        problems: dict[int | str, Any] = {}
        bands: list[Band] = data["bands"]
        ids: set[str] = set()
        for i, band in enumerate(bands):
            found = _band_problems(data["method"], band)
            if band.id in ids:
                found.setdefault("id", []).append(REPEATED.format(id=band.id))
            ids.add(band.id)
            if found:
                problems[i] = found
        problems |= _band_order(data["method"], bands)
        if problems:
            raise ValidationError({"bands": problems})


def _band_problems(method: BandMethod, band: Band) -> dict[str, list[Text]]:
    wanted, other = (
        ("share", "minScore") if method is BandMethod.PERCENTILE else ("minScore", "share")
    )
    given = {"share": band.share, "minScore": band.min_score}
    found: dict[str, list[Text]] = {}
    if given[wanted] is None:
        found[wanted] = [SHARE_NEEDED if wanted == "share" else MIN_SCORE_NEEDED]
    if given[other] is not None:
        found[other] = [NOT_FOR_METHOD.format(method=method.value)]
    return found


def _band_order(method: BandMethod, bands: list[Band]) -> dict[int | str, Any]:
    """Shares sum to 100; score bands descend to a floor of 0 (so every total has a band)."""
    if method is BandMethod.PERCENTILE:
        shares = [b.share for b in bands if b.share is not None]
        total = sum(shares, Decimal(0))
        return (
            {}
            if len(shares) < len(bands) or total == HUNDRED
            else {"_": SHARES.format(total=total)}
        )
    found: dict[int | str, Any] = {}
    scores = [b.min_score for b in bands]
    for i in range(1, len(bands)):
        previous, current = scores[i - 1], scores[i]
        if previous is not None and current is not None and current >= previous:
            found[i] = {"minScore": [DESCENDING.format(previous=previous)]}
    if scores[-1] is not None and scores[-1] != 0 and len(bands) - 1 not in found:
        found[len(bands) - 1] = {"minScore": [LAST_FLOOR]}
    return found


class ConfigSchema(Schema):
    name = fields.Nested(NameSchema, required=True)
    notes = fields.Nested(NotesSchema, load_default=None)
    metrics = Items(fields.Nested(MetricRuleSchema), min_items=1, max_items=50, required=True)
    penalties = fields.Nested(PenaltiesSchema, required=True)
    bands = fields.Nested(BandsSchema, required=True)

    # Runs even when another member (penalties, bands) failed, so one load reports all;
    # not when a metric itself failed, since its weight may be missing or wrong then.
    @validates_schema(skip_on_field_errors=False)
    def _weights(self, data: dict[str, Any], **_: Any) -> None:
        rules = data.get("metrics")
        if not isinstance(rules, list) or not all(isinstance(r, MetricRule) for r in rules):
            return
        problems: dict[int | str, Any] = {}
        seen: set[str] = set()
        for i, rule in enumerate(rules):
            if rule.metric in seen:
                problems[i] = {"metric": [REPEATED.format(id=rule.metric)]}
            seen.add(rule.metric)
        total = sum((rule.weight for rule in rules), Decimal(0))
        if total != HUNDRED:
            problems["_"] = WEIGHTS.format(total=total)
        if problems:
            raise ValidationError({"metrics": problems})

    @post_load(pass_original=True)
    def _make(self, data: dict[str, Any], original: Mapping[str, Any], **_: Any) -> ScoringConfig:
        bands = data["bands"]
        return ScoringConfig(
            name=data["name"],
            notes=data["notes"],
            rules=tuple(data["metrics"]),
            penalties=data["penalties"],
            band_method=bands["method"],
            bands=tuple(bands["bands"]),
            sha256=config_sha256(original),
        )


_SCHEMA = ConfigSchema()


def load_config(body: Mapping[str, Any]) -> ScoringConfig:
    """Check `body` (parsed JSON) and build the configuration; raises InvalidInput listing
    every error with its JSON path (`$.metrics[2].best`) in English and Chinese."""
    try:
        # Typed as a dict, but the schema's post_load makes it the configuration.
        return cast(ScoringConfig, load(_SCHEMA, body))
    except InvalidInput as exc:
        # "_" marks an error about the list or object itself: its own path says so.
        errors = tuple(FieldError(e.path.removesuffix("._"), e.message) for e in exc.errors)
        raise InvalidInput(INVALID_CONFIG.format(n=len(errors)), errors=errors) from None


def load_config_text(text: str) -> tuple[dict[str, Any], ScoringConfig]:
    """Parse JSON text (repeated keys refused) and load it; raises InvalidInput."""
    body = parse_json(text)
    if not isinstance(body, dict):
        message = Text("The configuration is a JSON object.", "评分配置须为 JSON 对象。")
        raise InvalidInput(message, errors=(FieldError("$", message),))
    return body, load_config(body)


def default_config() -> ScoringConfig:
    """The platform's default configuration (`default_config.json`)."""
    return load_config(default_config_body())
