"""Shared test data for the assessment: a small model with round numbers, and error lookup."""

from __future__ import annotations

import re
from typing import Any

from esgx_platform.errors import FieldError

_CJK = re.compile(r"[\u4e00-\u9fff]")


def name(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


def small_model() -> dict[str, Any]:
    """Two modules (60 / 40) and four grades, one gate of each kind.

    reduction (60): renewables 20 → 80 % (weight 75, mandatory ≥ 30), yoy 0 → −10 % (25);
    extension (40): assured 0 → 50 % (100). Grades: none 0; bronze 40 + renewables' mandatory
    rule; silver 60 + net Scope 1+2 ≤ 0; gold 80 + extension module score ≥ 90.
    """
    return {
        "id": "test-model",
        "version": "1.0.0",
        "name": name("Test model", "测试模型"),
        "claimType": "iso14068-1",
        "modules": [
            {
                "id": "reduction",
                "name": name("Reduction", "减排"),
                "weight": "60",
                "indicators": [
                    {
                        "id": "renewables",
                        "metric": "own_renewable_electricity_pct",
                        "name": name("Renewables", "可再生电力"),
                        "direction": "higher",
                        "baseline": "20",
                        "leading": "80",
                        "weight": "75",
                        "unit": "%",
                        "mandatory": {"min": "30"},
                    },
                    {
                        "id": "yoy",
                        "metric": "own_scope12_yoy_pct",
                        "name": name("Year on year", "同比"),
                        "direction": "lower",
                        "baseline": "0",
                        "leading": "-10",
                        "weight": "25",
                        "unit": "%",
                    },
                ],
            },
            {
                "id": "extension",
                "name": name("Extension", "责任延伸"),
                "weight": "40",
                "indicators": [
                    {
                        "id": "assured",
                        "metric": "suppliers_assured_pct_by_emissions",
                        "name": name("Assured suppliers", "经保证的供应商"),
                        "direction": "higher",
                        "baseline": "0",
                        "leading": "50",
                        "weight": "100",
                        "unit": "%",
                    }
                ],
            },
        ],
        "grades": [
            {"id": "none", "name": name("None", "无"), "minScore": "0", "gates": []},
            {
                "id": "bronze",
                "name": name("Bronze", "铜"),
                "minScore": "40",
                "gates": [{"type": "mandatory", "indicator": "renewables"}],
            },
            {
                "id": "silver",
                "name": name("Silver", "银"),
                "minScore": "60",
                "gates": [{"type": "metric", "metric": "net_scope12_tco2e", "max": "0"}],
            },
            {
                "id": "gold",
                "name": name("Gold", "金"),
                "minScore": "80",
                "gates": [{"type": "moduleScore", "module": "extension", "min": "90"}],
            },
        ],
    }


def single_indicator_model(grade_min: str = "60") -> dict[str, Any]:
    """One module, one indicator scoring a share 0 → 100 % one-to-one, and one grade above 0."""
    data = small_model()
    indicator = data["modules"][1]["indicators"][0]
    indicator["leading"] = "100"
    data["modules"] = [{**data["modules"][1], "weight": "100"}]
    data["grades"] = [
        data["grades"][0],
        {"id": "pass", "name": name("Pass", "通过"), "minScore": grade_min, "gates": []},
    ]
    return data


def errors_at(errors: tuple[FieldError, ...], path: str) -> list[FieldError]:
    """The errors at exactly `path`, each checked to speak both languages."""
    found = [error for error in errors if error.path == path]
    for error in found:
        assert error.message.en.strip()
        assert _CJK.search(error.message.zh), error.message
    return found


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None
