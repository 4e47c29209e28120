"""Reading factor CSV files: every problem found at once, addressed by line and column.

The files are UTF-8 (a byte-order mark is tolerated, as spreadsheet programs write one), have a
header row, and may carry `#` comment lines (e.g. a table's provenance); numbers are plain text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, TypeVar

from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text

CsvSource = str | bytes | IO[str] | IO[bytes]
K = TypeVar("K")

_CURRENCY = re.compile(r"[A-Z]{3}")
# Plain decimal text only: no exponents, digit separators or non-ASCII digits, which
# Decimal() would accept but a reviewer of the file could misread.
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# Codes of published tables: US EPA/USEEIO ("1111A0"), EXIOBASE ("i01.a"), or slugs.
_SECTOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,39}")
MIN_YEAR, MAX_YEAR = 1950, 2100
# Numeric(24, 10): at most 14 digits before the point and 10 after.
_MAX_PLACES, _MAX_INT_DIGITS = 10, 14

NOT_UTF8 = Text("The file is not UTF-8 text.", "文件不是 UTF-8 文本。")
NO_ROWS = Text("The file has no data rows.", "文件没有数据行。")
BAD_CSV = Text("The file is not valid CSV: {e}.", "文件不是有效的 CSV：{e}。")
BAD_HEADER = Text("The header must name the columns {cols}.", "表头必须包含以下列：{cols}。")
CELL_COUNT = Text("Expected {n} columns, found {m}.", "应有 {n} 列，实际为 {m} 列。")
REQUIRED = Text("Required.", "必填。")
TOO_LONG = Text("At most {n} characters.", "最多 {n} 个字符。")
NOT_DECIMAL = Text("Not a decimal number (write e.g. 0.42).", "不是十进制数字（例如写作 0.42）。")
NEGATIVE = Text("Must not be negative.", "不能为负数。")
NOT_POSITIVE = Text("Must be greater than zero.", "必须大于零。")
TOO_PRECISE = Text(
    "At most 10 decimal places and 14 digits before the point.",
    "最多 10 位小数、小数点前最多 14 位。",
)
BAD_CURRENCY = Text(
    "Use an ISO 4217 code of three capital letters, e.g. CNY.",
    "请使用三个大写字母的 ISO 4217 代码，例如 CNY。",
)
BAD_YEAR = Text("A year from {a} to {b}.", "年份须在 {a} 至 {b} 之间。")
BAD_SECTOR = Text(
    "Letters, digits and . _ : / - only, at most 40 characters, starting with a letter or digit.",
    "只能包含字母、数字及 . _ : / -，最多 40 个字符，且以字母或数字开头。",
)
DUPLICATE = Text("Duplicate of line {line}.", "与第 {line} 行重复。")
IMPORT_ERRORS = Text(
    "The import has {n} error(s); nothing was imported.", "导入有 {n} 处错误，未导入任何内容。"
)


@dataclass(frozen=True)
class Row:
    """One data row: its physical line in the file and its cells by column name."""

    line: int
    cells: dict[str, str]

    def path(self, column: str) -> str:
        return f"line {self.line}, {column}"


class Problems:
    """Collects field errors; `raise_if_any` raises one InvalidInput listing them all."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, message: Text) -> None:
        self.errors.append(FieldError(path, message))

    def raise_if_any(self, detail: Text = IMPORT_ERRORS) -> None:
        if self.errors:
            raise InvalidInput(detail.format(n=len(self.errors)), errors=tuple(self.errors))


def read_rows(source: CsvSource, columns: Sequence[str], problems: Problems) -> list[Row]:
    """The data rows of a CSV file with exactly `columns` (in any order) in its header.

    Structural problems (encoding, header, cell counts, no rows) go to `problems`.
    """
    text = _text(source, problems)
    if text is None:
        return []
    records = _records(text, problems)
    header = next(records, None)
    if header is None:
        problems.add("file", NO_ROWS)
        return []
    names = [cell.strip().lower() for cell in header[1]]
    if sorted(names) != sorted(columns):
        problems.add(f"line {header[0]}", BAD_HEADER.format(cols=",".join(columns)))
        return []
    rows = []
    for line, cells in records:
        if len(cells) != len(names):
            problems.add(f"line {line}", CELL_COUNT.format(n=len(names), m=len(cells)))
            continue
        rows.append(Row(line, {n: c.strip() for n, c in zip(names, cells, strict=True)}))
    if not rows and not problems.errors:
        problems.add("file", NO_ROWS)
    return rows


def _text(source: CsvSource, problems: Problems) -> str | None:
    raw = source if isinstance(source, str | bytes) else source.read()
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.add("file", NOT_UTF8)
            return None
    return raw.removeprefix("\ufeff")


def _records(text: str, problems: Problems) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each non-blank, non-comment record."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.add(f"line {reader.line_num}", BAD_CSV.format(e=exc))
            return
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        yield reader.line_num, cells


def text_cell(row: Row, column: str, problems: Problems, *, max_length: int) -> str:
    value = row.cells[column]
    if not value:
        problems.add(row.path(column), REQUIRED)
    elif len(value) > max_length:
        problems.add(row.path(column), TOO_LONG.format(n=max_length))
    return value


def decimal_cell(
    row: Row, column: str, problems: Problems, *, positive: bool = False
) -> Decimal | None:
    """A non-negative (or, with `positive`, strictly positive) decimal that fits the columns."""
    message = check_decimal(row.cells[column], positive=positive)
    if message is not None:
        problems.add(row.path(column), message)
        return None
    return Decimal(row.cells[column])


def check_decimal(text: str, *, positive: bool = False) -> Text | None:
    """Why `text` is not an acceptable amount, or None."""
    if not text:
        return REQUIRED
    if not _DECIMAL.fullmatch(text):
        return NOT_DECIMAL
    value = Decimal(text)
    if value < 0:
        return NEGATIVE
    if positive and value == 0:
        return NOT_POSITIVE
    exponent = value.as_tuple().exponent
    if (isinstance(exponent, int) and exponent < -_MAX_PLACES) or (
        value != 0 and value.adjusted() >= _MAX_INT_DIGITS
    ):
        return TOO_PRECISE
    return None


def year_cell(row: Row, column: str, problems: Problems) -> int | None:
    value = row.cells[column]
    message = check_year(value)
    if message is not None:
        problems.add(row.path(column), message)
        return None
    return int(value)


def check_year(value: str | int) -> Text | None:
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        return BAD_YEAR.format(a=MIN_YEAR, b=MAX_YEAR)
    return None


def currency_cell(row: Row, column: str, problems: Problems) -> str:
    value = row.cells[column]
    if not is_currency(value):
        problems.add(row.path(column), BAD_CURRENCY)
    return value


def is_currency(value: str) -> bool:
    return _CURRENCY.fullmatch(value) is not None


def is_sector_code(value: str) -> bool:
    return _SECTOR.fullmatch(value) is not None


def unique_keys(
    rows: Sequence[Row], key: Callable[[Row], K], path: str, problems: Problems
) -> None:
    """Report every row whose key repeats an earlier row's."""
    seen: dict[K, int] = {}
    for row in rows:
        k = key(row)
        if k in seen:
            problems.add(row.path(path), DUPLICATE.format(line=seen[k]))
        else:
            seen[k] = row.line


def meta_text(problems: Problems, path: str, value: str, max_length: int) -> str:
    value = value.strip()
    if not value:
        problems.add(path, REQUIRED)
    elif len(value) > max_length:
        problems.add(path, TOO_LONG.format(n=max_length))
    return value
