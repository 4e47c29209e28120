"""Offset qualification for a period and the neutrality balance (PAS 2060 / ISO 14068-1)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from esgx_platform.assessment.model import ClaimType
from esgx_platform.assessment.neutrality import (
    ClaimIssue,
    Disqualification,
    RetiredOffset,
    judge_offsets,
    neutrality,
    retirement_deadline,
)
from tests.platform.assessment.support import has_cjk

D = Decimal
START, END = date(2024, 1, 1), date(2024, 12, 31)
GOOD = RetiredOffset(
    serials=("VCS-1001-1..100",),
    registry="Verra",
    vintage=2023,
    tco2e=D(100),
    retired_on=date(2025, 3, 1),
    standard="VCS",
    programme="VCS",
)


def _codes(offset: RetiredOffset, **kwargs: Any) -> list[str]:
    (verdict,) = judge_offsets([offset], period_start=START, period_end=END, **kwargs)
    for reason in verdict.reasons:
        assert reason.text.en.strip() and has_cjk(reason.text.zh)
    return [reason.code for reason in verdict.reasons]


def test_a_good_offset_qualifies() -> None:
    (verdict,) = judge_offsets([GOOD], period_start=START, period_end=END)
    assert verdict.qualifies
    assert verdict.reasons == ()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"serials": ()}, Disqualification.NO_SERIALS),
        ({"serials": ("VCS-1001-100..1",)}, Disqualification.BAD_SERIAL),  # last < first
        ({"tco2e": D(0)}, Disqualification.NOT_POSITIVE),
        ({"retired_on": date(2023, 12, 31)}, Disqualification.RETIRED_BEFORE_PERIOD),
        ({"retired_on": date(2026, 1, 1)}, Disqualification.RETIRED_TOO_LATE),
        ({"registry": None}, Disqualification.NO_REGISTRY),
        ({"registry": "  "}, Disqualification.NO_REGISTRY),
        ({"vintage": None}, Disqualification.NO_VINTAGE),
        ({"vintage": 2026}, Disqualification.VINTAGE_AFTER_RETIREMENT),  # retired in 2025
        ({"standard": None, "programme": "other"}, Disqualification.NO_STANDARD),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_each_disqualification(changes: dict[str, Any], code: Disqualification) -> None:
    assert _codes(replace(GOOD, **changes)) == [code.value]


def test_reasons_name_the_specifics() -> None:
    (verdict,) = judge_offsets(
        [replace(GOOD, retired_on=date(2026, 1, 1))], period_start=START, period_end=END
    )
    assert verdict.reasons[0].text.en == (
        "Retired on 2026-01-01, later than 2025-12-31 (12 months after the period end)."
    )


@pytest.mark.parametrize(
    ("retired_on", "qualifies"),
    [
        (date(2024, 1, 1), True),  # the period's first day
        (date(2023, 12, 31), False),  # the day before
        (date(2025, 12, 31), True),  # exactly 12 months after the period's last day
        (date(2026, 1, 1), False),  # one day later
    ],
)
def test_retirement_window_boundaries(retired_on: date, qualifies: bool) -> None:
    vintage = min(GOOD.vintage or 0, retired_on.year)
    offset = replace(GOOD, retired_on=retired_on, vintage=vintage)
    (verdict,) = judge_offsets([offset], period_start=START, period_end=END)
    assert verdict.qualifies is qualifies


def test_deadline_of_a_period_ending_on_29_february() -> None:
    assert retirement_deadline(date(2024, 2, 29)) == date(2025, 2, 28)
    assert retirement_deadline(date(2024, 6, 30)) == date(2025, 6, 30)


def test_vintage_in_the_retirement_year_qualifies() -> None:
    assert _codes(replace(GOOD, vintage=2025)) == []


def test_serial_used_elsewhere_as_an_overlapping_range() -> None:
    # 50..60 lies inside 1..100: the same credits are claimed elsewhere.
    assert _codes(GOOD, used_elsewhere={"VCS-1001-50..60"}) == [
        Disqualification.SERIAL_USED_ELSEWHERE.value
    ]
    assert _codes(GOOD, used_elsewhere={"VCS-1001-101..200", "VCS-1002-1..100"}) == []


def test_serial_used_elsewhere_by_a_callable() -> None:
    asked: list[str] = []

    def used(serial: str) -> bool:
        asked.append(serial)
        return serial == "VCS-1001-1..100"

    assert _codes(GOOD, used_elsewhere=used) == [Disqualification.SERIAL_USED_ELSEWHERE.value]
    assert asked == ["VCS-1001-1..100"]


def test_a_serial_reused_within_the_claim_disqualifies_the_later_offset() -> None:
    later = replace(GOOD, serials=("VCS-1001-90..120",))
    first, second = judge_offsets([GOOD, later], period_start=START, period_end=END)
    assert first.qualifies
    assert [r.code for r in second.reasons] == [Disqualification.SERIAL_REPEATED.value]


def test_an_unreadable_serial_among_the_used_ones_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"5\.\.1"):
        judge_offsets([GOOD], period_start=START, period_end=END, used_elsewhere={"X-5..1"})


def test_net_balance_with_in_scope_scope3() -> None:
    rejected = replace(GOOD, serials=("GS-7-1..100",), registry=None)
    kept = replace(GOOD, tco2e=D(400), serials=("VCS-1001-1..400",))
    result = neutrality(
        scope1=D(300),
        scope2_market=D(200),
        in_scope_scope3=D(50),
        offsets=[kept, rejected],
        period_start=START,
        period_end=END,
    )
    # gross = 300 + 200 + 50 = 550; qualifying 400 → net 150; Scope 1+2 net 500 − 400 = 100
    assert result.gross_tco2e == D(550)
    assert result.qualifying_tco2e == D(400)
    assert result.non_qualifying_tco2e == D(100)
    assert result.net_tco2e == D(150)
    assert result.net_scope12_tco2e == D(100)
    assert result.offset_coverage_pct == D(80)  # 400 / 500 × 100
    assert not result.neutral
    assert [v.qualifies for v in result.verdicts] == [True, False]
    assert result.metrics() == {
        "qualifying_offsets_tco2e": D(400),
        "non_qualifying_offsets_tco2e": D(100),
        "net_scope12_tco2e": D(100),
        "offset_coverage_pct": D(80),
    }


def test_neutral_when_qualifying_offsets_cover_everything() -> None:
    result = neutrality(
        scope1=D(60), scope2_market=D(40), offsets=[GOOD], period_start=START, period_end=END
    )
    assert result.net_tco2e == D(0)
    assert result.neutral and result.claim_supported


def test_no_coverage_without_scope12() -> None:
    result = neutrality(
        scope1=D(0), scope2_market=D(0), offsets=[], period_start=START, period_end=END
    )
    assert result.offset_coverage_pct is None
    assert result.neutral  # nothing emitted, nothing to offset


@pytest.mark.parametrize(
    ("claim_type", "period_end", "flagged"),
    [
        (ClaimType.PAS_2060, date(2025, 11, 30), False),  # ends on the withdrawal day
        (ClaimType.PAS_2060, date(2025, 12, 31), True),
        (ClaimType.ISO_14068_1, date(2025, 12, 31), False),
    ],
)
def test_pas_2060_claims_for_periods_after_withdrawal_are_flagged(
    claim_type: ClaimType, period_end: date, flagged: bool
) -> None:
    result = neutrality(
        scope1=D(10),
        scope2_market=D(0),
        offsets=[replace(GOOD, retired_on=date(2025, 11, 1))],
        period_start=date(2025, 1, 1),
        period_end=period_end,
        claim_type=claim_type,
    )
    assert result.neutral
    codes = [issue.code for issue in result.claim_issues]
    assert codes == ([ClaimIssue.PAS_2060_WITHDRAWN.value] if flagged else [])
    assert result.claim_supported is not flagged


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError, match="negative"):
        neutrality(scope1=D(-1), scope2_market=D(0), offsets=[], period_start=START, period_end=END)
    with pytest.raises(ValueError, match="ends before"):
        judge_offsets([GOOD], period_start=END, period_end=START)


def test_as_json() -> None:
    result = neutrality(
        scope1=D(300),
        scope2_market=D(0),
        offsets=[replace(GOOD, vintage=None)],
        period_start=START,
        period_end=END,
    )
    data = result.as_json()
    assert json.loads(json.dumps(data)) == data
    assert (data["netTco2e"], data["offsetCoveragePct"]) == ("300", "0.00")
    assert data["offsets"][0]["qualifies"] is False
    assert data["offsets"][0]["reasons"][0]["code"] == "no_vintage"


def test_a_recognised_programme_is_its_own_standard() -> None:
    # CCER credits name no separate standard: the programme's own rules are the standard.
    assert _codes(replace(GOOD, standard=None, programme="CCER")) == []
