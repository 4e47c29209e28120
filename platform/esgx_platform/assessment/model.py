"""The assessment indicator model as typed, frozen data (checked and built by `model_schema`)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

import rfc8785

from esgx_platform.i18n import Text


class ClaimType(StrEnum):
    """The carbon-neutrality standard a model's claims follow (PAS 2060 withdrawn 2025-11-30)."""

    ISO_14068_1 = "iso14068-1"
    PAS_2060 = "pas2060"


class Direction(StrEnum):
    HIGHER = "higher"  # more is better: leading > baseline
    LOWER = "lower"  # less is better: leading < baseline


class Bound(StrEnum):
    MIN = "min"  # the observed value must be at least the threshold
    MAX = "max"  # the observed value must be at most the threshold


class GateKind(StrEnum):
    MANDATORY = "mandatory"
    METRIC = "metric"
    MODULE_SCORE = "moduleScore"


@dataclass(frozen=True)
class Rule:
    """A bound on a value: `min` (at least) or `max` (at most) `threshold`."""

    bound: Bound
    threshold: Decimal

    def holds(self, value: Decimal) -> bool:
        return value >= self.threshold if self.bound is Bound.MIN else value <= self.threshold


@dataclass(frozen=True)
class Indicator:
    id: str
    metric: str
    name: Text
    direction: Direction
    baseline: Decimal
    leading: Decimal
    weight: Decimal
    unit: str
    mandatory: Rule | None = None


@dataclass(frozen=True)
class Module:
    id: str
    name: Text
    weight: Decimal
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Gate:
    """A grade condition. `ref` names the indicator, metric or module, by `kind`; a mandatory
    gate carries a copy of its indicator's rule so it can be judged on its own."""

    kind: GateKind
    ref: str
    rule: Rule


@dataclass(frozen=True)
class Grade:
    id: str
    name: Text
    min_score: Decimal
    gates: tuple[Gate, ...] = ()


@dataclass(frozen=True)
class AssessmentModel:
    """Modules of weighted indicators plus ascending grades.

    Each indicator scores one metric linearly between a baseline (0 points) and a leading value
    (100 points). A grade is reached when the total score meets its `min_score`, all its gates
    pass and the grade below it is reached too: grades are cumulative, so a higher grade need
    not repeat the gates of lower ones. Gates: `mandatory` (an indicator's mandatory rule, e.g.
    all four quarters filed), `metric` (a bound on a metric, e.g. net Scope 1+2 at most 0 for
    zero-carbon), `moduleScore` (a module score minimum, e.g. responsibility extension >= 80).
    """

    id: str
    version: str
    name: Text
    claim_type: ClaimType
    modules: tuple[Module, ...]
    grades: tuple[Grade, ...]  # ascending by min_score; the first has min_score 0 and no gates
    sha256: str  # model_sha256 of the JSON it was loaded from: its identity in snapshots
    notes: Text | None = None

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id; raises KeyError when there is none."""
        for module in self.modules:
            for indicator in module.indicators:
                if indicator.id == indicator_id:
                    return indicator
        raise KeyError(indicator_id)

    def module(self, module_id: str) -> Module:
        """The module with this id; raises KeyError when there is none."""
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(module_id)


def model_sha256(data: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the model's JSON in RFC 8785 canonical form: layout and key order of
    the file do not change a model's identity, any changed value does."""
    return hashlib.sha256(rfc8785.dumps(dict(data))).hexdigest()
