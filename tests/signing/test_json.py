"""RFC 8785 canonicalization (cyberphone vectors, properties) and the strict JSON parser."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings

import signing
from signing._json import parse_canonical
from tests.signing.support import JSON_NO_FLOATS, JSON_VALUES, VECTORS

JCS = VECTORS / "jcs-cyberphone" / "testdata"
JCS_NAMES = sorted(p.stem for p in (JCS / "input").glob("*.json"))


def test_all_six_cyberphone_vectors_are_present() -> None:
    assert JCS_NAMES == ["arrays", "french", "structures", "unicode", "values", "weird"]


@pytest.mark.parametrize("name", JCS_NAMES)
def test_cyberphone_vector_canonical_bytes(name: str) -> None:
    expected = (JCS / "output" / f"{name}.json").read_bytes()
    hex_expected = bytes.fromhex((JCS / "outhex" / f"{name}.txt").read_text().replace(" ", ""))
    value = signing.parse_json((JCS / "input" / f"{name}.json").read_bytes())
    assert signing.canonicalize(value) == expected == hex_expected


@pytest.mark.parametrize("name", JCS_NAMES)
def test_cyberphone_output_is_accepted_as_canonical(name: str) -> None:
    expected = (JCS / "output" / f"{name}.json").read_bytes()
    value = signing.parse_json((JCS / "input" / f"{name}.json").read_bytes())
    assert parse_canonical(expected, what="vector") == value


@pytest.mark.parametrize(
    ("data", "message", "path"),
    [
        (b'{"a":1,"a":2}', "duplicate key", "$.a"),
        (b'{"x":[{"k":1,"k":1}]}', "duplicate key", "$.x[0].k"),
        (b'{"a":NaN}', "NaN", "$.a"),
        (b"[1,Infinity]", "Infinity", "$[1]"),
        (b"[-Infinity]", "-Infinity", "$[0]"),
        (b"[1e400]", "number too large", "$[0]"),
        (b"[9007199254740992]", "integer outside", "$[0]"),
        (b'["\\ud800"]', "lone surrogate", "$[0]"),
        (b'{"ok":"\\udc00x"}', "lone surrogate", "$.ok"),
        (b'{"\\ud83d":1}', "lone surrogate in member name", '$["\\ud83d"]'),
        (b'{"a b":[NaN]}', "NaN", '$["a b"][0]'),
    ],
)
def test_parse_json_rejects_with_json_path(data: bytes, message: str, path: str) -> None:
    with pytest.raises(signing.JSONError, match=message) as info:
        signing.parse_json(data)
    assert info.value.path == path
    assert path in str(info.value)


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        (b'{"a":1} x', 8),
        (b'{"a":1}{}', 7),
        (b'{"\xc3\xa9":1}x', 8),  # the offset counts bytes (8), not characters (7)
        (b'["ok", "\xff"]', 8),
        (b'["\xed\xa0\x80"]', 2),  # a UTF-8-encoded surrogate is invalid UTF-8
        (b"\xef\xbb\xbf{}", 0),  # a byte order mark is not JSON
        (b'{"a":1,}', 7),
        (b"", 0),
    ],
)
def test_parse_json_rejects_with_byte_offset(data: bytes, offset: int) -> None:
    with pytest.raises(signing.JSONError) as info:
        signing.parse_json(data)
    assert info.value.offset == offset
    assert f"byte {offset}" in str(info.value)


def test_parse_json_accepts_escaped_surrogate_pairs_and_edge_integers() -> None:
    assert signing.parse_json(b'["\\ud83d\\ude00", 9007199254740991, -9007199254740991]') == [
        "\U0001f600",
        2**53 - 1,
        -(2**53) + 1,
    ]


def test_parse_json_refuses_text() -> None:
    with pytest.raises(TypeError):
        signing.parse_json('{"a": 1}')  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), 2**53, [2.0**53], {1: "key"}, "\ud800", {"set": {1}}],
    ids=["nan", "inf", "big-int", "big-integral-float", "int-key", "surrogate", "set"],
)
def test_canonicalize_refuses_what_jcs_cannot_write(value: Any) -> None:
    with pytest.raises(signing.CanonicalizationError):
        signing.canonicalize(value)


@settings(max_examples=150, deadline=None)
@given(JSON_VALUES)
def test_canonicalization_is_idempotent(value: Any) -> None:
    once = signing.canonicalize(value)
    assert signing.canonicalize(signing.parse_json(once)) == once


@settings(max_examples=150, deadline=None)
@given(JSON_VALUES)
def test_parse_canonical_accepts_exactly_the_canonical_form(value: Any) -> None:
    canonical = signing.canonicalize(value)
    assert signing.canonicalize(parse_canonical(canonical, what="p")) == canonical
    pretty = json.dumps(value, indent=1, ensure_ascii=True).encode()
    if pretty != canonical:
        with pytest.raises(signing.VerificationError):
            parse_canonical(pretty, what="p")


@settings(max_examples=150, deadline=None)
@given(JSON_NO_FLOATS)
def test_fast_path_agrees_with_reference_on_float_free_json(value: Any) -> None:
    canonical = signing.canonicalize(value)
    assert parse_canonical(canonical, what="p") == signing.parse_json(canonical)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b'{"b":1,"a":2}', signing.NonCanonicalError),  # member order
        (b'{"a": 1}', signing.NonCanonicalError),  # whitespace
        (b'{"a":1.0}', signing.NonCanonicalError),  # number form (1.0 is written 1)
        (b'{"a":1e-07}', signing.NonCanonicalError),  # Python's float repr, not JCS's 1e-7
        (b'{"a":"\\u0041"}', signing.NonCanonicalError),  # needless escape
        (b'{"a":1,"a":1}', signing.JSONError),  # duplicate keys never pass as canonical
        (b'{"a":NaN}', signing.JSONError),
        (b'{"a":12345678901234567890}', signing.JSONError),
        (b'{"\\ud800":1}', signing.JSONError),
        (b'{"a":1}\n', signing.NonCanonicalError),
    ],
)
def test_parse_canonical_rejects(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_canonical(data, what="payload")


def test_parse_canonical_orders_astral_members_by_utf16() -> None:
    # U+1F600 sorts before U+FB33 in UTF-16 (surrogate 0xD83D < 0xFB33), after it by code point.
    canonical = signing.canonicalize({"\ufb33": 1, "\U0001f600": 2})
    assert canonical == '{"\U0001f600":2,"\ufb33":1}'.encode()
    assert parse_canonical(canonical, what="p") == {"\ufb33": 1, "\U0001f600": 2}
    with pytest.raises(signing.NonCanonicalError):
        parse_canonical('{"\ufb33":1,"\U0001f600":2}'.encode(), what="p")
