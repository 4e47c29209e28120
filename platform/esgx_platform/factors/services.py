"""Importing spend-factor tables, exchange rates and price indices; factories' roll-up settings."""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal
from types import EllipsisType
from typing import Any, NamedTuple

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.errors import Conflict, FieldError, InvalidInput
from esgx_platform.factors import csvrows
from esgx_platform.factors.csvrows import CsvSource, Problems
from esgx_platform.factors.models import SpendFactor, SpendFactorTable

# Rates and indices live in their own module; callers may import them from here too.
from esgx_platform.factors.rates import ImportSummary as ImportSummary
from esgx_platform.factors.rates import import_exchange_rates as import_exchange_rates
from esgx_platform.factors.rates import import_price_indices as import_price_indices
from esgx_platform.factors.rates import load_conversions as load_conversions
from esgx_platform.factors.spend import FactorTable
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization, OrgKind, SupplyRelationship
from esgx_platform.rollups.models import (
    DEFAULT_DEADLINE_DAYS,
    DEFAULT_RENEWABLE_THRESHOLD_PCT,
    FactorySettings,
)

SPEND_COLUMNS = ("sector_code", "name_en", "name_zh", "kgco2e_per_unit")
DEFAULT_REPORTING_CURRENCY = "CNY"
_PCT_PLACES = Decimal("0.0001")  # factory_settings.renewable_threshold_pct is Numeric(9, 4)

TABLE_CONFLICT = Text(
    "{name} {version} was imported already with different content; "
    "import a corrected table as a new version.",
    "{name} {version} 已导入且内容不同；更正后的因子表请以新版本导入。",
)
NOT_LEAD = Text("Only a lead factory has roll-up settings.", "只有龙头工厂才有汇总设置。")
NO_SUCH_TABLE = Text("No such spend-factor table.", "支出排放因子表不存在。")
DEADLINE_RANGE = Text("From 1 to 180 days.", "须为 1 至 180 天。")
THRESHOLD_RANGE = Text("From 0 to 100 percent.", "须为 0 至 100%。")
SETTINGS_ERRORS = Text(
    "The settings have {n} error(s); nothing was changed.", "设置有 {n} 处错误，未作任何更改。"
)
SECTOR_NOT_IN_TABLE = Text(
    "The lead factory's spend-factor table {table} has no sector {code}.",
    "该龙头工厂的支出排放因子表 {table} 中没有行业 {code}。",
)


class ListedTable(NamedTuple):
    table: SpendFactorTable
    sectors: int


def import_spend_factors(
    session: Session,
    *,
    name: str,
    version: str,
    source: str,
    currency: str,
    price_year: int,
    rows: CsvSource,
    illustrative: bool = False,
    actor_user_id: uuid.UUID | None = None,
) -> SpendFactorTable:
    """Import one version of a spend-factor table from CSV (sector_code, name_en, name_zh,
    kgco2e_per_unit): kgCO2e per unit of `currency` at `price_year` prices.

    Raises InvalidInput listing every problem (nothing stored); Conflict when `name` and
    `version` exist with other content. The same content again returns the stored table.
    """
    problems = Problems()
    meta = _table_meta(problems, name, version, source, currency, price_year, illustrative)
    factors = _spend_rows(rows, problems)
    problems.raise_if_any()
    digest = _digest(meta, factors)
    existing = find_factor_table(session, meta["name"], meta["version"])
    if existing is not None:
        if existing.sha256 == digest:
            return existing  # the very same table again: nothing to do
        raise Conflict(TABLE_CONFLICT.format(name=meta["name"], version=meta["version"]))
    table = SpendFactorTable(**meta, sha256=digest, imported_by=actor_user_id)
    session.add(table)
    session.flush()
    session.add_all(
        SpendFactor(table_id=table.id, sector_code=c, name_en=en, name_zh=zh, kgco2e_per_unit=k)
        for c, en, zh, k in factors
    )
    session.flush()
    record_event(
        session,
        action="factors.spend_table_imported",
        actor_user_id=actor_user_id,
        target_type="spend_factor_table",
        target_id=table.id,
        details={**meta, "sha256": digest, "sectors": len(factors)},
    )
    return table


