"""Exchange rates and price indices: configuration imported from CSV, replaced on re-import."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.factors import csvrows
from esgx_platform.factors.csvrows import CsvSource, Problems
from esgx_platform.factors.models import ExchangeRate, PriceIndex
from esgx_platform.factors.spend import Conversions
from esgx_platform.i18n import Text

RATE_COLUMNS = ("currency", "quote_currency", "year", "rate")
INDEX_COLUMNS = ("currency", "year", "index")
_Stored = TypeVar("_Stored", ExchangeRate, PriceIndex)
SAME_CURRENCY = Text("Must differ from the currency.", "须与货币不同。")


@dataclass(frozen=True)
class ImportSummary:
    """What a rates or indices import did: rows added, replaced, and already identical."""

    inserted: int
    updated: int
    unchanged: int


def import_exchange_rates(
    session: Session, rows: CsvSource, *, source: str, actor_user_id: uuid.UUID | None = None
) -> ImportSummary:
    """Import annual average rates from CSV (currency, quote_currency, year, rate: units of the
    quote currency per unit of the currency). A rate for a stored key replaces it; the
    previous values are kept in the audit event. Raises InvalidInput (nothing stored)."""
    problems = Problems()
    source = csvrows.meta_text(problems, "source", source, 10_000)
    parsed = csvrows.read_rows(rows, RATE_COLUMNS, problems)
    values: dict[tuple[Any, ...], Decimal] = {}
    for row in parsed:
        currency = csvrows.currency_cell(row, "currency", problems)
        quote = csvrows.currency_cell(row, "quote_currency", problems)
        if currency == quote:
            problems.add(row.path("quote_currency"), SAME_CURRENCY)
        year = csvrows.year_cell(row, "year", problems)
        rate = csvrows.decimal_cell(row, "rate", problems, positive=True)
        if year is not None and rate is not None:
            values[(currency, quote, year)] = rate
    csvrows.unique_keys(parsed, _cells("currency", "quote_currency", "year"), "year", problems)
    problems.raise_if_any()
    return _upsert(
        session,
        ExchangeRate,
        ("currency", "quote_currency", "year"),
        "rate",
        values,
        source=source,
        action="factors.exchange_rates_imported",
        actor_user_id=actor_user_id,
    )


def import_price_indices(
    session: Session, rows: CsvSource, *, source: str, actor_user_id: uuid.UUID | None = None
) -> ImportSummary:
    """Import price indices from CSV (currency, year, index; any base year, only ratios are
    used). An index for a stored key replaces it, previous values kept in the audit event.
    Raises InvalidInput (nothing stored)."""
    problems = Problems()
    source = csvrows.meta_text(problems, "source", source, 10_000)
    parsed = csvrows.read_rows(rows, INDEX_COLUMNS, problems)
    values: dict[tuple[Any, ...], Decimal] = {}
    for row in parsed:
        currency = csvrows.currency_cell(row, "currency", problems)
        year = csvrows.year_cell(row, "year", problems)
        index = csvrows.decimal_cell(row, "index", problems, positive=True)
        if year is not None and index is not None:
            values[(currency, year)] = index
    csvrows.unique_keys(parsed, _cells("currency", "year"), "year", problems)
    problems.raise_if_any()
    return _upsert(
        session,
        PriceIndex,
        ("currency", "year"),
        "index",
        values,
        source=source,
        action="factors.price_indices_imported",
        actor_user_id=actor_user_id,
    )


def _cells(*columns: str) -> Any:
    return lambda row: tuple(row.cells[c] for c in columns)


def _upsert(
    session: Session,
    model: type[_Stored],
    key_names: tuple[str, ...],
    value_name: str,
    values: dict[tuple[Any, ...], Decimal],
    *,
    source: str,
    action: str,
    actor_user_id: uuid.UUID | None,
) -> ImportSummary:
    # Configuration tables of a few hundred rows at most: read them whole.
    stored: dict[tuple[Any, ...], _Stored] = {
        tuple(getattr(o, k) for k in key_names): o for o in session.scalars(select(model))
    }
    now, inserted, unchanged = utcnow(), 0, 0
    changes: list[dict[str, Any]] = []
    for key, value in values.items():
        found = stored.get(key)
        if found is None:
            session.add(
                model(
                    **dict(zip(key_names, key, strict=True)),
                    source=source,
                    imported_at=now,
                    **{value_name: value},
                )
            )
            inserted += 1
        elif getattr(found, value_name) == value and found.source == source:
            unchanged += 1
        else:
            changes.append(
                {
                    **dict(zip(key_names, key, strict=True)),
                    value_name: str(value),
                    "previous": str(getattr(found, value_name)),
                    "previous_source": found.source,
                }
            )
            setattr(found, value_name, value)
            found.source, found.imported_at = source, now
    summary = ImportSummary(inserted, len(changes), unchanged)
    if inserted or changes:
        session.flush()
        record_event(
            session,
            action=action,
            actor_user_id=actor_user_id,
            details={
                "source": source,
                "inserted": inserted,
                "updated": changes,
                "unchanged": unchanged,
            },
        )
    return summary


def load_conversions(session: Session) -> Conversions:
    """Every stored exchange rate and price index, as plain data for the roll-up."""
    rates = session.scalars(select(ExchangeRate))
    indices = session.scalars(select(PriceIndex))
    return Conversions(
        rates={(r.currency, r.quote_currency, r.year): r.rate for r in rates},
        indices={(i.currency, i.year): i.index for i in indices},
    )
