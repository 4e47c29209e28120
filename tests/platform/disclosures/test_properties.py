"""Properties: a scaled example stays valid; no input makes parsing fail other than InvalidInput."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esgx_platform.disclosures.rules import RuleOutcome, check_rules
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.errors import InvalidInput
from tests.platform.disclosures.support import Step, example_context, example_subject

ROOT = "$.credentialSubject"
_CJK = re.compile(r"[\u4e00-\u9fff]")
CENT = Decimal("0.01")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _scaled(factor: Decimal, share_percent: int) -> dict[str, Any]:
    """The example with every quantity times `factor` (rounded to cents, as a supplier would),
    kept consistent: totals are sums of their rounded parts, the allocation is recomputed."""
    s = example_subject()

    def times(text: str) -> Decimal:
        return _cents(Decimal(text) * factor)

    gases = {gas: times(amount) for gas, amount in s["scope1"]["byGas"].items()}
    s["scope1"] = {
        "tco2e": str(sum(gases.values())),
        "byGas": {g: str(v) for g, v in gases.items()},
    }
    for method in ("locationBasedTco2e", "marketBasedTco2e"):
        s["scope2"][method] = str(times(s["scope2"][method]))
    energy = s["energy"]
    for member in ("electricityMwh", "totalEnergyMwh", "renewableElectricityMwh"):
        energy[member] = str(times(energy[member]))
    first = times(energy["renewableInstruments"][0]["mwh"])
    energy["renewableInstruments"][0]["mwh"] = str(first)
    energy["renewableInstruments"][1]["mwh"] = str(
        Decimal(energy["renewableElectricityMwh"]) - first
    )
    for entry in s["scope3"]:
        entry["tco2e"] = str(times(entry["tco2e"]))
    revenue = times(s["activity"]["revenue"]["amount"])
    s["activity"]["revenue"]["amount"] = str(revenue)
    s["activity"]["output"]["amount"] = str(times(s["activity"]["output"]["amount"]))
    allocable = (
        Decimal(s["scope1"]["tco2e"])
        + Decimal(s["scope2"]["marketBasedTco2e"])
        + sum(Decimal(entry["tco2e"]) for entry in s["scope3"])
    )
    customer = _cents(revenue * share_percent / 100)
    s["allocations"][0].update(
        customerQuantity=str(customer),
        totalQuantity=str(revenue),
        allocatedTco2e=str(_cents(allocable * customer / revenue)),
    )
    return s


@FAST
@given(
    factor=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2),
    share_percent=st.integers(min_value=0, max_value=100),
)
def test_scaled_example_stays_valid(factor: Decimal, share_percent: int) -> None:
    outcome = check_rules(parse_disclosure(_scaled(factor, share_percent)), example_context())
    assert outcome.errors == ()


_VOCABULARY = sorted(
    {
        *example_subject(),
        *("tco2e", "byGas", "byGasUnit", "locationBasedTco2e", "marketBasedTco2e", "category"),
        *("customer", "basis", "customerQuantity", "totalQuantity", "allocatedTco2e", "serials"),
        *("id", "pcf", "specVersion", "CO2", "CH4", "revenue", "output", "amount", "currency"),
    }
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["812.40", "-1", "2025-Q3", "AR6", "1e9", "2025-09-30", "", "urn:x:y"])
)
json_values = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(_VOCABULARY) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)


def _paths(node: Any, prefix: tuple[Step, ...] = ()) -> list[tuple[Step, ...]]:
    found: list[tuple[Step, ...]] = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


EXAMPLE_PATHS = _paths(example_subject())


def _parses_or_explains(subject: Any) -> None:
    try:
        disclosure = parse_disclosure(subject)
    except InvalidInput as exc:
        errors = tuple(exc.errors)
    else:
        # Whatever parses, the rules can judge without crashing.
        assert isinstance(check_rules(disclosure, example_context()), RuleOutcome)
        return
    assert errors
    for error in errors:
        assert error.path.startswith(ROOT), error.path
        assert error.message.en
        # Chinese, not marshmallow's English passed through: every reachable message is translated.
        assert _CJK.search(error.message.zh), error.message


@FAST
@given(json_values)
def test_arbitrary_json_raises_only_invalid_input(subject: Any) -> None:
    _parses_or_explains(subject)


@FAST
@given(st.sampled_from(EXAMPLE_PATHS), json_values)
def test_example_with_one_member_replaced_raises_only_invalid_input(
    steps: tuple[Step, ...], value: Any
) -> None:
    subject = example_subject()
    node: Any = subject
    for step in steps[:-1]:
        node = node[step]
    node[steps[-1]] = value
    _parses_or_explains(subject)
