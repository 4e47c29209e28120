"""Carbon-neutrality balance: which retired offsets qualify for a period, and net emissions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from esgx_platform.assessment.model import ClaimType
from esgx_platform.disclosures.serials import SerialRange, overlapping, repeated
from esgx_platform.i18n import Text

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# PAS 2060 was withdrawn on this day; ISO 14068-1:2023 replaces it for newer periods.
PAS_2060_WITHDRAWN = date(2025, 11, 30)

UsedElsewhere = Callable[[str], bool] | Iterable[str]


class Disqualification(StrEnum):
    NO_SERIALS = "no_serials"
    BAD_SERIAL = "bad_serial"
    NOT_POSITIVE = "not_positive"
    RETIRED_BEFORE_PERIOD = "retired_before_period"
    RETIRED_TOO_LATE = "retired_too_late"
    NO_REGISTRY = "no_registry"
    NO_VINTAGE = "no_vintage"
    VINTAGE_AFTER_RETIREMENT = "vintage_after_retirement"
    NO_STANDARD = "no_standard"
    SERIAL_USED_ELSEWHERE = "serial_used_elsewhere"
    SERIAL_REPEATED = "serial_repeated"


class ClaimIssue(StrEnum):
    PAS_2060_WITHDRAWN = "pas2060_withdrawn"


MESSAGES: dict[str, Text] = {
    Disqualification.NO_SERIALS: Text(
        "No serial numbers: the credit cannot be checked for double counting.",
        "无序列号：无法核查该碳信用是否被重复计算。",
    ),
    Disqualification.BAD_SERIAL: Text(
        "The serial {serial} cannot be read as a serial or serial range.",
        "序列号 {serial} 无法识别为序列号或序列号区间。",
    ),
    Disqualification.NOT_POSITIVE: Text(
        "The quantity must be above 0 tCO2e.", "抵消量必须大于 0 tCO2e。"
    ),
    Disqualification.RETIRED_BEFORE_PERIOD: Text(
        "Retired on {retired}, before the period starts on {start}.",
        "注销日期 {retired} 早于本期开始日期 {start}。",
    ),
    Disqualification.RETIRED_TOO_LATE: Text(
        "Retired on {retired}, later than {deadline} (12 months after the period end).",
        "注销日期 {retired} 晚于 {deadline}（本期结束后 12 个月）。",
    ),
    Disqualification.NO_REGISTRY: Text(
        "No public registry named: the retirement cannot be verified.",
        "未注明公开登记簿：无法核实注销。",
    ),
    Disqualification.NO_VINTAGE: Text("No vintage year given.", "未注明签发年份（vintage）。"),
    Disqualification.VINTAGE_AFTER_RETIREMENT: Text(
        "Vintage {vintage} is after the retirement year {year}: credits are issued ex post.",
        "签发年份 {vintage} 晚于注销年份 {year}：碳信用须事后签发。",
    ),
    Disqualification.NO_STANDARD: Text(
        "No crediting standard named: third-party verification cannot be shown.",
        "未注明核证标准：无法证明经过第三方核证。",
    ),
    Disqualification.SERIAL_USED_ELSEWHERE: Text(
        "The serial {serial} is already used elsewhere on the platform (double counting).",
        "序列号 {serial} 已在平台其他地方使用（重复计算）。",
    ),
    Disqualification.SERIAL_REPEATED: Text(
        "The serial {serial} overlaps an earlier offset of this claim.",
        "序列号 {serial} 与本声明中前面的抵消重叠。",
    ),
    ClaimIssue.PAS_2060_WITHDRAWN: Text(
        "PAS 2060 was withdrawn on 2025-11-30: a claim for a period ending after that day "
        "must follow ISO 14068-1.",
        "PAS 2060 已于 2025-11-30 废止：结束日期在此之后的期间，碳中和声明须遵循 ISO 14068-1。",
    ),
}


RECOGNISED_PROGRAMMES = frozenset({"CCER", "VCS", "GS", "CDM"})


@dataclass(frozen=True)
class RetiredOffset:
    serials: tuple[str, ...]  # single serials or ranges PREFIX-FIRST..LAST
    registry: str | None
    vintage: int | None
    tco2e: Decimal
    retired_on: date
    standard: str | None  # the crediting standard, e.g. VCS, Gold Standard, CCER
    programme: str


@dataclass(frozen=True)
class Reason:
    code: str  # a Disqualification or ClaimIssue value
    text: Text


@dataclass(frozen=True)
class OffsetVerdict:
    offset: RetiredOffset
    reasons: tuple[Reason, ...]  # empty when the offset qualifies

    @property
    def qualifies(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class NeutralityResult:
    claim_type: ClaimType
    period_start: date
    period_end: date
    scope1_tco2e: Decimal
    scope2_market_tco2e: Decimal
    in_scope_scope3_tco2e: Decimal
    qualifying_tco2e: Decimal
    non_qualifying_tco2e: Decimal
    verdicts: tuple[OffsetVerdict, ...]
    claim_issues: tuple[Reason, ...]  # problems with the claim itself, not its numbers

    @property
    def gross_tco2e(self) -> Decimal:
        return self.scope1_tco2e + self.scope2_market_tco2e + self.in_scope_scope3_tco2e

    @property
    def net_tco2e(self) -> Decimal:
        """Scope 1 + market-based Scope 2 + in-scope Scope 3 − qualifying offsets."""
        return self.gross_tco2e - self.qualifying_tco2e

    @property
    def net_scope12_tco2e(self) -> Decimal:
        return self.scope1_tco2e + self.scope2_market_tco2e - self.qualifying_tco2e

    @property
    def offset_coverage_pct(self) -> Decimal | None:
        """Qualifying offsets / (Scope 1 + market-based Scope 2) × 100; None when that is 0."""
        scope12 = self.scope1_tco2e + self.scope2_market_tco2e
        return None if scope12 == 0 else self.qualifying_tco2e / scope12 * HUNDRED

    @property
    def neutral(self) -> bool:
        return self.net_tco2e <= 0

    @property
    def claim_supported(self) -> bool:
        return self.neutral and not self.claim_issues

    def metrics(self) -> dict[str, Decimal | None]:
        """The assessment metrics this balance provides, by their registry names."""
        return {
            "qualifying_offsets_tco2e": self.qualifying_tco2e,
            "non_qualifying_offsets_tco2e": self.non_qualifying_tco2e,
            "net_scope12_tco2e": self.net_scope12_tco2e,
            "offset_coverage_pct": self.offset_coverage_pct,
        }

    def as_json(self) -> dict[str, Any]:
        """Plain JSON: tonnes as exact decimal strings, the coverage rounded to 2 decimals."""
        coverage = self.offset_coverage_pct
        return {
            "claimType": self.claim_type.value,
            "periodStart": self.period_start.isoformat(),
            "periodEnd": self.period_end.isoformat(),
            "grossTco2e": str(self.gross_tco2e),
            "qualifyingTco2e": str(self.qualifying_tco2e),
            "nonQualifyingTco2e": str(self.non_qualifying_tco2e),
            "netTco2e": str(self.net_tco2e),
            "netScope12Tco2e": str(self.net_scope12_tco2e),
            "offsetCoveragePct": None
            if coverage is None
            else str(coverage.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
            "neutral": self.neutral,
            "claimSupported": self.claim_supported,
            "claimIssues": [_reason_json(r) for r in self.claim_issues],
            "offsets": [_verdict_json(v) for v in self.verdicts],
        }


def retirement_deadline(period_end: date) -> date:
    """The last day an offset may be retired for a period: 12 months after its end (a period
    ending on 29 February gives 28 February of the next year)."""
    try:
        return period_end.replace(year=period_end.year + 1)
    except ValueError:
        return date(period_end.year + 1, 2, 28)


def neutrality(
    *,
    scope1: Decimal,
    scope2_market: Decimal,
    offsets: Sequence[RetiredOffset],
    period_start: date,
    period_end: date,
    in_scope_scope3: Decimal = ZERO,
    claim_type: ClaimType = ClaimType.ISO_14068_1,
    used_elsewhere: UsedElsewhere = frozenset(),
) -> NeutralityResult:
    """Judge each offset for the period (see `judge_offsets`) and balance the emissions.

    Raises ValueError for negative emissions, a period ending before it starts, or an
    unreadable serial in `used_elsewhere`.
    """
    if min(scope1, scope2_market, in_scope_scope3) < 0:
        raise ValueError("emissions must not be negative")
    verdicts = judge_offsets(
        offsets, period_start=period_start, period_end=period_end, used_elsewhere=used_elsewhere
    )
    qualifying = sum((v.offset.tco2e for v in verdicts if v.qualifies), ZERO)
    other = sum((max(v.offset.tco2e, ZERO) for v in verdicts if not v.qualifies), ZERO)
    issues: tuple[Reason, ...] = ()
    # New claims follow ISO 14068-1; a PAS 2060 claim is only acceptable for older periods.
    if claim_type is ClaimType.PAS_2060 and period_end > PAS_2060_WITHDRAWN:
        issues = (_reason(ClaimIssue.PAS_2060_WITHDRAWN),)
    return NeutralityResult(
        claim_type=claim_type,
        period_start=period_start,
        period_end=period_end,
        scope1_tco2e=scope1,
        scope2_market_tco2e=scope2_market,
        in_scope_scope3_tco2e=in_scope_scope3,
        qualifying_tco2e=qualifying,
        non_qualifying_tco2e=other,
        verdicts=verdicts,
        claim_issues=issues,
    )


def judge_offsets(
    offsets: Sequence[RetiredOffset],
    *,
    period_start: date,
    period_end: date,
    used_elsewhere: UsedElsewhere = frozenset(),
) -> tuple[OffsetVerdict, ...]:
    """Whether each offset qualifies for the period (PAS 2060 / ISO 14068-1 rules).

    An offset qualifies when it has serials, a positive quantity, a registry, a vintage not
    after its retirement year and a crediting standard (evidence of third-party verification;
    a recognised programme such as CCER or VCS is one);
    when it was retired on or after the period's first day (an earlier retirement belongs to an
    earlier claim) and no later than 12 months after its last day, boundary days included; and
    when none of its serials overlaps a serial used elsewhere on the platform (`used_elsewhere`:
    serial strings or ranges, or a callable answering for one serial string) or an earlier
    offset of the same claim. Raises ValueError for a period ending before it starts or an
    unreadable serial in `used_elsewhere`.
    """
    if period_end < period_start:
        raise ValueError("the period ends before it starts")
    serial_reasons = _serial_reasons(offsets, used_elsewhere)
    return tuple(
        OffsetVerdict(offset, (*serials, *_offset_reasons(offset, period_start, period_end)))
        for offset, serials in zip(offsets, serial_reasons, strict=True)
    )


def _offset_reasons(offset: RetiredOffset, start: date, end: date) -> list[Reason]:
    found: list[Reason] = []
    if offset.tco2e <= 0:
        found.append(_reason(Disqualification.NOT_POSITIVE))
    retired = offset.retired_on
    if retired < start:
        found.append(_reason(Disqualification.RETIRED_BEFORE_PERIOD, retired=retired, start=start))
    deadline = retirement_deadline(end)
    if retired > deadline:
        found.append(_reason(Disqualification.RETIRED_TOO_LATE, retired=retired, deadline=deadline))
    if not (offset.registry or "").strip():
        found.append(_reason(Disqualification.NO_REGISTRY))
    if offset.vintage is None:
        found.append(_reason(Disqualification.NO_VINTAGE))
    elif offset.vintage > retired.year:
        code = Disqualification.VINTAGE_AFTER_RETIREMENT
        found.append(_reason(code, vintage=offset.vintage, year=retired.year))
    # A recognised crediting programme (CCER, VCS, Gold Standard, CDM) is itself the standard
    # that third-party validation and verification follow; "other" must name one.
    if not (offset.standard or "").strip() and offset.programme not in RECOGNISED_PROGRAMMES:
        found.append(_reason(Disqualification.NO_STANDARD))
    return found


def _serial_reasons(
    offsets: Sequence[RetiredOffset], used_elsewhere: UsedElsewhere
) -> list[list[Reason]]:
    found: list[list[Reason]] = [[] for _ in offsets]
    # Every readable serial of the claim in order, with the index of the offset it belongs to.
    claimed: list[tuple[int, str, SerialRange]] = []
    for index, offset in enumerate(offsets):
        if not offset.serials:
            found[index].append(_reason(Disqualification.NO_SERIALS))
        for text in offset.serials:
            try:
                claimed.append((index, text, SerialRange.parse(text)))
            except ValueError:
                found[index].append(_reason(Disqualification.BAD_SERIAL, serial=text[:200]))
    for index, text in _used_elsewhere(claimed, used_elsewhere):
        found[index].append(_reason(Disqualification.SERIAL_USED_ELSEWHERE, serial=text))
    for position in sorted(repeated([serial for _, _, serial in claimed])):
        index, text, _ = claimed[position]
        found[index].append(_reason(Disqualification.SERIAL_REPEATED, serial=text))
    return found


def _used_elsewhere(
    claimed: list[tuple[int, str, SerialRange]], used_elsewhere: UsedElsewhere
) -> list[tuple[int, str]]:
    if callable(used_elsewhere):
        return [(index, text) for index, text, _ in claimed if used_elsewhere(text)]
    used = [SerialRange.parse(text) for text in used_elsewhere]
    hits = overlapping((serial for _, _, serial in claimed), used)
    return [(index, text) for index, text, serial in claimed if serial in hits]


def _reason(code: Disqualification | ClaimIssue, **params: object) -> Reason:
    return Reason(code.value, MESSAGES[code].format(**params))


def _reason_json(reason: Reason) -> dict[str, Any]:
    return {"code": reason.code, "en": reason.text.en, "zh": reason.text.zh}


def _verdict_json(verdict: OffsetVerdict) -> dict[str, Any]:
    offset = verdict.offset
    return {
        "serials": list(offset.serials),
        "registry": offset.registry,
        "vintage": offset.vintage,
        "tco2e": str(offset.tco2e),
        "retiredOn": offset.retired_on.isoformat(),
        "standard": offset.standard,
        "programme": offset.programme,
        "qualifies": verdict.qualifies,
        "reasons": [_reason_json(r) for r in verdict.reasons],
    }
