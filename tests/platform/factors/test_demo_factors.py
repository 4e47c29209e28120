"""The demo's illustrative spend factors: shipped data, and what the seed sets up."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.demo.seed import seed_demo
from esgx_platform.demo.seed_factors import (
    DEMO_TABLE_NAME,
    DEMO_TABLE_VERSION,
    SECTORS,
    demo_data,
)
from esgx_platform.demo.world import SUPPLIERS
from esgx_platform.factors.services import (
    configure_factory,
    factory_settings,
    find_factor_table,
    load_conversions,
    load_factor_table,
)
from esgx_platform.factors.spend import spend_estimate
from esgx_platform.organizations.models import RelationshipSpend, SupplyRelationship
from esgx_platform.periods.models import ReportingPeriod
from tests.platform.factors.helpers import audit_count, spend_table


def _rows(name: str) -> list[dict[str, str]]:
    text = demo_data(name).decode()
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def test_shipped_demo_data_is_labelled_and_covers_every_supplier() -> None:
    assert b"ILLUSTRATIVE" in demo_data("demo-spend-factors.csv").split(b"\n")[0]
    assert b"NOT an EEIO table" in demo_data("demo-spend-factors.csv")
    assert b"ILLUSTRATIVE" in demo_data("demo-price-indices.csv").split(b"\n")[0]
    factors = {
        r["sector_code"]: Decimal(r["kgco2e_per_unit"]) for r in _rows("demo-spend-factors.csv")
    }
    assert set(SECTORS) == {s.name_en for s in SUPPLIERS}
    assert set(SECTORS.values()) == set(factors)
    assert all(Decimal("0.1") <= f <= Decimal("1.5") for f in factors.values())
    years = {int(r["year"]) for r in _rows("demo-price-indices.csv") if r["currency"] == "CNY"}
    assert years == {2023, 2024, 2025, 2026}


def test_demo_lead_factory_estimates_with_the_illustrative_table(session: Session) -> None:
    report = seed_demo(session, today=date(2026, 11, 25))
    lead = report.lead_factory
    assert lead is not None
    table = find_factor_table(session, DEMO_TABLE_NAME, DEMO_TABLE_VERSION)
    assert table is not None and table.illustrative
    assert "ILLUSTRATIVE" in table.source and "NOT an EEIO table" in table.source
    assert (table.currency, table.price_year) == ("CNY", 2023)
    settings = factory_settings(session, lead.id)
    assert settings in session  # stored, not the transient default
    assert (settings.spend_factor_table_id, settings.reporting_currency) == (table.id, "CNY")
    rels = session.scalars(
        select(SupplyRelationship).where(SupplyRelationship.lead_factory_id == lead.id)
    ).all()
    assert len(rels) == 32
    assert all(rel.spend_sector_code for rel in rels)
    pcb = next(r for r in rels if r.spend_sector_code == "printed-circuit-boards")
    # Every quarter's spend of the demo (2023-Q4 to 2026-Q3) has an estimate.
    loaded = load_factor_table(session, table.id)
    conversions = load_conversions(session)
    spends = session.execute(
        select(RelationshipSpend, ReportingPeriod.year)
        .join(ReportingPeriod, ReportingPeriod.id == RelationshipSpend.period_id)
        .where(RelationshipSpend.relationship_id == pcb.id)
    ).all()
    assert len(spends) == 12
    for spend, year in spends:
        estimate = spend_estimate(
            spend.amount, spend.currency, year, pcb.spend_sector_code, loaded, conversions
        )
        assert estimate.reason is None and estimate.tco2e is not None
        assert estimate.tco2e > 0


def test_seeding_again_changes_nothing(session: Session) -> None:
    seed_demo(session, today=date(2026, 11, 25))
    events = audit_count(session)
    seed_demo(session, today=date(2026, 11, 25))
    assert audit_count(session) == events


def test_the_seed_keeps_choices_made_since(session: Session) -> None:
    report = seed_demo(session, today=date(2026, 11, 25))
    lead = report.lead_factory
    assert lead is not None
    own = spend_table(
        session,
        currency="CNY",
        rows=("sector_code,name_en,name_zh,kgco2e_per_unit\nglass,Glass,玻璃,0.9\n"),
    )
    configure_factory(session, organization=lead, spend_factor_table_id=own.id)
    events = audit_count(session)
    seed_demo(session, today=date(2026, 11, 25))
    assert factory_settings(session, lead.id).spend_factor_table_id == own.id
    assert audit_count(session) == events
