"""Offset credit serials, single (`VCS-1234-5678`) or ranges (`CCER-2024-XX-000101..000200`).

Registries issue credits in blocks and suppliers retire parts of blocks, so "the same serial used
twice" really means "two serial ranges share a number": a serial is a prefix plus a number, and
`A-000150` overlaps `A-000101..000200`. Leading zeros are not significant (the same credit written
with another padding is still the same credit); a serial without trailing digits only overlaps
itself.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from esgx_platform.i18n import Text

_SERIAL = re.compile(r"(?P<prefix>.*?)(?P<first>[0-9]+)(?:\.\.(?P<last>[0-9]+))?")
MAX_SERIAL_LENGTH = 200
# A range wider than this is a typo, not a retirement (a million tonnes in one line).
MAX_RANGE_SIZE = 10**9

BAD_SERIAL = Text(
    "Not a usable serial: give one serial, or a range PREFIX-FIRST..LAST whose last number is "
    "not below the first (at most {n} characters).",
    "不是有效的序列号：请填写单个序列号，或 前缀-起始..结束 形式的区间，结束号不得小于起始号"
    "（最多 {n} 个字符）。",
).format(n=MAX_SERIAL_LENGTH)


@dataclass(frozen=True, order=True)
class SerialRange:
    prefix: str
    first: int
    last: int

    @classmethod
    def parse(cls, text: str) -> SerialRange:
        """Parse a serial or serial range; raises ValueError when it is malformed."""
        if not text or len(text) > MAX_SERIAL_LENGTH or text != text.strip():
            raise ValueError(text)
        match = _SERIAL.fullmatch(text)
        if match is None:
            if ".." in text:
                raise ValueError(text)
            return cls(text, 0, 0)
        first = int(match.group("first"))
        last = int(match.group("last") or match.group("first"))
        if last < first or last - first >= MAX_RANGE_SIZE or ".." in match.group("prefix"):
            raise ValueError(text)
        return cls(match.group("prefix"), first, last)

    def overlaps(self, other: SerialRange) -> bool:
        return self.prefix == other.prefix and self.first <= other.last and other.first <= self.last


def overlapping(ranges: Iterable[SerialRange], others: Iterable[SerialRange]) -> set[SerialRange]:
    """The members of `ranges` that share at least one credit with a member of `others`.

    The others are merged into disjoint sorted blocks per prefix and searched by bisection, so a
    caller may pass every used serial under a registry prefix without a quadratic blow-up.
    """
    blocks = _merged(others)
    hits: set[SerialRange] = set()
    for candidate in ranges:
        firsts, group = blocks.get(candidate.prefix, ([], []))
        # Only the block starting at or before the candidate's first number and the next one
        # can overlap it: the blocks are disjoint and sorted.
        index = bisect_right(firsts, candidate.first)
        if any(candidate.overlaps(block) for block in group[max(index - 1, 0) : index + 1]):
            hits.add(candidate)
    return hits


def repeated(ranges: Sequence[SerialRange]) -> set[int]:
    """Indices of ranges sharing a credit with another range of the same list (the later one)."""
    order = sorted(range(len(ranges)), key=lambda i: (ranges[i].prefix, ranges[i].first, i))
    hits: set[int] = set()
    holder: int | None = None  # the range reaching furthest so far within the current prefix
    for index in order:
        item = ranges[index]
        if holder is not None and ranges[holder].prefix == item.prefix:
            if item.first <= ranges[holder].last:
                hits.add(max(index, holder))
            if item.last > ranges[holder].last:
                holder = index
        else:
            holder = index
    return hits


def _merged(ranges: Iterable[SerialRange]) -> dict[str, tuple[list[int], list[SerialRange]]]:
    """Disjoint, sorted blocks per prefix, with their first numbers for bisection."""
    blocks: dict[str, list[SerialRange]] = {}
    for item in sorted(ranges):
        group = blocks.setdefault(item.prefix, [])
        if group and item.first <= group[-1].last + 1:
            group[-1] = SerialRange(item.prefix, group[-1].first, max(group[-1].last, item.last))
        else:
            group.append(item)
    return {prefix: ([b.first for b in group], group) for prefix, group in blocks.items()}
