"""Spreadsheet exports never hand a spreadsheet program a formula to run."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from esgx_platform.exports import csv_bytes, safe_cell, xlsx_bytes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("-12.5", "-12.5"),  # a plain number stays a number
        ("苏州华澜", "苏州华澜"),
        ("a\x00b\x1fc", "abc"),  # control characters dropped
        (Decimal("-3.25"), Decimal("-3.25")),
        (7, 7),
        (None, None),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected  # type: ignore[arg-type]


def test_csv_has_a_bom_and_escaped_cells() -> None:
    data = csv_bytes(["name", "tco2e"], [["=cmd|' /C calc'!A0", Decimal("1.5")]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["name", "tco2e"], ["'=cmd|' /C calc'!A0", "1.5"]]


def test_xlsx_sheets_keep_numbers_and_escape_text() -> None:
    data = xlsx_bytes([("summary", ["name", "tco2e"], [["@evil", Decimal("2.5")]])])
    sheet = load_workbook(io.BytesIO(data))["summary"]
    assert [c.value for c in sheet[2]] == ["'@evil", 2.5]
    assert sheet[2][1].data_type == "n"


def test_a_stamped_workbook_is_the_same_bytes_every_time() -> None:
    from datetime import UTC, datetime

    sheets = [("s", ["a"], [[Decimal(1)]])]
    moment = datetime(2025, 3, 1, tzinfo=UTC)
    first = xlsx_bytes(sheets, stamp=moment)
    assert first == xlsx_bytes(sheets, stamp=moment)
    written = load_workbook(io.BytesIO(first)).properties.modified
    assert written is not None and written.replace(tzinfo=UTC) == moment
