"""The assessment model's JSON format: a marshmallow schema whose errors name a JSON path."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from esgx_platform.assessment.metrics import METRICS
from esgx_platform.assessment.model import (
    AssessmentModel,
    Bound,
    ClaimType,
    Direction,
    Gate,
    GateKind,
    Grade,
    Indicator,
    Module,
    Rule,
    model_sha256,
)
from esgx_platform.disclosures.fields import Choice, Items, Label, Quantity
from esgx_platform.i18n import Text
from esgx_platform.schemas import invalid

HUNDRED = Decimal(100)
_ID = (
    # At most 40 characters: grade ids are stored with every snapshot (String(40)).
    r"[a-z][a-z0-9_]{0,39}",
    Text(
        "Use lower-case letters, digits and _, starting with a letter.",
        "请使用小写字母、数字和 _，并以字母开头。",
    ),
)
_MODEL_ID = (
    r"[a-z0-9][a-z0-9.-]{0,99}",
    Text("Use lower-case letters, digits, . and -.", "请使用小写字母、数字、. 和 -。"),
)
_VERSION = (
    r"[0-9]{1,6}\.[0-9]{1,6}\.[0-9]{1,6}",
    Text("Use x.y.z, e.g. 1.0.0.", "请使用 x.y.z 格式，例如 1.0.0。"),
)

UNKNOWN_METRIC = Text(
    "Unknown metric {name}: use a name from the metric registry.",
    "未知指标数据项 {name}：请使用指标数据项登记表中的名称。",
)
WRONG_UNIT = Text(
    "The metric {metric} is measured in {unit}.", "指标数据项 {metric} 的单位为 {unit}。"
)
SAME_AS_BASELINE = Text(
    "The leading value must differ from the baseline.", "领先值必须与基准值不同。"
)
AGAINST_DIRECTION = Text(
    "For direction {direction} the leading value must be {side} the baseline.",
    "方向为 {direction} 时，领先值必须{side_zh}基准值。",
)
ONE_BOUND = Text("Give exactly one of min or max.", "min 与 max 须且只能填写其一。")
INDICATOR_WEIGHTS = Text(
    "Indicator weights of this module sum to {total}; they must sum to 100.",
    "本模块各指标权重之和为 {total}，必须等于 100。",
)
MODULE_WEIGHTS = Text(
    "Module weights sum to {total}; they must sum to 100.",
    "各模块权重之和为 {total}，必须等于 100。",
)
REPEATED_ID = Text("The id {id} is already used above.", "标识 {id} 已在前面使用。")
FLOOR_SCORE = Text(
    "The first grade is the floor: its minScore must be 0.",
    "第一个等级为最低等级：minScore 必须为 0。",
)
FLOOR_GATES = Text(
    "The first grade is the floor: it has no gates.", "第一个等级为最低等级：不能设置门槛条件。"
)
NOT_ASCENDING = Text(
    "Grades ascend: minScore must be above the previous grade's {previous}.",
    "等级须递增：minScore 必须高于上一等级的 {previous}。",
)
NEEDED_FOR = Text("Needed for a {kind} gate.", "{kind} 类门槛条件必须填写此项。")
NOT_FOR = Text("Not part of a {kind} gate.", "{kind} 类门槛条件不包含此项。")
SCORE_RANGE = Text(
    "A module score bound is between 0 and 100.", "模块得分门槛必须在 0 到 100 之间。"
)
UNKNOWN_INDICATOR = Text("No indicator has the id {id}.", "没有标识为 {id} 的评价指标。")
NOT_MANDATORY = Text(
    "The indicator {id} has no mandatory rule to gate on.",
    "评价指标 {id} 没有可作为门槛的强制性要求。",
)
UNKNOWN_MODULE = Text("No module has the id {id}.", "没有标识为 {id} 的模块。")
_GATE_REF = {
    GateKind.MANDATORY: "indicator",
    GateKind.METRIC: "metric",
    GateKind.MODULE_SCORE: "module",
}

Step = str | int


class _Problems:
    """Errors found by cross-checks, collected so that one load reports all of them."""

    def __init__(self) -> None:
        self._found: list[tuple[tuple[Step, ...], Text]] = []

    def add(self, message: Text, *steps: Step) -> None:
        self._found.append((steps, message))

    def raise_any(self) -> None:
        if not self._found:
            return
        root: dict[Any, Any] = {}
        for steps, message in self._found:
            node = root
            for step in steps:
                node = node.setdefault(step, {})
            node.setdefault(None, []).append(message)
        raise ValidationError(_messages(root))


def _messages(node: dict[Any, Any]) -> Any:
    """Marshmallow's error shape: a list of messages, a dict of children, or a list of both."""
    own = node.pop(None, [])
    children = {step: _messages(child) for step, child in node.items()}
    if not children:
        return own
    return [*own, children] if own else children


