"""Strict JSON parsing with located errors, and RFC 8785 (JCS) canonicalization."""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

import rfc8785

from signing._errors import CanonicalizationError, JSONError, NonCanonicalError

_MAX_SAFE_INT = 2**53 - 1
_IDENTIFIER = re.compile(r"[A-Za-z_@$][A-Za-z0-9_]*")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# A lone surrogate can only come from a \uD8xx-\uDFxx escape: the bytes were valid UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class _ProblemError(Exception):
    """Raised inside the decoder's hooks; the located JSONError is raised after a second pass."""


class _Bad:
    """Marker left in the tree by the diagnostic pass where a problem was found."""

    def __init__(self, message: str, key: str | None = None) -> None:
        self.message = message
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _ProblemError
    return result


def _bad_int(text: str) -> bool:
    # Beyond 2**53 an integer is no exact IEEE double: JCS cannot write it (RFC 8785 3.2.2.3).
    return len(text) > 15 and (len(text) > 17 or abs(int(text)) > _MAX_SAFE_INT)


def _checked_int(text: str) -> int:
    if _bad_int(text):
        raise _ProblemError
    return int(text)


def _checked_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _ProblemError
    return value


def _no_float(text: str) -> float:
    raise _ProblemError  # floats take the reference canonicalizer: Python's repr differs from JCS


def _reject_constant(text: str) -> Any:
    raise _ProblemError


_STRICT = json.JSONDecoder(
    object_pairs_hook=_unique_pairs,
    parse_float=_checked_float,
    parse_int=_checked_int,
    parse_constant=_reject_constant,
)
# Two fast decoders: integer checks cost a Python call per number, so they run only when the
# bytes hold a run of 16 or more digits (anywhere, even inside a string).
_FAST = json.JSONDecoder(parse_float=_no_float, parse_constant=_reject_constant)
_FAST_CHECKED = json.JSONDecoder(
    parse_float=_no_float, parse_int=_checked_int, parse_constant=_reject_constant
)
_DIGITS = bytes.maketrans(b"0123456789", b"9999999999")
_LONG_NUMBER = b"9" * 16
# Parsed JSON has no cycles, so the encoder's per-container cycle bookkeeping is skipped.
_ENCODER = json.JSONEncoder(
    check_circular=False, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
)


def _diag_pairs(pairs: list[tuple[str, Any]]) -> Any:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return _Bad(f"duplicate key {json.dumps(key)}", key)
        seen.add(key)
    return dict(pairs)


def _diag_int(text: str) -> Any:
    return _Bad("integer outside the exact range ±(2**53-1)") if _bad_int(text) else int(text)


def _diag_float(text: str) -> Any:
    value = float(text)
    return _Bad("number too large") if math.isinf(value) else value


_DIAGNOSTIC = json.JSONDecoder(
    object_pairs_hook=_diag_pairs,
    parse_float=_diag_float,
    parse_int=_diag_int,
    parse_constant=lambda text: _Bad(f"{text} is not allowed"),
)


def json_path(path: str, key: str | int) -> str:
    """Extend a JSON path (`$`, `$.a[0]`) by one member name or array index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENTIFIER.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _find_problem(value: Any, path: str) -> tuple[str, str] | None:
    """Return (path, message) of the first marker or lone surrogate in document order."""
    if isinstance(value, _Bad):
        return (path if value.key is None else json_path(path, value.key)), value.message
    if isinstance(value, str):
        return (path, "lone surrogate in string") if _LONE_SURROGATE.search(value) else None
    children: Any = ()
    if isinstance(value, dict):
        children = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    for key, child in children:
        child_path = json_path(path, key)
        if isinstance(key, str) and _LONE_SURROGATE.search(key):
            return child_path, "lone surrogate in member name"
        found = _find_problem(child, child_path)
        if found:
            return found
    return None


def _syntax_error(text: str, exc: json.JSONDecodeError) -> JSONError:
    return JSONError(exc.msg, offset=len(text[: exc.pos].encode("utf-8")))


def _raise_located(text: str) -> NoReturn:
    try:
        found = _find_problem(_DIAGNOSTIC.decode(text), "$")
    except json.JSONDecodeError as exc:
        raise _syntax_error(text, exc) from None
    if found is None:  # pragma: no cover - the strict pass found a problem, so must this one
        raise JSONError("invalid JSON")
    raise JSONError(found[1], path=found[0])


def parse_json(data: bytes) -> Any:
    """Parse JSON strictly: the value, or JSONError saying what failed and where.

    Rejects invalid UTF-8 (byte offset), syntax errors and trailing data (byte offset),
    duplicate member names, NaN/Infinity, numbers beyond IEEE double range, integers beyond
    ±(2**53-1), and lone surrogates, raw or escaped like "\\ud800" (JSON path).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_json expects bytes")
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JSONError("invalid UTF-8", offset=exc.start) from None
    try:
        return _parse_text(text)
    except RecursionError:
        raise JSONError("JSON nested too deeply") from None


def _parse_text(text: str) -> Any:
    try:
        value = _STRICT.decode(text)
    except _ProblemError:
        _raise_located(text)
    except json.JSONDecodeError as exc:
        raise _syntax_error(text, exc) from None
    if _SURROGATE_ESCAPE.search(text):
        found = _find_problem(value, "$")
        if found:
            raise JSONError(found[1], path=found[0])
    return value


def canonicalize(obj: Any) -> bytes:
    """Return the RFC 8785 (JCS) canonical UTF-8 bytes of a JSON-compatible value.

    Raises CanonicalizationError for values JCS cannot write: NaN, infinities, integers beyond
    ±(2**53-1) (also integral floats JCS would write as such digits: parse_json refuses them,
    after I-JSON), lone surrogates, non-string member names, non-JSON types.
    """
    try:
        canonical = rfc8785.dumps(obj)
    except rfc8785.CanonicalizationError as exc:
        raise CanonicalizationError(str(exc)) from None
    except RecursionError:
        raise CanonicalizationError("value nested too deeply") from None
    if _LONG_NUMBER in canonical.translate(_DIGITS):
        try:
            parse_json(canonical)
        except JSONError as exc:
            raise CanonicalizationError(str(exc)) from None
    return canonical


def parse_canonical(data: bytes, *, what: str) -> Any:
    """Parse bytes that must be canonical JSON, with one parse and one serialization.

    The fast path (no floats, no characters beyond U+FFFF, where Python's sorted compact
    encoder and JCS agree byte for byte) handles normal documents; anything else, and every
    failure, goes through parse_json and the reference canonicalizer for an exact reason.
    Raises JSONError or NonCanonicalError.
    """
    try:
        text = data.decode("utf-8")
        decoder = _FAST_CHECKED if _LONG_NUMBER in data.translate(_DIGITS) else _FAST
        value = decoder.decode(text)
        if (text.isascii() or not _ASTRAL.search(text)) and _ENCODER.encode(value) == text:
            return value
    except (ValueError, _ProblemError, RecursionError):
        pass
    try:
        value = parse_json(data)
    except JSONError as exc:
        raise JSONError(f"{what}: {exc.reason}", path=exc.path, offset=exc.offset) from None
    try:
        canonical = canonicalize(value)
    except CanonicalizationError as exc:
        raise NonCanonicalError(f"{what} cannot be canonical JSON: {exc}") from None
    if canonical != data:
        at = next(
            (i for i, (a, b) in enumerate(zip(canonical, data, strict=False)) if a != b),
            min(len(canonical), len(data)),
        )
        raise NonCanonicalError(f"{what} is not RFC 8785 canonical JSON (differs at byte {at})")
    return value
