"""The 18-character unified social credit code (统一社会信用代码, GB 32100-2015) and its checks."""

from __future__ import annotations

import re

from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text

# GB 32100 uses digits and capital letters without I, O, Z, S and V (31 symbols).
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organization code, chars 9-17
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    """The 18th character (GB 32100 check) for the first 17 characters."""
    total = sum(_ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The check character of the embedded GB 11714 organization code (chars 9-16 of the USCC)."""
    total = sum(_char_value(c) * w for c, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def _char_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def complete_uscc(first16: str) -> str:
    """Append both check characters to 16 characters (used to make valid demo codes)."""
    with_org_check = first16 + org_code_check_char(first16[8:16])
    return with_org_check + uscc_check_char(with_org_check)


def validate_uscc(code: str, *, field: str = "uscc") -> str:
    """Return the normalized code (upper case, trimmed) or raise InvalidInput saying why."""
    stripped = code.strip()
    normalized = stripped.upper()
    if len(normalized) != 18:
        raise _invalid(
            field,
            Text(
                "A unified social credit code has 18 characters; got {n}.",
                "统一社会信用代码应为 18 位，实际为 {n} 位。",
            ).format(n=len(normalized)),
        )
    # ASCII before upper(): "ﬀ".upper() is "FF", so a look-alike could become a valid code.
    if not stripped.isascii() or not _SHAPE.match(normalized):
        raise _invalid(
            field,
            Text(
                "The code contains characters not allowed here (letters I, O, Z, S, V never occur; "
                "characters 3-8 are the administrative division digits).",
                "代码含有不允许的字符（不使用字母 I、O、Z、S、V；第 3-8 位为行政区划数字）。",
            ),
        )
    if org_code_check_char(normalized[8:16]) != normalized[16]:
        raise _invalid(
            field,
            Text(
                "The organization code inside the credit code (characters 9-17) fails its check.",
                "信用代码中的组织机构代码（第 9-17 位）校验失败。",
            ),
        )
    expected = uscc_check_char(normalized[:17])
    if expected != normalized[17]:
        raise _invalid(
            field,
            Text(
                "The check character is wrong: expected {expected}, got {got}.",
                "校验码错误：应为 {expected}，实际为 {got}。",
            ).format(expected=expected, got=normalized[17]),
        )
    return normalized


def _invalid(field: str, message: Text) -> InvalidInput:
    return InvalidInput(message, errors=(FieldError(field, message),))
