"""Shared test data for disclosures: the worked example, a context it passes, and tampering."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from esgx_platform.disclosures.rules import PriorFigures, RuleContext, check_rules
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.errors import FieldError, InvalidInput

HERE = Path(__file__).parent
ISSUER = "urn:esgx:org:91320500MA1N2K3P99"
CUSTOMER = "urn:esgx:org:91120116MA05R7T29K"
OTHER_LEAD_FACTORY = "urn:esgx:org:91110000600037341L"
FOOTPRINT_ID = UUID("3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c")
TODAY = date(2025, 10, 12)  # the example credential's validFrom
_CJK = re.compile(r"[\u4e00-\u9fff]")

Step = str | int
DELETE = object()  # tampered(..., DELETE) removes the member


def example_subject() -> dict[str, Any]:
    """A fresh copy of the worked example's credentialSubject."""
    data: dict[str, Any] = json.loads((HERE / "example_disclosure.json").read_text("utf-8"))
    return data


def example_footprint() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / "example_footprint.json").read_text("utf-8"))
    return data


def example_context(**changes: Any) -> RuleContext:
    """A context the example passes without errors or warnings; keywords replace members."""
    members: dict[str, Any] = {
        "today": TODAY,
        "issuer_urn": ISSUER,
        "customers": frozenset({CUSTOMER, OTHER_LEAD_FACTORY}),
        # The example's allocation names a footprint it does not carry: filed on its own.
        "filed_footprint_ids": frozenset({FOOTPRINT_ID}),
        "used_offset_serials": frozenset({"CCER-2024-XX-000001..000100"}),
        "previous_year": PriorFigures(Decimal("3000.00"), Decimal("36.00")),
        "category_intensity_iqr": (Decimal("20.0"), Decimal("50.0")),
    }
    members.update(changes)
    return RuleContext(**members)


def tampered(subject: dict[str, Any], steps: tuple[Step, ...], value: Any) -> dict[str, Any]:
    """The subject with the member at `steps` set to `value` (or removed, for `DELETE`)."""
    *parents, last = steps
    node: Any = subject
    for step in parents:
        node = node[step]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return subject


def errors_of(subject: Any, context: RuleContext | None = None) -> tuple[FieldError, ...]:
    """Schema errors if the subject does not parse, else the rule errors."""
    try:
        disclosure = parse_disclosure(subject)
    except InvalidInput as exc:
        return tuple(exc.errors)
    return check_rules(disclosure, context or example_context()).errors


def at(errors: tuple[FieldError, ...], path: str) -> list[FieldError]:
    """The errors at exactly `path`, each checked to speak both languages."""
    found = [error for error in errors if error.path == path]
    for error in found:
        assert error.message.en.strip()
        assert _CJK.search(error.message.zh), error.message
    return found


def assert_error(errors: tuple[FieldError, ...], path: str, fragment: str) -> None:
    """Exactly this path carries an error whose English contains `fragment`."""
    found = at(errors, path)
    assert any(fragment in error.message.en for error in found), (path, errors)
