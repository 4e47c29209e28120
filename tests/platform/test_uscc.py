"""Unified social credit codes: shape, embedded organization code check, and check character."""

from __future__ import annotations

import pytest

from esgx_platform.errors import InvalidInput
from esgx_platform.organizations.uscc import (
    complete_uscc,
    org_code_check_char,
    uscc_check_char,
    validate_uscc,
)


@pytest.mark.parametrize("code", ["91320500MA1N2K3P99", "91120116MA05R7T29K", "91110000600037341L"])
def test_valid_codes_pass(code: str) -> None:
    assert validate_uscc(code) == code


def test_lower_case_and_spaces_are_normalized() -> None:
    assert validate_uscc(" 91120116ma05r7t29k ") == "91120116MA05R7T29K"


def test_check_character_worked_example() -> None:
    # 91120116MA05R7T29K: symbol values (index in the GB 32100 alphabet) times the weights,
    # summed; the check symbol is the one at index (31 - sum mod 31) mod 31.
    # M=21 A=10 R=25 T=26: sum = 1934; 1934 mod 31 = 12; 31 - 12 = 19 -> "K".
    values = [9, 1, 1, 2, 0, 1, 1, 6, 21, 10, 0, 5, 25, 7, 26, 2, 9]
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(v * w for v, w in zip(values, weights, strict=True))
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert total == 1934
    assert alphabet[(31 - total % 31) % 31] == "K"
    assert uscc_check_char("91120116MA05R7T29") == "K"


def test_org_code_check_worked_example() -> None:
    # MA05R7T2: M=22 A=10 0 5 R=27 7 T=29 2, weights 3,7,9,10,5,8,4,2:
    # 66 + 70 + 0 + 50 + 135 + 56 + 116 + 4 = 497; 497 mod 11 = 2; 11 - 2 = 9.
    assert org_code_check_char("MA05R7T2") == "9"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91120116MA05R7T29", "18 characters"),
        ("91120116MA05R7T29KK", "18 characters"),
        ("91120116MA05R7T2IK", "not allowed"),  # I never occurs
        ("9112011AMA05R7T29K", "not allowed"),  # division code must be digits
        ("91120116MA05R7T28K", "organization code"),
        ("91120116MA05R7T29J", "expected K, got J"),
    ],
)
def test_invalid_codes_say_why(code: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_uscc(code)
    assert fragment in info.value.detail.en
    assert info.value.detail.zh  # and in Chinese
    assert info.value.errors[0].path == "uscc"


def test_complete_uscc_makes_valid_codes() -> None:
    for body in ("91440300MA5F0001", "91110108MA00PLT1", "12100000MB0123AB"):
        assert validate_uscc(complete_uscc(body))
