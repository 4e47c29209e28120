"""Importing spend-factor tables: the happy path, every refusal, idempotence and conflicts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent
from esgx_platform.errors import Conflict, FieldError, InvalidInput
from esgx_platform.factors.models import SpendFactor, SpendFactorTable
from esgx_platform.factors.services import list_factor_tables, load_factor_table
from tests.platform.factors.helpers import SPEND_CSV, audit_count, spend_table

HEADER = "sector_code,name_en,name_zh,kgco2e_per_unit\n"


def _stored(session: Session) -> tuple[int | None, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(m))
        for m in (SpendFactorTable, SpendFactor, AuditEvent)
    )


def test_import_stores_table_factors_and_audit_event(session: Session) -> None:
    # A spreadsheet export: byte-order mark, Windows line endings, a comment line.
    raw = ("\ufeff# provenance: test\r\n" + SPEND_CSV.replace("\n", "\r\n")).encode()
    table = spend_table(session, rows=raw, illustrative=True)
    assert (table.name, table.version, table.currency, table.price_year) == (
        "Test factors",
        "v1",
        "USD",
        2022,
    )
    assert table.illustrative and len(table.sha256) == 64
    loaded = load_factor_table(session, table.id)
    assert loaded is not None
    assert loaded.factors == {"pcb": Decimal("0.25"), "glass": Decimal("1.05")}
    assert loaded.label == "Test factors v1" and loaded.illustrative
    names = session.scalars(select(SpendFactor.name_zh).where(SpendFactor.table_id == table.id))
    assert set(names) == {"印制电路板", "玻璃"}
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "factors.spend_table_imported")
    ).one()
    assert event.target_id == str(table.id)
    assert event.details["sectors"] == 2 and event.details["sha256"] == table.sha256
    assert [(t.table.id, t.sectors) for t in list_factor_tables(session)] == [(table.id, 2)]


def test_load_factor_table_without_or_with_unknown_id(session: Session) -> None:
    import uuid

    assert load_factor_table(session, None) is None
    assert load_factor_table(session, uuid.uuid4()) is None


def _errors(exc: pytest.ExceptionInfo[InvalidInput]) -> list[FieldError]:
    return list(exc.value.errors)


# (rows or metadata overrides, path, English message, Chinese message)
REFUSALS: list[tuple[dict[str, Any], str, str, str]] = [
    ({"rows": ""}, "file", "The file has no data rows.", "文件没有数据行。"),
    ({"rows": HEADER}, "file", "The file has no data rows.", "文件没有数据行。"),
    ({"rows": "# only a comment\n\n"}, "file", "The file has no data rows.", "文件没有数据行。"),
    ({"rows": b"\xff\xfe\x00bad"}, "file", "The file is not UTF-8 text.", "文件不是 UTF-8 文本。"),
    (
        {"rows": "sector,name_en,name_zh,factor\npcb,P,印,1\n"},
        "line 1",
        "The header must name the columns sector_code,name_en,name_zh,kgco2e_per_unit.",
        "表头必须包含以下列：sector_code,name_en,name_zh,kgco2e_per_unit。",
    ),
    (
        {"rows": HEADER + "pcb,P,印\n"},
        "line 2",
        "Expected 4 columns, found 3.",
        "应有 4 列，实际为 3 列。",
    ),
    (
        {"rows": HEADER + 'pcb,"P,印,1\n'},
        "line 2",
        "The file is not valid CSV: unexpected end of data.",
        "文件不是有效的 CSV：unexpected end of data。",
    ),
    ({"rows": HEADER + ",P,印,1\n"}, "line 2, sector_code", "Required.", "必填。"),
    (
        {"rows": HEADER + "pcb boards,P,印,1\n"},
        "line 2, sector_code",
        "Letters, digits and . _ : / - only, at most 40 characters, "
        "starting with a letter or digit.",
        "只能包含字母、数字及 . _ : / -，最多 40 个字符，且以字母或数字开头。",
    ),
    ({"rows": HEADER + "pcb,,印,1\n"}, "line 2, name_en", "Required.", "必填。"),
    (
        {"rows": HEADER + "pcb,P," + "印" * 201 + ",1\n"},
        "line 2, name_zh",
        "At most 200 characters.",
        "最多 200 个字符。",
    ),
    ({"rows": HEADER + "pcb,P,印,\n"}, "line 2, kgco2e_per_unit", "Required.", "必填。"),
    (
        {"rows": HEADER + "pcb,P,印,abc\n"},
        "line 2, kgco2e_per_unit",
        "Not a decimal number (write e.g. 0.42).",
        "不是十进制数字（例如写作 0.42）。",
    ),
    (
        {"rows": HEADER + "pcb,P,印,1e-3\n"},
        "line 2, kgco2e_per_unit",
        "Not a decimal number (write e.g. 0.42).",
        "不是十进制数字（例如写作 0.42）。",
    ),
    (
        {"rows": HEADER + 'pcb,P,印,"0,5"\n'},
        "line 2, kgco2e_per_unit",
        "Not a decimal number (write e.g. 0.42).",
        "不是十进制数字（例如写作 0.42）。",
    ),
    (
        {"rows": HEADER + "pcb,P,印,-0.1\n"},
        "line 2, kgco2e_per_unit",
        "Must not be negative.",
        "不能为负数。",
    ),
    (
        {"rows": HEADER + "pcb,P,印,0.12345678901\n"},
        "line 2, kgco2e_per_unit",
        "At most 10 decimal places and 14 digits before the point.",
        "最多 10 位小数、小数点前最多 14 位。",
    ),
    (
        {"rows": HEADER + "pcb,P,印,1\npcb,P2,印2,2\n"},
        "line 3, sector_code",
        "Duplicate of line 2.",
        "与第 2 行重复。",
    ),
    (
        {"currency": "usd"},
        "currency",
        "Use an ISO 4217 code of three capital letters, e.g. CNY.",
        "请使用三个大写字母的 ISO 4217 代码，例如 CNY。",
    ),
    (
        {"currency": "US"},
        "currency",
        "Use an ISO 4217 code of three capital letters, e.g. CNY.",
        "请使用三个大写字母的 ISO 4217 代码，例如 CNY。",
    ),
    (
        {"price_year": 1800},
        "price_year",
        "A year from 1950 to 2100.",
        "年份须在 1950 至 2100 之间。",
    ),
    ({"name": "  "}, "name", "Required.", "必填。"),
    ({"version": "v" * 41}, "version", "At most 40 characters.", "最多 40 个字符。"),
    ({"source": ""}, "source", "Required.", "必填。"),
]


@pytest.mark.parametrize(("overrides", "path", "en", "zh"), REFUSALS)
def test_each_refusal_names_its_place_in_both_languages(
    session: Session, overrides: dict[str, Any], path: str, en: str, zh: str
) -> None:
    before = _stored(session)
    with pytest.raises(InvalidInput) as exc:
        spend_table(session, **overrides)
    assert [(e.path, e.message.en, e.message.zh) for e in _errors(exc)] == [(path, en, zh)]
    assert exc.value.detail.en == "The import has 1 error(s); nothing was imported."
    assert exc.value.detail.zh == "导入有 1 处错误，未导入任何内容。"
    assert _stored(session) == before  # nothing stored, not even an audit event


def test_every_problem_is_reported_at_once_with_physical_line_numbers(session: Session) -> None:
    rows = (
        "# ILLUSTRATIVE\n"  # line 1
        "# second comment line\n"  # line 2
        + HEADER  # line 3
        + "pcb,P,印,0.5\n"  # line 4
        + "\n"  # line 5, blank
        + "glass,G,玻,x\n"  # line 6
        + "pcb,P,印,-1\n"  # line 7
    )
    with pytest.raises(InvalidInput) as exc:
        spend_table(session, rows=rows, currency="yen")
    assert [e.path for e in _errors(exc)] == [
        "currency",
        "line 6, kgco2e_per_unit",
        "line 7, kgco2e_per_unit",
        "line 7, sector_code",
    ]
    assert exc.value.detail.en == "The import has 4 error(s); nothing was imported."
    assert session.scalar(select(func.count()).select_from(SpendFactorTable)) == 0


def test_header_in_any_order_and_any_case(session: Session) -> None:
    rows = "KGCO2E_PER_UNIT, Name_ZH ,name_en,sector_code\n0.5,印,P,pcb\n"
    table = spend_table(session, rows=rows)
    loaded = load_factor_table(session, table.id)
    assert loaded is not None and loaded.factors == {"pcb": Decimal("0.5")}


def test_same_content_again_returns_the_stored_table(session: Session) -> None:
    first = spend_table(session)
    events = audit_count(session)
    # Spelt differently but the same table: row order, line endings, trailing zeros, a BOM.
    respelt = (
        "\ufeffsector_code,name_en,name_zh,kgco2e_per_unit\r\n"
        "glass,Glass,玻璃,1.0500\r\n"
        "pcb,Printed circuit boards,印制电路板,0.25\r\n"
    )
    again = spend_table(session, rows=respelt.encode())
    assert again.id == first.id
    assert audit_count(session) == events
    assert session.scalar(select(func.count()).select_from(SpendFactor)) == 2


@pytest.mark.parametrize(
    "overrides",
    [
        {"rows": SPEND_CSV.replace("0.25", "0.26")},
        {"rows": SPEND_CSV + "steel,Steel,钢,1.9\n"},
        {"currency": "EUR"},
        {"price_year": 2021},
        {"source": "Another source"},
        {"illustrative": True},
    ],
)
def test_other_content_under_the_same_version_is_refused(
    session: Session, overrides: dict[str, Any]
) -> None:
    first = spend_table(session)
    before = _stored(session)
    with pytest.raises(Conflict) as exc:
        spend_table(session, **overrides)
    assert exc.value.detail.en.startswith("Test factors v1 was imported already")
    assert exc.value.detail.zh.startswith("Test factors v1 已导入且内容不同")
    assert _stored(session) == before
    loaded = load_factor_table(session, first.id)
    assert loaded is not None and loaded.factors["pcb"] == Decimal("0.25")


def test_a_corrected_table_is_a_new_version(session: Session) -> None:
    first = spend_table(session)
    second = spend_table(session, version="v2", rows=SPEND_CSV.replace("0.25", "0.26"))
    assert second.id != first.id
    assert [(t.table.version, t.sectors) for t in list_factor_tables(session)] == [
        ("v1", 2),
        ("v2", 2),
    ]


def test_import_reads_a_binary_file(session: Session, tmp_path: Any) -> None:
    path = tmp_path / "factors.csv"
    path.write_bytes(SPEND_CSV.encode())
    with path.open("rb") as handle:
        table = spend_table(session, rows=handle)
    loaded = load_factor_table(session, table.id)
    assert loaded is not None and set(loaded.factors) == {"pcb", "glass"}
