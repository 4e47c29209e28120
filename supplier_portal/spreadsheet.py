"""The disclosure as a spreadsheet: a template to download (XLSX or CSV, one row per field) and
an upload that fills the same draft as the form. Rows are `field | value | description`; the
field is the form's field name (its JSON path), so the form, the API's schema and the rules
judge an uploaded sheet exactly as they judge the form.

Product footprints (the form's step 12) are left out: some twenty members per footprint, with
timestamps and lists of URNs, read badly as rows of a sheet. Linking footprints already on file
to a customer (`allocations[i].productFootprintIds`) is in it. The XLSX says so on its
instructions sheet, the CSV in its last rows.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook

from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.exports import safe_cell
from esgx_platform.ghg import SCOPE3_CATEGORIES
from esgx_platform.i18n import Text
from supplier_portal.form import NAME
from supplier_portal.form_rows import row_count

UNREADABLE = Text("This is not a readable XLSX file.", "这不是可读取的 XLSX 文件。")
MAX_ROWS = 2000
MAX_UNPACKED = 20 * 1024 * 1024  # an XLSX is a zip: refuse one that inflates beyond this
MAX_RATIO = 100  # a saved XLSX inflates some 3-15 times; a zip bomb, hundreds of times
MAX_PART = 2 * 1024 * 1024  # a part read whole (not a worksheet, which is streamed)
HEADER = ("field", "value", "description / 说明")
_SCALARS: tuple[tuple[str, str], ...] = (
    (
        "boundary",
        "组织边界 / Organizational boundary (operationalControl, financialControl, equityShare)",
    ),
    ("gwpSet", "GWP 取值 / GWP values (AR5, AR6)"),
    ("scope1.tco2e", "范围一 tCO2e / Scope 1 tCO2e"),
    ("scope2.locationBasedTco2e", "范围二（基于位置）tCO2e / Scope 2 location-based tCO2e"),
    ("scope2.marketBasedTco2e", "范围二（基于市场）tCO2e / Scope 2 market-based tCO2e"),
    ("energy.electricityMwh", "用电量 MWh / Electricity MWh"),
    ("energy.totalEnergyMwh", "综合能源消费量 MWh / Total energy MWh"),
    ("energy.renewableElectricityMwh", "可再生电力 MWh / Renewable electricity MWh"),
    (
        "energy.renewableInstruments[0].type",
        "凭证 1 / Instrument 1 (GEC, I-REC, PPA, onsite, other)",
    ),
    ("energy.renewableInstruments[0].mwh", "凭证 1 数量 MWh / Instrument 1 MWh"),
    (
        "energy.renewableInstruments[0].certificateIds",
        "凭证 1 证书编号 / Instrument 1 certificate ids",
    ),
    (
        "energy.renewableInstruments[1].type",
        "凭证 2 / Instrument 2 (GEC, I-REC, PPA, onsite, other)",
    ),
    ("energy.renewableInstruments[1].mwh", "凭证 2 数量 MWh / Instrument 2 MWh"),
    (
        "energy.renewableInstruments[1].certificateIds",
        "凭证 2 证书编号 / Instrument 2 certificate ids",
    ),
    ("activity.revenue.amount", "营业收入 / Revenue"),
    ("activity.revenue.currency", "币种 / Currency (ISO 4217)"),
    ("activity.output.amount", "产量 / Production output"),
    ("activity.output.unit", "单位 / Unit (piece, kilogram, ...)"),
    ("targets[0].scope", "目标范围 / Target scope (1+2, 1+2+3, 1, 2, 3)"),
    ("targets[0].type", "目标类型 / Target type (absolute, intensity)"),
    ("targets[0].baseYear", "基准年 / Base year"),
    ("targets[0].baseTco2e", "基准年排放量 tCO2e / Base-year tCO2e"),
    ("targets[0].targetYear", "目标年 / Target year"),
    ("targets[0].reductionPercent", "减排幅度 % / Reduction %"),
    ("targets[0].status", "状态 / Status (none, committed, validated, netZero)"),
    ("offsets[0].programme", "抵消项目类型 / Offset programme (CCER, VCS, GS, CDM, other)"),
    ("offsets[0].serials", "序列号或号段 / Serials or ranges"),
    ("offsets[0].vintage", "签发年份 / Vintage"),
    ("offsets[0].tco2e", "注销量 tCO2e / Retired tCO2e"),
    ("offsets[0].retiredOn", "注销日期 / Retired on (YYYY-MM-DD)"),
    ("dataQuality.primaryDataShare", "一手数据占比 % / Primary data share %"),
    ("dataQuality.technologicalDQR", "技术代表性 1-5 / Technological DQR 1-5"),
    ("dataQuality.geographicalDQR", "地理代表性 1-5 / Geographical DQR 1-5"),
    ("dataQuality.temporalDQR", "时间代表性 1-5 / Temporal DQR 1-5"),
    ("verification.level", "核查 / Verification (none, limited, reasonable)"),
    ("verification.provider", "核查机构 / Verifier"),
    ("verification.standard", "标准 / Standard"),
    ("verification.statementDate", "声明日期 / Statement date (YYYY-MM-DD)"),
)
_ALLOCATION = (
    ("customer", "客户 / Customer (URN)"),
    ("customerScope3Category", "客户的范围三类别 / Their Scope 3 category (1-8)"),
    ("basis", "分摊依据 / Basis (economic, physical)"),
    ("customerQuantity", "客户数量 / Customer quantity"),
    ("totalQuantity", "总量 / Total quantity"),
    ("allocatedTco2e", "分摊排放量 tCO2e / Allocated tCO2e"),
    ("productFootprintIds", "产品碳足迹 ID（逗号分隔）/ Product footprint ids (comma-separated)"),
)
_BY_GAS_UNIT = (
    "scope1.byGasUnit",
    "分气体数据单位 / By-gas unit (co2e: tonnes CO2e; tgas: tonnes of the gas)",
)
_GAS = (
    ("gas", "气体 {n} / Gas {n} (CO2, CH4, N2O, SF6, NF3, HFC-134a, ...)"),
    ("amount", "气体 {n} 数量 t / Gas {n} amount, tonnes"),
)
_INITIATIVE = (
    ("description", "减排举措 {n} / Initiative {n}"),
    ("expectedTco2ePerYear", "举措 {n} 预计年减排 tCO2e / Initiative {n} expected tCO2e per year"),
    ("status", "举措 {n} 状态 / Initiative {n} status (planned, inProgress, completed)"),
)
_ENGAGEMENT = (
    (
        "supplyChainEngagement.reportingShareBySpend",
        "报告排放的供应商（按采购额）% / Suppliers reporting emissions, % of spend",
    ),
    (
        "supplyChainEngagement.targetsShareBySpend",
        "设定减排目标的供应商（按采购额）% / Suppliers with targets, % of spend",
    ),
    (
        "supplyChainEngagement.greenFactory",
        "绿色工厂 / Green factory (none, municipal, provincial, national)",
    ),
    ("supplyChainEngagement.takeBack", "产品回收计划 / Take-back programme (是/否, yes/no)"),
)
# Rows shown at least, beyond those the draft fills (a person may add more: same names, the
# next number).
_SHEET_ROWS = {"scope1.byGas": 6, "initiatives": 3}
INSTRUCTIONS = (
    "在 value 列填写数值后上传；field 列是字段名，请勿修改。空白的值会被忽略。",
    "Fill in the value column and upload the file; the field column names each field, keep it "
    "as it is. Blank values are left out.",
    "需要更多行时：复制一行并把编号加一，例如 initiatives[3].description。",
    "More rows: copy a row and raise its number, e.g. initiatives[3].description.",
    "数字不带单位；百分比填写 0 到 100 之间的数。",
    "Numbers without units; percentages as numbers from 0 to 100.",
    "产品碳足迹（表单第 12 步）不在此表中：请在网页表单中填写，或通过 API 提交。"
    "已提交的碳足迹可在 allocations[i].productFootprintIds 中关联到客户。",
    "Product footprints (step 12 of the form) are not in this sheet: fill them in on the web "
    "form, or file them through the API. Footprints already on file can be linked to a "
    "customer here, in allocations[i].productFootprintIds.",
)


def template_rows(values: Mapping[str, str], customers: int) -> list[tuple[str, str, str]]:
    """Every field with its current value (from the draft) and a bilingual description."""
    rows = [(name, values.get(name, ""), text) for name, text in _SCALARS]
    for category, label in SCOPE3_CATEGORIES.items():
        rows.append(
            (
                f"scope3[{category}].tco2e",
                values.get(f"scope3[{category}].tco2e", ""),
                f"范围三第 {category} 类 {label.zh} tCO2e / Category {category} {label.en}",
            )
        )
        rows.append(
            (
                f"scope3[{category}].method",
                values.get(f"scope3[{category}].method", ""),
                "supplierSpecific, hybrid, averageData, spendBased",
            )
        )
    for index in range(customers):
        for member, text in _ALLOCATION:
            name = f"allocations[{index}].{member}"
            rows.append((name, values.get(name, ""), text))
    rows.append((_BY_GAS_UNIT[0], values.get(_BY_GAS_UNIT[0], ""), _BY_GAS_UNIT[1]))
    rows += _repeated(values, "scope1.byGas", _GAS)
    rows += _repeated(values, "initiatives", _INITIATIVE)
    rows += [(name, values.get(name, ""), text) for name, text in _ENGAGEMENT]
    return rows


def _repeated(
    values: Mapping[str, str], rows: str, members: tuple[tuple[str, str], ...]
) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for index in range(max(_SHEET_ROWS[rows], row_count(values, rows))):
        for member, text in members:
            name = f"{rows}[{index}].{member}"
            out.append((name, values.get(name, ""), text.format(n=index + 1)))
    return out


def to_xlsx(rows: Iterable[tuple[str, str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "disclosure"
    sheet.append(HEADER)
    for row in rows:
        sheet.append([safe_cell(str(cell)) for cell in row])
    sheet.column_dimensions["A"].width = 38
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["C"].width = 70
    # Second, so that an upload reads the first sheet as ever.
    notes = book.create_sheet("说明 Instructions")
    for line in INSTRUCTIONS:
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(rows: Iterable[tuple[str, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows([safe_cell(str(cell)) for cell in row] for row in rows)
    # Notes last, in rows whose field is "#": an upload skips them (not a field name).
    writer.writerows(["#", "", line] for line in INSTRUCTIONS)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8


def _bad(message: Text) -> InvalidInput:
    return InvalidInput(message, errors=(FieldError("file", message),))


def read_upload(filename: str, data: bytes) -> dict[str, str]:
    """Field values from an uploaded XLSX or CSV; InvalidInput saying what is wrong."""
    if filename.lower().endswith(".xlsx"):
        pairs = _xlsx_pairs(data)
    elif filename.lower().endswith(".csv"):
        pairs = _csv_pairs(data)
    else:
        raise _bad(Text("Upload the XLSX or CSV template.", "请上传 XLSX 或 CSV 模板。"))
    values: dict[str, str] = {}
    for number, (name, value) in enumerate(pairs, start=2):
        if number > MAX_ROWS:
            raise _bad(
                Text("The file has more than {n} rows.", "文件超过 {n} 行。").format(n=MAX_ROWS)
            )
        # A row we did not write (a note, the header) is not a field.
        if name and name != HEADER[0] and NAME.fullmatch(name.strip()):
            values[name.strip()] = value.strip().removeprefix("'")
    return values


def _xlsx_pairs(data: bytes) -> list[tuple[str, str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _refuse_bombs(archive.infolist())
    except zipfile.BadZipFile:
        raise _bad(UNREADABLE) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        pairs = [
            (_text(row[0]), _text(row[1]) if len(row) > 1 else "")
            for row in sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=2)
        ]
        book.close()
    except Exception:
        raise _bad(UNREADABLE) from None
    return pairs


def _refuse_bombs(items: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from the sizes its directory declares, before anything inflates
    (zipfile never inflates a member beyond its declared size). Worksheets are read as a
    stream and only to MAX_ROWS; other parts (shared strings, styles) are parsed whole,
    about half a second a megabyte of tiny entries, hence MAX_PART."""
    unpacked = sum(item.file_size for item in items)
    if unpacked > MAX_UNPACKED:
        raise _bad(Text("The file unpacks to more than 20 MB.", "文件解压后超过 20 MB。"))
    if unpacked > MAX_RATIO * max(1, sum(item.compress_size for item in items)):
        raise _bad(
            Text(
                "The file inflates more than {n} times when unpacked: not a saved spreadsheet.",
                "文件解压后膨胀超过 {n} 倍：不是正常保存的表格文件。",
            ).format(n=MAX_RATIO)
        )
    for item in items:
        if item.file_size > MAX_PART and not item.filename.startswith("xl/worksheets/"):
            raise _bad(
                Text(
                    "A part of the file ({p}) unpacks to more than 2 MB.",
                    "文件的一部分（{p}）解压后超过 2 MB。",
                ).format(p=item.filename[:80])
            )


def _csv_pairs(data: bytes) -> list[tuple[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad(Text("Save the CSV as UTF-8.", "请将 CSV 保存为 UTF-8 编码。")) from None
    try:
        return [
            (row[0], row[1] if len(row) > 1 else "") for row in csv.reader(io.StringIO(text)) if row
        ]
    except csv.Error:
        raise _bad(Text("This is not a readable CSV file.", "这不是可读取的 CSV 文件。")) from None


def _text(cell: Any) -> str:
    """A cell as the person meant it: dates as YYYY-MM-DD, percentages as percent numbers."""
    value = getattr(cell, "value", cell)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and "%" in str(getattr(cell, "number_format", "")):
        value = value * 100
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(round(value, 10))
    return str(value)
