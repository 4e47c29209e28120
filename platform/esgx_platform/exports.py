"""Spreadsheet exports (CSV and XLSX) that are safe to open: no cell runs as a formula."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from openpyxl import Workbook

Cell = str | int | Decimal | None
# Characters XLSX cannot hold and a CSV reader should not see.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PROPERTY_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def safe_cell(value: Cell) -> Cell:
    """A spreadsheet program runs a text cell that starts like a formula (`=`, `+`, `-`, `@`):
    such text is exported with a leading apostrophe. Plain numbers stay numbers."""
    if value is None or isinstance(value, int | Decimal):
        return value
    text = CONTROL.sub("", value)
    if text[:1] in _FORMULA_START and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Cell]]]],
    *,
    stamp: datetime | None = None,
) -> bytes:
    """One workbook with a sheet per (title, header, rows). With `stamp`, the file's dates are
    that moment, so the same content always gives the same bytes (openpyxl otherwise writes the
    current time into the document properties and the zip entries)."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append([safe_cell(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue() if stamp is None else _restamped(out.getvalue(), stamp)


def _restamped(data: bytes, stamp: datetime) -> bytes:
    written = stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                body = _PROPERTY_DATE.sub(rb"\g<1>" + written.encode() + rb"\g<2>", body)
            info = zipfile.ZipInfo(item.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, body)
    return out.getvalue()
