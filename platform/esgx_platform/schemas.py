"""Marshmallow helpers shared by every boundary: loading with bilingual, path-addressed errors."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text

# Marshmallow's built-in messages, in Chinese. Custom validators raise ValidationError([Text]).
_BUILTIN_ZH = {
    "Missing data for required field.": "缺少必填字段。",
    "Field may not be null.": "该字段不能为空。",
    "Not a valid string.": "不是有效的字符串。",
    "Not a valid integer.": "不是有效的整数。",
    "Not a valid number.": "不是有效的数字。",
    "Not a valid boolean.": "不是有效的布尔值。",
    "Not a valid email address.": "不是有效的电子邮件地址。",
    "Not a valid UUID.": "不是有效的 UUID。",
    "Not a valid date.": "不是有效的日期。",
    "Not a valid datetime.": "不是有效的日期时间。",
    "Not a valid list.": "不是有效的列表。",
    "Invalid input type.": "输入类型无效。",
    "Unknown field.": "未知字段。",
    "Shorter than minimum length {min}.": "长度小于最小值 {min}。",
    "Longer than maximum length {max}.": "长度超过最大值 {max}。",
    "Invalid type.": "类型无效。",
    "Not a valid mapping type.": "不是有效的对象（映射）类型。",
    "Invalid value.": "取值无效。",
}


# Built-in messages with values filled in (choices, bounds).
_BUILTIN_ZH_PATTERNS = (
    (re.compile(r"Must be one of: (.*)\."), "必须是以下之一：{0}。"),
    (
        re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."),
        "必须大于或等于 {0} 且小于或等于 {1}。",
    ),
    (re.compile(r"Must be greater than or equal to (\S+)\."), "必须大于或等于 {0}。"),
    (re.compile(r"Must be less than or equal to (\S+)\."), "必须小于或等于 {0}。"),
    (re.compile(r"Must be greater than (\S+)\."), "必须大于 {0}。"),
    (re.compile(r"Length must be between (\S+) and (\S+)\."), "长度必须在 {0} 到 {1} 之间。"),
    (re.compile(r"Shorter than minimum length (\S+)\."), "长度小于最小值 {0}。"),
    (re.compile(r"Longer than maximum length (\S+)\."), "长度超过最大值 {0}。"),
)


def load(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate `data` with `schema`; raise InvalidInput listing every error with its path."""
    try:
        result: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        errors = tuple(_field_errors(exc.messages, "$"))
        raise InvalidInput(
            Text("The input has {n} error(s).", "输入有 {n} 处错误。").format(n=len(errors)),
            errors=errors,
        ) from None
    return result


def _field_errors(messages: Any, path: str) -> Iterator[FieldError]:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            step = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"
            yield from _field_errors(value, step)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, Mapping | list | tuple):
                yield from _field_errors(item, path)
            else:
                yield FieldError(path, as_text(item))
    else:
        yield FieldError(path, as_text(messages))


def as_text(message: object) -> Text:
    """A bilingual message from a Text or one of marshmallow's English messages."""
    if isinstance(message, Text):
        return message
    english = str(message)
    if english in _BUILTIN_ZH:
        return Text(english, _BUILTIN_ZH[english])
    for pattern, chinese in _BUILTIN_ZH_PATTERNS:
        match = pattern.fullmatch(english)
        if match:
            return Text(english, chinese.format(*match.groups()))
    return Text(english, english)


def invalid(message: Text, *, field: str | None = None) -> ValidationError:
    """A marshmallow ValidationError with a bilingual message; `field` for schema validators."""
    if field is None:
        return ValidationError([message])
    return ValidationError({field: [message]})
