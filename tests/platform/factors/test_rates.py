"""Exchange rates and price indices: validated like the factor tables, replaced on re-import."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent
from esgx_platform.errors import InvalidInput
from esgx_platform.factors.models import ExchangeRate, PriceIndex
from esgx_platform.factors.services import (
    ImportSummary,
    import_exchange_rates,
    import_price_indices,
    load_conversions,
)
from tests.platform.factors.helpers import audit_count

RATES = "currency,quote_currency,year,rate\nCNY,USD,2024,0.139\nCNY,USD,2025,0.14\n"
INDICES = "currency,year,index\nUSD,2022,100\nUSD,2025,108\n"


def test_rates_import_then_upsert_with_previous_values_audited(session: Session) -> None:
    done = import_exchange_rates(session, RATES, source="Test central bank")
    assert done == ImportSummary(inserted=2, updated=0, unchanged=0)
    assert load_conversions(session).rates == {
        ("CNY", "USD", 2024): Decimal("0.139"),
        ("CNY", "USD", 2025): Decimal("0.14"),
    }
    revised = "currency,quote_currency,year,rate\nCNY,USD,2025,0.1385\nCNY,EUR,2025,0.128\n"
    done = import_exchange_rates(session, revised, source="Test central bank, revised")
    assert done == ImportSummary(inserted=1, updated=1, unchanged=0)
    conversions = load_conversions(session)
    assert conversions.rates[("CNY", "USD", 2025)] == Decimal("0.1385")
    assert conversions.rates[("CNY", "USD", 2024)] == Decimal("0.139")  # not in the file: kept
    stored = session.scalars(select(ExchangeRate).where(ExchangeRate.year == 2025)).all()
    assert {r.source for r in stored} == {"Test central bank, revised"}
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "factors.exchange_rates_imported")
    ).all()
    assert len(events) == 2
    revision = next(e for e in events if e.details["updated"])
    assert revision.details["updated"] == [
        {
            "currency": "CNY",
            "quote_currency": "USD",
            "year": 2025,
            "rate": "0.1385",
            "previous": "0.1400000000",
            "previous_source": "Test central bank",
        }
    ]
    assert revision.details["inserted"] == 1


def test_the_same_rates_again_change_nothing_and_record_nothing(session: Session) -> None:
    import_exchange_rates(session, RATES, source="Test central bank")
    events = audit_count(session)
    done = import_exchange_rates(session, RATES, source="Test central bank")
    assert done == ImportSummary(inserted=0, updated=0, unchanged=2)
    assert audit_count(session) == events


@pytest.mark.parametrize(
    ("rows", "path", "en", "zh"),
    [
        (
            "currency,quote_currency,year,rate\nCNY,CNY,2025,1\n",
            "line 2, quote_currency",
            "Must differ from the currency.",
            "须与货币不同。",
        ),
        (
            "currency,quote_currency,year,rate\nCNY,USD,2025,0\n",
            "line 2, rate",
            "Must be greater than zero.",
            "必须大于零。",
        ),
        (
            "currency,quote_currency,year,rate\nCNY,usd,2025,0.14\n",
            "line 2, quote_currency",
            "Use an ISO 4217 code of three capital letters, e.g. CNY.",
            "请使用三个大写字母的 ISO 4217 代码，例如 CNY。",
        ),
        (
            "currency,quote_currency,year,rate\nCNY,USD,25,0.14\n",
            "line 2, year",
            "A year from 1950 to 2100.",
            "年份须在 1950 至 2100 之间。",
        ),
        (
            "currency,quote_currency,year,rate\nCNY,USD,2025,0.14\nCNY,USD,2025,0.15\n",
            "line 3, year",
            "Duplicate of line 2.",
            "与第 2 行重复。",
        ),
        (
            "currency,quote_currency,year\nCNY,USD,2025\n",
            "line 1",
            "The header must name the columns currency,quote_currency,year,rate.",
            "表头必须包含以下列：currency,quote_currency,year,rate。",
        ),
    ],
)
def test_rate_refusals(session: Session, rows: str, path: str, en: str, zh: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        import_exchange_rates(session, rows, source="Test")
    assert [(e.path, e.message.en, e.message.zh) for e in exc.value.errors] == [(path, en, zh)]
    assert session.scalar(select(func.count()).select_from(ExchangeRate)) == 0
    assert audit_count(session) == 0


def test_rates_need_a_source_and_nothing_is_stored_when_one_row_is_bad(session: Session) -> None:
    rows = RATES + "CNY,JPY,2025,-20\n"
    with pytest.raises(InvalidInput) as exc:
        import_exchange_rates(session, rows, source=" ")
    assert [e.path for e in exc.value.errors] == ["source", "line 4, rate"]
    assert session.scalar(select(func.count()).select_from(ExchangeRate)) == 0


def test_price_indices_import_and_upsert(session: Session) -> None:
    assert import_price_indices(session, INDICES, source="Test statistics") == ImportSummary(
        2, 0, 0
    )
    revised = "currency,year,index\nUSD,2025,108.5\nUSD,2022,100\n"
    assert import_price_indices(session, revised, source="Test statistics") == ImportSummary(
        0, 1, 1
    )
    assert load_conversions(session).indices == {
        ("USD", 2022): Decimal(100),
        ("USD", 2025): Decimal("108.5"),
    }
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "factors.price_indices_imported")
    ).all()
    revision = next(e for e in events if e.details["updated"])
    assert revision.details["updated"] == [
        {
            "currency": "USD",
            "year": 2025,
            "index": "108.5",
            "previous": "108.0000000000",
            "previous_source": "Test statistics",
        }
    ]


@pytest.mark.parametrize(
    ("rows", "path", "en"),
    [
        ("currency,year,index\nUSD,2022,0\n", "line 2, index", "Must be greater than zero."),
        ("currency,year,index\nUSD,2022,\n", "line 2, index", "Required."),
        (
            "currency,year,index\nUSD,2022,100\nUSD,2022,101\n",
            "line 3, year",
            "Duplicate of line 2.",
        ),
        ("currency,year,index\n", "file", "The file has no data rows."),
    ],
)
def test_index_refusals(session: Session, rows: str, path: str, en: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        import_price_indices(session, rows, source="Test")
    assert [(e.path, e.message.en) for e in exc.value.errors] == [(path, en)]
    assert exc.value.errors[0].message.zh != en
    assert session.scalar(select(func.count()).select_from(PriceIndex)) == 0
