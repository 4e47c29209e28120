"""The scoring configuration's schema: the default, and every rejection with its JSON path
and its message in English and Chinese."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.scoring.config import BandMethod, PenaltyKind, config_sha256, default_config_body
from esgx_platform.scoring.config_schema import default_config, load_config, load_config_text
from esgx_platform.scoring.metrics import METRICS, Method
from tests.platform.scoring.support import body, rule

_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_default_is_valid_documented_and_anchored() -> None:
    config = default_config()
    weights = {r.metric: r.weight for r in config.rules}
    assert sum(weights.values()) == 100 and set(weights) == set(METRICS)
    # Carbon performance 65, disclosure 25, offsets 2, external ratings 8 (the notes say so).
    performance = (
        "intensityRevenue",
        "intensityUnit",
        "yoyChange",
        "pathGap",
        "targetStatus",
        "renewableShare",
    )
    assert sum(weights[m] for m in performance) == 65
    assert weights["targetStatus"] == 15  # CDP's targets weight
    assert weights["cdpScore"] + weights["ecovadisMedal"] == 8
    assert all(r.why is not None and _CJK.search(r.why.zh) for r in config.rules)
    assert config.band_method is BandMethod.PERCENTILE
    assert [(b.id, b.share) for b in config.bands] == [
        ("green", Decimal(20)),
        ("blue", Decimal(50)),
        ("orange", Decimal(20)),
        ("red", Decimal(10)),
    ]
    assert config.penalties[PenaltyKind.NOT_DISCLOSED] == 20
    path = next(r for r in config.rules if r.metric == "pathGap")
    assert (path.method, path.worst, path.best) == (Method.ABSOLUTE, Decimal("8.4"), Decimal(0))


def test_identity_ignores_layout_and_key_order() -> None:
    original = default_config_body()
    reordered = json.loads(json.dumps(original, sort_keys=True, indent=4))
    assert config_sha256(reordered) == config_sha256(original) == default_config().sha256
    changed = copy.deepcopy(original)
    changed["penalties"]["late"] = "11"
    assert config_sha256(changed) != config_sha256(original)


def _errors(data: dict[str, Any]) -> list[FieldError]:
    with pytest.raises(InvalidInput) as caught:
        load_config(data)
    assert "error(s)" in caught.value.detail.en and "处错误" in caught.value.detail.zh
    return list(caught.value.errors)


def _default_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = default_config_body()
    change(data)
    return data


def _metric(data: dict[str, Any], metric: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in data["metrics"] if m["metric"] == metric)
    return found


CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, str, str]] = [
    (
        "weights not summing to 100",
        lambda d: _metric(d, "cdpScore").update(weight="5"),
        "$.metrics",
        "The weights sum to 101; they must sum to 100.",
        "各项权重之和为 101，必须等于 100。",
    ),
    (
        "a negative weight",
        lambda d: _metric(d, "cdpScore").update(weight="-4"),
        "$.metrics[12].weight",
        "Must not be negative.",
        "不能为负数。",
    ),
    (
        "a weight as a JSON number",
        lambda d: _metric(d, "cdpScore").update(weight=4),
        "$.metrics[12].weight",
        'Quantities are decimal strings such as "812.40"; JSON numbers are not accepted.',
        '数量须写成十进制字符串，例如 "812.40"；不接受 JSON 数字。',
    ),
    (
        "an unknown metric",
        lambda d: _metric(d, "cdpScore").update(metric="sustainalytics"),
        "$.metrics[12].metric",
        "Unknown metric sustainalytics: use one of",
        "未知指标 sustainalytics：请使用",
    ),
    (
        "a metric listed twice",
        lambda d: _metric(d, "ecovadisMedal").update(metric="cdpScore"),
        "$.metrics[13].metric",
        "cdpScore is already listed above.",
        "cdpScore 已在前面列出。",
    ),
    (
        "a method the metric cannot use",
        lambda d: _metric(d, "intensityUnit").update(method="absolute", worst="1", best="0"),
        "$.metrics[1].method",
        "The metric intensityUnit can only be scored by percentile.",
        "指标 intensityUnit 只能按 percentile 评分。",
    ),
    (
        "an unknown method",
        lambda d: _metric(d, "timeliness").update(method="zscore"),
        "$.metrics[9].method",
        "Must be one of: percentile, absolute.",
        "必须是以下值之一：percentile, absolute。",
    ),
    (
        "absolute without a best value",
        lambda d: _metric(d, "timeliness").pop("best"),
        "$.metrics[9].best",
        "Needed for the absolute method.",
        "绝对阈值法必须填写此项。",
    ),
    (
        "percentile with thresholds",
        lambda d: _metric(d, "intensityRevenue").update(worst="500"),
        "$.metrics[0].worst",
        "Not used by the percentile method: leave it out.",
        "百分位法不使用此项：请删除。",
    ),
    (
        "best equal to worst",
        lambda d: _metric(d, "renewableShare").update(best="0"),
        "$.metrics[5].best",
        "best must differ from worst.",
        "best 必须与 worst 不同。",
    ),
    (
        "best on the wrong side for a lower-is-better metric",
        lambda d: _metric(d, "meanDqr").update(worst="1", best="5"),
        "$.metrics[7].best",
        "For meanDqr lower is better: best must be below worst.",
        "指标 meanDqr 越低越好：best 必须低于 worst。",
    ),
    (
        "a penalty above 100 points",
        lambda d: d["penalties"].update(late="150"),
        "$.penalties.late",
        "Must be at most 100.",
        "不能大于 100。",
    ),
    (
        "a missing penalty",
        lambda d: d["penalties"].pop("unassured"),
        "$.penalties.unassured",
        "Missing data for required field.",
        "缺少必填字段。",
    ),
    (
        "band shares not summing to 100",
        lambda d: d["bands"]["bands"][3].update(share="15"),
        "$.bands.bands",
        "The band shares sum to 105; they must sum to 100.",
        "各档位占比之和为 105，必须等于 100。",
    ),
    (
        "a percentile band without a share",
        lambda d: d["bands"]["bands"][1].pop("share"),
        "$.bands.bands[1].share",
        "Percentile bands need a share.",
        "百分位分档须填写 share。",
    ),
    (
        "a minScore in a percentile band",
        lambda d: d["bands"]["bands"][0].update(minScore="80"),
        "$.bands.bands[0].minScore",
        "Not used by percentile bands: leave it out.",
        "percentile 分档不使用此项：请删除。",
    ),
    (
        "a band id used twice",
        lambda d: d["bands"]["bands"][2].update(id="green"),
        "$.bands.bands[2].id",
        "green is already listed above.",
        "green 已在前面列出。",
    ),
    (
        "an unknown member",
        lambda d: d.update(weights={}),
        "$.weights",
        "Unknown field.",
        "未知字段。",
    ),
]


@pytest.mark.parametrize(
    ("change", "path", "en", "zh"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_rejection_names_its_path_in_both_languages(
    change: Callable[[dict[str, Any]], None], path: str, en: str, zh: str
) -> None:
    errors = _errors(_default_with(change))
    assert [e.path for e in errors] == [path]
    assert errors[0].message.en.startswith(en)
    assert errors[0].message.zh.startswith(zh)


def test_score_bands_descend_to_a_floor_of_zero() -> None:
    bands = {
        "method": "score",
        "bands": [
            {"id": "a", "name": {"en": "A", "zh": "甲"}, "minScore": "60"},
            {"id": "b", "name": {"en": "B", "zh": "乙"}, "minScore": "70"},
            {"id": "c", "name": {"en": "C", "zh": "丙"}, "minScore": "10"},
        ],
    }
    errors = _errors(body(rule("timeliness", "100", worst="0", best="100"), bands=bands))
    assert [(e.path, e.message.en) for e in errors] == [
        (
            "$.bands.bands[1].minScore",
            "Bands go from best to worst: minScore must be below the previous band's 60.",
        ),
        ("$.bands.bands[2].minScore", "The last band is the floor: its minScore must be 0."),
    ]
    assert errors[1].message.zh == "最后一档为最低档：minScore 必须为 0。"


def test_every_problem_is_reported_at_once() -> None:
    data = default_config_body()
    data["metrics"][0]["worst"] = "1"
    data["metrics"][5]["best"] = "0"
    data["penalties"]["late"] = "-1"
    paths = sorted(e.path for e in _errors(data))
    assert paths == ["$.metrics[0].worst", "$.metrics[5].best", "$.penalties.late"]


def test_json_text_with_a_repeated_key_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        load_config_text('{"name": {"en": "a", "zh": "b"}, "name": {"en": "c", "zh": "d"}}')
    assert caught.value.errors[0].path == "$"
    assert "name" in caught.value.errors[0].message.en
    with pytest.raises(InvalidInput) as caught:
        load_config_text("[]")
    assert caught.value.detail.en == "The configuration is a JSON object."
