"""Strict marshmallow fields for credential subjects, every message in English and Chinese.

Marshmallow's own number, boolean, date and UUID fields coerce (`1` is `True`, `1.0` is an
integer, floats become decimals) and some of their messages have no Chinese; the wire format is
stricter than that, so these fields accept exactly the JSON type and shape the spec names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar
from uuid import UUID

from marshmallow import ValidationError, fields

from esgx_platform.errors import InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.organizations.uscc import validate_uscc
from esgx_platform.periods.quarters import Quarter
from esgx_platform.schemas import invalid

E = TypeVar("E", bound=StrEnum)

# PACT's decimal string (`^-?\d+(\.\d+)?$`) restricted to ASCII digits and bounded in size, so
# no exponent, NaN, Infinity or megabyte-long number reaches Decimal arithmetic.
_DECIMAL = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PERIOD = re.compile(r"(199[0-9]|2[0-9]{3})-Q[1-4]")
_ORG_URN = "urn:esgx:org:"

NUMBER_NOT_STRING = Text(
    'Quantities are decimal strings such as "812.40"; JSON numbers are not accepted.',
    '数量须写成十进制字符串，例如 "812.40"；不接受 JSON 数字。',
)
NOT_DECIMAL = Text(
    'Not a decimal string: use digits with an optional "-" and decimal point, e.g. "812.40".',
    '不是有效的十进制字符串：只能包含数字、可选的 "-" 和小数点，例如 "812.40"。',
)
NEGATIVE = Text("Must not be negative.", "不能为负数。")
AT_LEAST = Text("Must be at least {bound}.", "不能小于 {bound}。")
AT_MOST = Text("Must be at most {bound}.", "不能大于 {bound}。")
ABOVE = Text("Must be greater than {bound}.", "必须大于 {bound}。")
ONE_OF = Text("Must be one of: {choices}.", "必须是以下值之一：{choices}。")
NOT_INTEGER = Text("Not a whole number (a JSON integer).", "不是整数（须为 JSON 整数）。")
NOT_BOOLEAN = Text("Must be true or false.", "必须为 true 或 false。")
NOT_DAY = Text("Not a valid date: use YYYY-MM-DD.", "不是有效的日期：请使用 YYYY-MM-DD 格式。")
NOT_TIMESTAMP = Text(
    "Not a valid timestamp: use ISO 8601 with a time zone, e.g. 2025-10-12T08:30:00Z.",
    "不是有效的时间戳：请使用带时区的 ISO 8601 格式，例如 2025-10-12T08:30:00Z。",
)
NOT_UUID = Text(
    "Not a UUID (8-4-4-4-12 hexadecimal digits).", "不是有效的 UUID（8-4-4-4-12 位十六进制）。"
)
NOT_PERIOD = Text(
    "Not a quarter: use YYYY-Qn, e.g. 2025-Q3.",
    "不是有效的季度：请使用 YYYY-Qn 格式，例如 2025-Q3。",
)
TOO_SHORT = Text("Must have at least {n} character(s).", "至少需要 {n} 个字符。")
TOO_LONG = Text("Must have at most {n} characters.", "最多 {n} 个字符。")
TOO_FEW = Text("Needs at least {n} item(s).", "至少需要 {n} 项。")
TOO_MANY = Text("Has more than {n} items.", "不能超过 {n} 项。")
DUPLICATE = Text("Repeats an earlier item of this list.", "与列表中前面的项重复。")
NOT_ORG_URN = Text(
    "Not an organization URN: use urn:esgx:org: followed by a unified social credit code or "
    "the platform's organization id.",
    "不是有效的组织 URN：请使用 urn:esgx:org: 加统一社会信用代码或平台组织编号。",
)


class Quantity(fields.Field[Decimal]):
    """A decimal string parsed to Decimal; JSON numbers are refused so no float ever enters."""

    def __init__(
        self,
        *,
        minimum: Decimal | int | None = 0,
        maximum: Decimal | int | None = None,
        positive: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.minimum = None if minimum is None else Decimal(minimum)
        self.maximum = None if maximum is None else Decimal(maximum)
        self.positive = positive

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Decimal:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise invalid(NUMBER_NOT_STRING)
        if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
            raise invalid(NOT_DECIMAL)
        number = Decimal(value)
        if number.is_zero():
            number = abs(number)  # "-0.00" is zero, not a negative emission
        if self.positive and number <= 0:
            raise invalid(ABOVE.format(bound=0))
        if self.minimum is not None and number < self.minimum:
            raise invalid(NEGATIVE if self.minimum == 0 else AT_LEAST.format(bound=self.minimum))
        if self.maximum is not None and number > self.maximum:
            raise invalid(AT_MOST.format(bound=self.maximum))
        return number


class WholeNumber(fields.Field[int]):
    """A JSON integer (not a boolean, not 1.0, not "1") within bounds."""

    def __init__(self, *, minimum: int, maximum: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum
        self.maximum = maximum

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(NOT_INTEGER)
        if value < self.minimum:
            raise invalid(AT_LEAST.format(bound=self.minimum))
        if value > self.maximum:
            raise invalid(AT_MOST.format(bound=self.maximum))
        return value


class Choice(fields.Field[E], Generic[E]):
    """One of a StrEnum's values, exactly as spelled on the wire."""

    def __init__(self, enum: type[E], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.enum = enum

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> E:
        if isinstance(value, str):
            for member in self.enum:
                if member.value == value:
                    return member
        choices = ", ".join(member.value for member in self.enum)
        raise invalid(ONE_OF.format(choices=choices))


class StrictBool(fields.Field[bool]):
    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if not isinstance(value, bool):
            raise invalid(NOT_BOOLEAN)
        return value


class Day(fields.Field[date]):
    """An ISO 8601 calendar date, YYYY-MM-DD only."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> date:
        if not isinstance(value, str) or not _DAY.fullmatch(value):
            raise invalid(NOT_DAY)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise invalid(NOT_DAY) from None


class Timestamp(fields.Field[datetime]):
    """An RFC 3339 date-time with an explicit offset (PACT's `date-time`)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> datetime:
        if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
            raise invalid(NOT_TIMESTAMP)
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise invalid(NOT_TIMESTAMP) from None


class Uuid(fields.Field[UUID]):
    """A UUID in its canonical hyphenated spelling (braces, `urn:uuid:` and bare hex refused)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> UUID:
        if not isinstance(value, str) or not _UUID.fullmatch(value):
            raise invalid(NOT_UUID)
        return UUID(value)


class Period(fields.Field[Quarter]):
    """A calendar quarter `YYYY-Qn` (years 1990-2999, ASCII digits only)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Quarter:
        if not isinstance(value, str) or not _PERIOD.fullmatch(value):
            raise invalid(NOT_PERIOD)
        return Quarter.parse(value)


class Label(fields.String):
    """A string with bounded length and, optionally, a required shape (regex, message)."""

    def __init__(
        self,
        *,
        min_length: int = 1,
        max_length: int = 200,
        shape: tuple[str, Text] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.min_length = min_length
        self.max_length = max_length
        self.shape = None if shape is None else (re.compile(shape[0]), shape[1])

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) < self.min_length:
            raise invalid(TOO_SHORT.format(n=self.min_length))
        if len(text) > self.max_length:
            raise invalid(TOO_LONG.format(n=self.max_length))
        if self.shape is not None and not self.shape[0].fullmatch(text):
            raise invalid(self.shape[1])
        return text


class OrgUrn(fields.Field[str]):
    """`urn:esgx:org:<USCC>` (check characters verified) or `urn:esgx:org:<uuid>`, canonical."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        if not isinstance(value, str) or not value.startswith(_ORG_URN) or len(value) > 80:
            raise invalid(NOT_ORG_URN)
        ident = value[len(_ORG_URN) :]
        if _UUID.fullmatch(ident):
            return _ORG_URN + str(UUID(ident))
        if len(ident) != 18 or ident != ident.strip():
            raise invalid(NOT_ORG_URN)
        try:
            return _ORG_URN + validate_uscc(ident)
        except InvalidInput as exc:
            raise invalid(exc.detail) from None


class Items(fields.List[Any]):
    """A JSON array with a bounded number of items and, optionally, no repeated items."""

    def __init__(
        self,
        inner: fields.Field[Any],
        *,
        min_items: int = 0,
        max_items: int = 1000,
        unique: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(inner, **kwargs)
        self.min_items = min_items
        self.max_items = max_items
        self.unique = unique

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> list[Any]:
        # Count before parsing the items, so an oversized array costs nothing.
        if isinstance(value, list | tuple):
            if len(value) < self.min_items:
                raise invalid(TOO_FEW.format(n=self.min_items))
            if len(value) > self.max_items:
                raise invalid(TOO_MANY.format(n=self.max_items))
        items: list[Any] = super()._deserialize(value, attr, data, **kwargs)
        if self.unique:
            _refuse_repeats(items)
        return items


def _refuse_repeats(items: list[Any]) -> None:
    seen: set[Any] = set()
    for index, item in enumerate(items):
        if item in seen:
            raise ValidationError({index: [DUPLICATE]})
        seen.add(item)