def _table_meta(
    problems: Problems,
    name: str,
    version: str,
    source: str,
    currency: str,
    price_year: int,
    illustrative: bool,
) -> dict[str, Any]:
    if not csvrows.is_currency(currency):
        problems.add("currency", csvrows.BAD_CURRENCY)
    if (message := csvrows.check_year(price_year)) is not None:
        problems.add("price_year", message)
    return {
        "name": csvrows.meta_text(problems, "name", name, 120),
        "version": csvrows.meta_text(problems, "version", version, 40),
        "source": csvrows.meta_text(problems, "source", source, 10_000),
        "currency": currency,
        "price_year": price_year,
        "illustrative": illustrative,
    }


def _spend_rows(source: CsvSource, problems: Problems) -> list[tuple[str, str, str, Decimal]]:
    rows = csvrows.read_rows(source, SPEND_COLUMNS, problems)
    factors = []
    for row in rows:
        code = row.cells["sector_code"]
        if not code:
            problems.add(row.path("sector_code"), csvrows.REQUIRED)
        elif not csvrows.is_sector_code(code):
            problems.add(row.path("sector_code"), csvrows.BAD_SECTOR)
        name_en = csvrows.text_cell(row, "name_en", problems, max_length=200)
        name_zh = csvrows.text_cell(row, "name_zh", problems, max_length=200)
        factor = csvrows.decimal_cell(row, "kgco2e_per_unit", problems)
        if factor is not None:
            factors.append((code, name_en, name_zh, factor))
    csvrows.unique_keys(rows, lambda r: r.cells["sector_code"], "sector_code", problems)
    return factors


def _digest(meta: dict[str, Any], factors: list[tuple[str, str, str, Decimal]]) -> str:
    """SHA-256 of the table's canonical content: what is stored, not how the file spelt it
    (line endings, a byte-order mark, row order and 0.50 versus 0.5 do not matter)."""
    canonical = {
        **{k: meta[k] for k in ("source", "currency", "price_year", "illustrative")},
        "factors": sorted([c, en, zh, _plain(k)] for c, en, zh, k in factors),
    }
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def find_factor_table(session: Session, name: str, version: str) -> SpendFactorTable | None:
    return session.scalar(
        select(SpendFactorTable).where(
            SpendFactorTable.name == name, SpendFactorTable.version == version
        )
    )


def list_factor_tables(session: Session) -> list[ListedTable]:
    """Every imported table with its number of sectors, by name and then import time."""
    sectors = (
        select(func.count(SpendFactor.id))
        .where(SpendFactor.table_id == SpendFactorTable.id)
        .scalar_subquery()
    )
    stmt = select(SpendFactorTable, sectors).order_by(
        SpendFactorTable.name, SpendFactorTable.imported_at
    )
    return [ListedTable(table, count) for table, count in session.execute(stmt)]


def load_factor_table(session: Session, table_id: uuid.UUID | None) -> FactorTable | None:
    """A stored table as plain data for the roll-up; None for no id or an unknown one."""
    if table_id is None:
        return None
    table = session.get(SpendFactorTable, table_id)
    if table is None:
        return None
    rows = session.execute(
        select(SpendFactor.sector_code, SpendFactor.kgco2e_per_unit).where(
            SpendFactor.table_id == table.id
        )
    )
    return FactorTable(
        name=table.name,
        version=table.version,
        currency=table.currency,
        price_year=table.price_year,
        factors={code: factor for code, factor in rows},
        illustrative=table.illustrative,
    )


def factory_settings(session: Session, organization_id: uuid.UUID) -> FactorySettings:
    """The lead factory's stored settings, or the defaults as a transient object (not added
    to the session, so reading settings never writes)."""
    stored = session.get(FactorySettings, organization_id)
    if stored is not None:
        return stored
    return FactorySettings(
        organization_id=organization_id,
        deadline_days=DEFAULT_DEADLINE_DAYS,
        renewable_threshold_pct=DEFAULT_RENEWABLE_THRESHOLD_PCT,
        reporting_currency=DEFAULT_REPORTING_CURRENCY,
        spend_factor_table_id=None,
        assessment_model_id=None,
    )


