"""A lead company's scoring configuration as plain data: weights, methods, penalties, bands.

Loaded and checked by `config_schema.py`; its identity is the SHA-256 of its RFC 8785
canonical JSON, so layout and key order never change it and any changed value does.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from typing import Any

import rfc8785

from esgx_platform.i18n import Text
from esgx_platform.scoring.metrics import Method

DEFAULT_CONFIG_FILE = "default_config.json"


class PenaltyKind(StrEnum):
    """Why points are taken off. Each is charged pro rata: the configured points for the
    whole period, times the share of the supplier's quarters it applies to."""

    NOT_DISCLOSED = "notDisclosed"  # no disclosure for the quarter
    REJECTED = "rejected"  # a submission failed verification and none was accepted
    NO_CONSENT = "noConsent"  # no data-sharing consent: the factory sees nothing
    LATE = "late"  # first filed after the factory's deadline
    UNASSURED = "unassured"  # disclosed without third-party assurance


# Quarters the factory cannot use at all: the supplier has missing data.
MISSING_KINDS = frozenset({PenaltyKind.NOT_DISCLOSED, PenaltyKind.REJECTED, PenaltyKind.NO_CONSENT})


class BandMethod(StrEnum):
    PERCENTILE = "percentile"  # by position: the top `share` % of the ranking, and so on
    SCORE = "score"  # by total score: the first band whose minScore the total reaches


@dataclass(frozen=True)
class MetricRule:
    metric: str
    weight: Decimal  # percentage points of the total (weights sum to 100)
    method: Method
    worst: Decimal | None = None  # absolute only: the value scoring 0
    best: Decimal | None = None  # absolute only: the value scoring 100
    why: Text | None = None  # the rationale, shown with the weight


@dataclass(frozen=True)
class Band:
    id: str
    name: Text
    share: Decimal | None = None  # percentile bands: % of suppliers
    min_score: Decimal | None = None  # score bands: lowest total in the band


@dataclass(frozen=True)
class ScoringConfig:
    name: Text
    rules: tuple[MetricRule, ...]
    penalties: Mapping[PenaltyKind, Decimal]
    band_method: BandMethod
    bands: tuple[Band, ...]  # best first
    sha256: str
    notes: Text | None = None

    def band(self, band_id: str) -> Band:
        """The band with this id; raises KeyError when there is none."""
        for band in self.bands:
            if band.id == band_id:
                return band
        raise KeyError(band_id)

    def band_index(self, band_id: str) -> int:
        return [b.id for b in self.bands].index(band_id)


def config_sha256(body: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a configuration's RFC 8785 canonical JSON."""
    return hashlib.sha256(rfc8785.dumps(dict(body))).hexdigest()


def default_config_text() -> str:
    """The platform's default configuration file as shipped (a starting point to edit)."""
    package = resources.files("esgx_platform.scoring")
    return package.joinpath(DEFAULT_CONFIG_FILE).read_text("utf-8")


@functools.cache
def _default_body_text() -> str:
    return default_config_text()


def default_config_body() -> dict[str, Any]:
    """A fresh copy of the default configuration's JSON."""
    body: dict[str, Any] = json.loads(_default_body_text())
    return body