class MetricName(Label):
    """A metric name from the registry."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        name = super()._deserialize(value, attr, data, **kwargs)
        if name not in METRICS:
            raise invalid(UNKNOWN_METRIC.format(name=name[:80]))
        return name


class NameSchema(Schema):
    en = Label(required=True)
    zh = Label(required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Text:
        return Text(data["en"], data["zh"])


class NotesSchema(NameSchema):
    en = Label(max_length=2000, required=True)
    zh = Label(max_length=2000, required=True)


class RuleSchema(Schema):
    min = Quantity(minimum=None, load_default=None)
    max = Quantity(minimum=None, load_default=None)

    @validates_schema
    def _one_bound(self, data: dict[str, Any], **_: Any) -> None:
        if (data["min"] is None) == (data["max"] is None):
            raise invalid(ONE_BOUND)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Rule:
        return _rule(data)


def _rule(data: Mapping[str, Any]) -> Rule:
    """The bound of a checked `{"min"}` or `{"max"}` member pair."""
    return Rule(Bound.MIN, data["min"]) if data["min"] is not None else Rule(Bound.MAX, data["max"])


class IndicatorSchema(Schema):
    id = Label(shape=_ID, required=True)
    metric = MetricName(required=True)
    name = fields.Nested(NameSchema, required=True)
    direction = Choice(Direction, required=True)
    baseline = Quantity(minimum=None, required=True)
    leading = Quantity(minimum=None, required=True)
    weight = Quantity(positive=True, maximum=100, required=True)
    unit = Label(max_length=20, required=True)
    mandatory = fields.Nested(RuleSchema, load_default=None)

    @validates_schema
    def _coherent(self, data: dict[str, Any], **_: Any) -> None:
        problems = _Problems()
        baseline, leading, direction = data["baseline"], data["leading"], data["direction"]
        if leading == baseline:
            problems.add(SAME_AS_BASELINE, "leading")
        elif (leading > baseline) != (direction is Direction.HIGHER):
            higher = direction is Direction.HIGHER
            side, side_zh = ("above", "高于") if higher else ("below", "低于")
            message = AGAINST_DIRECTION.format(
                direction=direction.value, side=side, side_zh=side_zh
            )
            problems.add(message, "leading")
        unit = METRICS[data["metric"]].unit
        if data["unit"] != unit:
            problems.add(WRONG_UNIT.format(metric=data["metric"], unit=unit), "unit")
        problems.raise_any()

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Indicator:
        return Indicator(**data)


class ModuleSchema(Schema):
    id = Label(shape=_ID, required=True)
    name = fields.Nested(NameSchema, required=True)
    weight = Quantity(positive=True, maximum=100, required=True)
    indicators = Items(fields.Nested(IndicatorSchema), min_items=1, max_items=100, required=True)

    @validates_schema
    def _weights_sum_to_100(self, data: dict[str, Any], **_: Any) -> None:
        total = sum((indicator.weight for indicator in data["indicators"]), Decimal(0))
        if total != HUNDRED:
            raise invalid(INDICATOR_WEIGHTS.format(total=total), field="indicators")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Module:
        return Module(data["id"], data["name"], data["weight"], tuple(data["indicators"]))


class GateSchema(Schema):
    type = Choice(GateKind, required=True)
    indicator = Label(shape=_ID, load_default=None)
    metric = MetricName(load_default=None)
    module = Label(shape=_ID, load_default=None)
    min = Quantity(minimum=None, load_default=None)
    max = Quantity(minimum=None, load_default=None)

    @validates_schema
    def _shape(self, data: dict[str, Any], **_: Any) -> None:
        kind: GateKind = data["type"]
        problems = _Problems()
        for member in ("indicator", "metric", "module"):
            wanted = member == _GATE_REF[kind]
            if wanted and data[member] is None:
                problems.add(NEEDED_FOR.format(kind=kind.value), member)
            elif not wanted and data[member] is not None:
                problems.add(NOT_FOR.format(kind=kind.value), member)
        _check_gate_bounds(kind, data["min"], data["max"], problems)
        problems.raise_any()


def _check_gate_bounds(
    kind: GateKind, low: Decimal | None, high: Decimal | None, problems: _Problems
) -> None:
    # A mandatory gate's bound is its indicator's rule, so one written here would be ignored.
    if kind is GateKind.MANDATORY:
        for member, value in (("min", low), ("max", high)):
            if value is not None:
                problems.add(NOT_FOR.format(kind=kind.value), member)
    elif kind is GateKind.METRIC:
        if (low is None) == (high is None):
            problems.add(ONE_BOUND, "max" if low is not None else "min")
    elif high is not None:
        problems.add(NOT_FOR.format(kind=kind.value), "max")
    elif low is None:
        problems.add(NEEDED_FOR.format(kind=kind.value), "min")
    elif not 0 <= low <= HUNDRED:
        problems.add(SCORE_RANGE, "min")


class GradeSchema(Schema):
    id = Label(shape=_ID, required=True)
    name = fields.Nested(NameSchema, required=True)
    min_score = Quantity(data_key="minScore", maximum=100, required=True)
    gates = Items(fields.Nested(GateSchema), max_items=50, load_default=())


class ModelSchema(Schema):
    """`{"id", "version": "x.y.z", "name": {"en", "zh"}, "claimType": "iso14068-1" | "pas2060",
    "notes"?, "modules": [{"id", "name", "weight", "indicators": [{"id", "metric", "name",
    "direction": "higher" | "lower", "baseline", "leading", "weight", "unit", "mandatory"?:
    {"min"} | {"max"}}]}], "grades": [{"id", "name", "minScore", "gates"?: [{"type":
    "mandatory", "indicator"} | {"type": "metric", "metric", "min" | "max"} | {"type":
    "moduleScore", "module", "min"}]}]}`; numbers are decimal strings, unknown members refused.

    Weights must sum to exactly 100 (indicators within each module, modules across the model):
    a weight then reads as a percentage, and no silent renormalization hides a typo. The first
    grade is the floor (minScore 0, no gates) so every factory gets a grade; indicator ids are
    unique across the model because gates name them. Cross-checks between members run once
    every member is well-formed, and report every problem they find.
    """

    id = Label(shape=_MODEL_ID, required=True)
    version = Label(shape=_VERSION, max_length=20, required=True)
    name = fields.Nested(NameSchema, required=True)
    claim_type = Choice(ClaimType, data_key="claimType", required=True)
    notes = fields.Nested(NotesSchema, load_default=None)
    modules = Items(fields.Nested(ModuleSchema), min_items=1, max_items=30, required=True)
    grades = Items(fields.Nested(GradeSchema), min_items=1, max_items=20, required=True)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        problems = _Problems()
        _check_modules(data["modules"], problems)
        _check_grades(data["grades"], problems)
        _check_gate_references(data["modules"], data["grades"], problems)
        problems.raise_any()

    @post_load(pass_original=True)
    def _make(self, data: dict[str, Any], original: Mapping[str, Any], **_: Any) -> AssessmentModel:
        modules: tuple[Module, ...] = tuple(data["modules"])
        rules = {i.id: i.mandatory for m in modules for i in m.indicators}
        grades = tuple(
            Grade(
                g["id"], g["name"], g["min_score"], tuple(_gate(spec, rules) for spec in g["gates"])
            )
            for g in data["grades"]
        )
        return AssessmentModel(
            id=data["id"],
            version=data["version"],
            name=data["name"],
            claim_type=data["claim_type"],
            modules=modules,
            grades=grades,
            sha256=model_sha256(original),
            notes=data["notes"],
        )


def _gate(spec: dict[str, Any], rules: Mapping[str, Rule | None]) -> Gate:
    kind: GateKind = spec["type"]
    ref: str = spec[_GATE_REF[kind]]
    rule = rules[ref] if kind is GateKind.MANDATORY else _rule(spec)
    if rule is None:  # unreachable: the cross-checks refused a gate on a rule-less indicator
        raise ValueError(ref)
    return Gate(kind, ref, rule)


def _check_modules(modules: list[Module], problems: _Problems) -> None:
    total = sum((module.weight for module in modules), Decimal(0))
    if total != HUNDRED:
        problems.add(MODULE_WEIGHTS.format(total=total), "modules")
    module_ids: set[str] = set()
    indicator_ids: set[str] = set()
    for i, module in enumerate(modules):
        if module.id in module_ids:
            problems.add(REPEATED_ID.format(id=module.id), "modules", i, "id")
        module_ids.add(module.id)
        for j, indicator in enumerate(module.indicators):
            if indicator.id in indicator_ids:
                step = ("modules", i, "indicators", j, "id")
                problems.add(REPEATED_ID.format(id=indicator.id), *step)
            indicator_ids.add(indicator.id)


def _check_grades(grades: list[dict[str, Any]], problems: _Problems) -> None:
    if grades[0]["min_score"] != 0:
        problems.add(FLOOR_SCORE, "grades", 0, "minScore")
    if grades[0]["gates"]:
        problems.add(FLOOR_GATES, "grades", 0, "gates")
    ids: set[str] = set()
    for i, grade in enumerate(grades):
        if i and grade["min_score"] <= grades[i - 1]["min_score"]:
            message = NOT_ASCENDING.format(previous=grades[i - 1]["min_score"])
            problems.add(message, "grades", i, "minScore")
        if grade["id"] in ids:
            problems.add(REPEATED_ID.format(id=grade["id"]), "grades", i, "id")
        ids.add(grade["id"])


def _check_gate_references(
    modules: list[Module], grades: list[dict[str, Any]], problems: _Problems
) -> None:
    indicators = {i.id: i for module in modules for i in module.indicators}
    module_ids = {module.id for module in modules}
    for i, grade in enumerate(grades):
        for j, gate in enumerate(grade["gates"]):
            kind: GateKind = gate["type"]
            ref: str = gate[_GATE_REF[kind]]
            where = ("grades", i, "gates", j, _GATE_REF[kind])
            if kind is GateKind.MANDATORY:
                indicator = indicators.get(ref)
                if indicator is None:
                    problems.add(UNKNOWN_INDICATOR.format(id=ref), *where)
                elif indicator.mandatory is None:
                    problems.add(NOT_MANDATORY.format(id=ref), *where)
            elif kind is GateKind.MODULE_SCORE and ref not in module_ids:
                problems.add(UNKNOWN_MODULE.format(id=ref), *where)