def configure_factory(
    session: Session,
    *,
    organization: Organization,
    spend_factor_table_id: uuid.UUID | EllipsisType | None = ...,
    reporting_currency: str | EllipsisType = ...,
    deadline_days: int | EllipsisType = ...,
    renewable_threshold_pct: Decimal | int | EllipsisType = ...,
    actor_user_id: uuid.UUID | None = None,
) -> FactorySettings:
    """Change a lead factory's roll-up settings; an argument left out (`...`) stays as it is,
    a table id of None means no spend-based estimates.

    Raises InvalidInput for an organization that is not a lead factory or for values out of
    range (deadline 1-180 days, threshold 0-100 %, an imported table, an ISO 4217 code).
    """
    if organization.kind is not OrgKind.LEAD_FACTORY:
        raise InvalidInput(NOT_LEAD)
    wanted = _checked_settings(
        session,
        spend_factor_table_id=spend_factor_table_id,
        reporting_currency=reporting_currency,
        deadline_days=deadline_days,
        renewable_threshold_pct=renewable_threshold_pct,
    )
    settings = factory_settings(session, organization.id)
    changes = {
        name: {"previous": _shown(getattr(settings, name)), "value": _shown(value)}
        for name, value in wanted.items()
        if getattr(settings, name) != value
    }
    if not changes:
        return settings
    if inspect(settings).transient:
        session.add(settings)
    for name, value in wanted.items():
        setattr(settings, name, value)
    settings.updated_by = actor_user_id
    session.flush()
    record_event(
        session,
        action="factory.configured",
        actor_user_id=actor_user_id,
        organization_id=organization.id,
        target_type="factory_settings",
        target_id=organization.id,
        details=changes,
    )
    return settings


def _checked_settings(session: Session, **given: Any) -> dict[str, Any]:
    """The given settings, validated all at once (InvalidInput)."""
    values = {name: value for name, value in given.items() if value is not ...}
    problems = Problems()
    table_id = values.get("spend_factor_table_id")
    if table_id is not None and session.get(SpendFactorTable, table_id) is None:
        problems.add("spend_factor_table_id", NO_SUCH_TABLE)
    if "reporting_currency" in values and not csvrows.is_currency(values["reporting_currency"]):
        problems.add("reporting_currency", csvrows.BAD_CURRENCY)
    days = values.get("deadline_days")
    if days is not None and not (isinstance(days, int) and 1 <= days <= 180):
        problems.add("deadline_days", DEADLINE_RANGE)
    pct = values.get("renewable_threshold_pct")
    if pct is not None:
        pct = Decimal(pct)
        if not pct.is_finite() or not 0 <= pct <= 100:
            problems.add("renewable_threshold_pct", THRESHOLD_RANGE)
        else:
            values["renewable_threshold_pct"] = pct.quantize(_PCT_PLACES)
    problems.raise_if_any(SETTINGS_ERRORS)
    return values


def _shown(value: object) -> str | None:
    return None if value is None else str(value)


def set_spend_sector(
    session: Session,
    relationship: SupplyRelationship,
    sector_code: str | None,
    actor_user_id: uuid.UUID | None = None,
) -> None:
    """Choose the sector of the lead factory's spend-factor table that the relationship's spend
    is estimated with (None: no spend-based estimate).

    Raises InvalidInput for a malformed code, or one missing from the table the lead factory
    has chosen (without a chosen table any well-formed code is accepted).
    """
    if sector_code is not None:
        _check_sector(session, relationship, sector_code)
    previous = relationship.spend_sector_code
    if previous == sector_code:
        return
    relationship.spend_sector_code = sector_code
    session.flush()
    record_event(
        session,
        action="relationship.spend_sector_set",
        actor_user_id=actor_user_id,
        organization_id=relationship.lead_factory_id,
        target_type="supply_relationship",
        target_id=relationship.id,
        details={"sector_code": sector_code, "previous": previous},
    )


def _check_sector(session: Session, relationship: SupplyRelationship, code: str) -> None:
    if not csvrows.is_sector_code(code):
        raise InvalidInput(
            csvrows.BAD_SECTOR, errors=(FieldError("sector_code", csvrows.BAD_SECTOR),)
        )
    table_id = factory_settings(session, relationship.lead_factory_id).spend_factor_table_id
    if table_id is None:
        return
    found = session.scalar(
        select(SpendFactor.id).where(
            SpendFactor.table_id == table_id, SpendFactor.sector_code == code
        )
    )
    if found is None:
        table = session.get(SpendFactorTable, table_id)
        label = f"{table.name} {table.version}" if table else str(table_id)
        message = SECTOR_NOT_IN_TABLE.format(table=label, code=code)
        raise InvalidInput(message, errors=(FieldError("sector_code", message),))
