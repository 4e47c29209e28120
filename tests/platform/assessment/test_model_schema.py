"""The assessment model format: what loads, what is refused and where, and the model's identity."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import rfc8785

from esgx_platform.assessment.loading import load_model, load_model_file, parse_json
from esgx_platform.assessment.model import Bound, ClaimType, Direction, GateKind, Rule
from esgx_platform.errors import FieldError, InvalidInput
from tests.platform.assessment.support import errors_at, small_model

Change = Callable[[dict[str, Any]], object]


def _refused(data: Any) -> tuple[FieldError, ...]:
    with pytest.raises(InvalidInput) as caught:
        load_model(data)
    return tuple(caught.value.errors)


def _indicator(data: dict[str, Any], module: int, index: int) -> dict[str, Any]:
    found: dict[str, Any] = data["modules"][module]["indicators"][index]
    return found


def test_small_model_loads_into_typed_frozen_data() -> None:
    model = load_model(small_model())
    assert model.id == "test-model"
    assert model.claim_type is ClaimType.ISO_14068_1
    assert [m.id for m in model.modules] == ["reduction", "extension"]
    renewables = model.indicator("renewables")
    assert renewables.direction is Direction.HIGHER
    assert renewables.baseline == Decimal(20)
    assert renewables.leading == Decimal(80)
    assert renewables.mandatory == Rule(Bound.MIN, Decimal(30))
    assert model.indicator("yoy").mandatory is None
    bronze, silver, gold = model.grades[1:]
    # A mandatory gate carries its indicator's rule; the other kinds their own bound.
    assert bronze.gates[0].kind is GateKind.MANDATORY
    assert bronze.gates[0].rule == Rule(Bound.MIN, Decimal(30))
    assert silver.gates[0].rule == Rule(Bound.MAX, Decimal(0))
    assert (gold.gates[0].kind, gold.gates[0].ref) == (GateKind.MODULE_SCORE, "extension")
    with pytest.raises(KeyError):
        model.indicator("nope")


def test_model_identity_is_the_canonical_json_hash() -> None:
    data = small_model()
    expected = hashlib.sha256(rfc8785.dumps(data)).hexdigest()
    assert load_model(data).sha256 == expected
    reordered = dict(reversed(list(data.items())))
    assert load_model(reordered).sha256 == expected
    changed = small_model()
    changed["grades"][1]["minScore"] = "41"
    assert load_model(changed).sha256 != expected


def test_load_model_file_ignores_layout(tmp_path: Path) -> None:
    compact, indented = tmp_path / "a.json", tmp_path / "b.json"
    compact.write_text(json.dumps(small_model(), separators=(",", ":")), "utf-8")
    indented.write_text(json.dumps(small_model(), indent=4, ensure_ascii=False), "utf-8")
    assert load_model_file(compact).sha256 == load_model_file(indented).sha256


def test_a_repeated_json_key_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_json('{"id": "a", "id": "b"}')
    assert caught.value.errors[0].path == "$"
    assert "id appears twice" in caught.value.errors[0].message.en


def test_malformed_json_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": ', "utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_model_file(broken)
    assert "Not a JSON document" in caught.value.errors[0].message.en


def _set(path: tuple[str | int, ...], value: object) -> Change:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return change


def _two(first: Change, second: Change) -> Change:
    def change(data: dict[str, Any]) -> None:
        first(data)
        second(data)

    return change


IND0 = ("modules", 0, "indicators", 0)
REFUSED: list[tuple[str, Change, str, str]] = [
    (
        "unknown metric",
        _set((*IND0, "metric"), "own_magic_pct"),
        "$.modules[0].indicators[0].metric",
        "Unknown metric own_magic_pct",
    ),
    (
        "unknown metric in a gate",
        _set(("grades", 2, "gates", 0, "metric"), "net_magic"),
        "$.grades[2].gates[0].metric",
        "Unknown metric net_magic",
    ),
    (
        "indicator weight 0",
        _set(("modules", 0, "indicators", 1, "weight"), "0"),
        "$.modules[0].indicators[1].weight",
        "greater than 0",
    ),
    (
        "negative module weight",
        _set(("modules", 1, "weight"), "-40"),
        "$.modules[1].weight",
        "greater than 0",
    ),
    (
        "indicator weights not 100",
        _set(("modules", 0, "indicators", 1, "weight"), "20"),  # 75 + 20 = 95
        "$.modules[0].indicators",
        "sum to 95",
    ),
    (
        "module weights not 100",
        _set(("modules", 1, "weight"), "30"),  # 60 + 30 = 90
        "$.modules",
        "sum to 90",
    ),
    (
        "baseline equals leading",
        _set((*IND0, "leading"), "20"),
        "$.modules[0].indicators[0].leading",
        "differ from the baseline",
    ),
    (
        "leading against the direction",
        _set((*IND0, "direction"), "lower"),
        "$.modules[0].indicators[0].leading",
        "below the baseline",
    ),
    (
        "unit not the metric's",
        _set((*IND0, "unit"), "tCO2e"),
        "$.modules[0].indicators[0].unit",
        "measured in %",
    ),
    (
        "mandatory rule with both bounds",
        _set((*IND0, "mandatory"), {"min": "30", "max": "90"}),
        "$.modules[0].indicators[0].mandatory",
        "exactly one of min or max",
    ),
    (
        "grades not ascending",
        _set(("grades", 2, "minScore"), "40"),
        "$.grades[2].minScore",
        "above the previous grade's 40",
    ),
    (
        "first grade not at 0",
        _set(("grades", 0, "minScore"), "10"),
        "$.grades[0].minScore",
        "must be 0",
    ),
    (
        "first grade with a gate",
        _set(("grades", 0, "gates"), [{"type": "mandatory", "indicator": "renewables"}]),
        "$.grades[0].gates",
        "no gates",
    ),
    (
        "repeated module id",
        _set(("modules", 1, "id"), "reduction"),
        "$.modules[1].id",
        "reduction is already used",
    ),
    (
        "repeated indicator id across modules",
        _set(("modules", 1, "indicators", 0, "id"), "yoy"),
        "$.modules[1].indicators[0].id",
        "yoy is already used",
    ),
    (
        "repeated grade id",
        _set(("grades", 3, "id"), "silver"),
        "$.grades[3].id",
        "silver is already used",
    ),
    (
        "gate on an unknown indicator",
        _set(("grades", 1, "gates", 0, "indicator"), "ghost"),
        "$.grades[1].gates[0].indicator",
        "No indicator has the id ghost",
    ),
    (
        "gate on an indicator without a mandatory rule",
        _set(("grades", 1, "gates", 0, "indicator"), "yoy"),
        "$.grades[1].gates[0].indicator",
        "no mandatory rule",
    ),
    (
        "gate on an unknown module",
        _set(("grades", 3, "gates", 0, "module"), "ghost"),
        "$.grades[3].gates[0].module",
        "No module has the id ghost",
    ),
    (
        "metric gate with both bounds",
        _set(("grades", 2, "gates", 0, "min"), "-5"),
        "$.grades[2].gates[0].max",
        "exactly one of min or max",
    ),
    (
        "module score bound above 100",
        _set(("grades", 3, "gates", 0, "min"), "120"),
        "$.grades[3].gates[0].min",
        "between 0 and 100",
    ),
    (
        "bound on a mandatory gate",
        _set(("grades", 1, "gates", 0, "min"), "50"),
        "$.grades[1].gates[0].min",
        "Not part of a mandatory gate",
    ),
    (
        "module named on a metric gate",
        _set(("grades", 2, "gates", 0, "module"), "extension"),
        "$.grades[2].gates[0].module",
        "Not part of a metric gate",
    ),
    (
        "JSON number",
        _set(("modules", 0, "weight"), 60),
        "$.modules[0].weight",
        "JSON numbers are not accepted",
    ),
    (
        "unknown member",
        _set(("modules", 0, "colour"), "green"),
        "$.modules[0].colour",
        "Unknown field",
    ),
    ("bad version", _set(("version",), "1.0"), "$.version", "x.y.z"),
    ("bad claim type", _set(("claimType",), "pas2050"), "$.claimType", "Must be one of"),
    ("module not an object", _set(("modules", 0), "reduction"), "$.modules[0]", "Invalid"),
    (
        "bad id shape",
        _set((*IND0, "id"), "Renewables!"),
        "$.modules[0].indicators[0].id",
        "lower-case",
    ),
]


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_refused_with_path_and_bilingual_message(change: Change, path: str, fragment: str) -> None:
    data = small_model()
    change(data)
    errors = _refused(data)
    found = errors_at(errors, path)
    assert any(fragment in error.message.en for error in found), errors


def test_every_cross_check_problem_is_reported_at_once() -> None:
    data = small_model()
    _two(_set(("modules", 1, "weight"), "30"), _set(("grades", 3, "id"), "silver"))(data)
    _indicator(data, 1, 0)["id"] = "yoy"
    paths = {error.path for error in _refused(data)}
    assert paths == {"$.modules", "$.modules[1].indicators[0].id", "$.grades[3].id"}


def test_a_list_of_models_is_refused_at_the_root() -> None:
    errors = _refused([small_model()])
    assert [error.path for error in errors] == ["$"]


def test_the_validated_input_is_not_modified() -> None:
    data = small_model()
    before = copy.deepcopy(data)
    load_model(data)
    assert data == before
