"""The demo world, seeded through the services into the test transaction."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Membership, Role
from esgx_platform.audit.models import AuditEvent
from esgx_platform.demo.filings import product_id, profile
from esgx_platform.demo.seed import FilingSetup, SeedReport, seed_demo
from esgx_platform.demo.seed_filings import REJECTED, RESTATING, SILENT
from esgx_platform.demo.seed_own_operations import base_year, own_subject
from esgx_platform.demo.seed_purchases import PURCHASED_FROM
from esgx_platform.demo.world import SUPPLIERS, WITHOUT_CONSENT
from esgx_platform.disclosures.model import Disclosure
from esgx_platform.disclosures.rules import RuleContext, validate_disclosure
from esgx_platform.disclosures.serials import SerialRange
from esgx_platform.intake.models import DisclosureHead, StoredDisclosure
from esgx_platform.intake.receipts import LogSigner, bundle_for
from esgx_platform.ledger import log
from esgx_platform.ledger.models import LogRecord
from esgx_platform.organizations.models import (
    Organization,
    OrgKind,
    RelationshipSpend,
    SupplyRelationship,
)
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter, last_closed_quarters
from esgx_platform.rollups.models import RelationshipPurchase
from esgx_platform.rollups.services import compute_rollup
from esgx_platform.secretbox import SecretBox
from signing import verify_bundle


def _counts(session: Session) -> tuple[int | None, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (
            Organization,
            SupplyRelationship,
            RelationshipSpend,
            RelationshipPurchase,
            Membership,
            AuditEvent,
        )
    )


def test_demo_world_shape(session: Session) -> None:
    report = seed_demo(session, today=date(2026, 11, 25))
    # Twelve quarters: 2024 and 2025 are complete years, so 2025 compares with 2024.
    assert report.quarters == [
        "2023-Q4",
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    suppliers = session.scalars(
        select(Organization).where(Organization.kind == OrgKind.SUPPLIER)
    ).all()
    assert len(suppliers) >= 30
    assert len({s.province for s in suppliers}) >= 10
    categories = set(session.scalars(select(SupplyRelationship.scope3_category)))
    assert {1, 2, 3, 4, 5, 6, 7, 8} <= categories
    # 32 relationships x 12 quarters of spend.
    assert session.scalar(select(func.count()).select_from(RelationshipSpend)) == 32 * 12
    roles = set(session.scalars(select(Membership.role)))
    assert roles == set(Role)
    lead = report.lead_factory
    assert lead is not None and lead.province == "TJ"


def test_seeding_twice_changes_nothing(session: Session) -> None:
    seed_demo(session, today=date(2026, 11, 25))
    before = _counts(session)
    again = seed_demo(session, today=date(2026, 11, 25))
    assert (again.created_orgs, again.created_users) == (0, 0)
    assert _counts(session) == before


def test_demo_suppliers_file_signed_disclosures(session: Session, tmp_path: Path) -> None:
    setup = FilingSetup(tmp_path / "keys", LogSigner(SecretBox(["A" * 43 + "="]), "demo.test/log"))
    report = seed_demo(session, today=date(2026, 11, 25), filings=setup)
    assert report.filings is not None
    # 32 suppliers x 12 quarters but one missing (the silent supplier's latest), plus one
    # restatement; one broken filing rejected.
    assert (report.filings.accepted, report.filings.restated, report.filings.rejected) == (
        32 * 12 - 1 + 1,
        1,
        1,
    )
    # ... and the lead factory's own 12 quarters.
    assert report.own_filings == 12
    assert session.scalar(select(func.count()).select_from(StoredDisclosure)) == 384 + 12
    assert session.scalar(select(func.count()).select_from(DisclosureHead)) == 383 + 12
    rejected = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "disclosure.rejected")
    ).all()
    assert [(e.details["errors"], e.details["period"]) for e in rejected] == [
        (["$.credentialSubject.allocations[0].allocatedTco2e"], report.quarters[-1])
    ]
    # The private keys stay with the suppliers and the lead factory (files), never in the
    # database.
    assert len(list((tmp_path / "keys").glob("*.pem"))) == 32 + 1
    restated = session.scalars(
        select(StoredDisclosure).where(StoredDisclosure.restates_id.is_not(None))
    ).one()
    bundle = bundle_for(session, restated, setup.signer)
    verified = verify_bundle(bundle, log_key=bundle["logKey"])
    assert verified.credential.content_id == restated.content_id
    again = seed_demo(session, today=date(2026, 11, 25), filings=setup)
    assert again.filings is not None
    assert (again.filings.accepted, again.filings.skipped_suppliers) == (0, 32)
    assert again.own_filings == 0


def _own_disclosures(session: Session, lead: Organization) -> list[StoredDisclosure]:
    return list(
        session.scalars(
            select(StoredDisclosure)
            .where(StoredDisclosure.organization_id == lead.id)
            .order_by(StoredDisclosure.log_index)
        )
    )


def test_demo_lead_factory_files_its_own_operations(session: Session, tmp_path: Path) -> None:
    setup = FilingSetup(tmp_path / "keys", LogSigner(SecretBox(["A" * 43 + "="]), "demo.test/log"))
    report = seed_demo(session, today=date(2026, 11, 25), filings=setup)
    lead = report.lead_factory
    assert lead is not None and report.own_filings == 12
    rows = _own_disclosures(session, lead)
    assert [r.period_key for r in rows] == report.quarters
    # Its private key is a file beside the suppliers', named by its credit code.
    assert (tmp_path / "keys" / f"{lead.uscc}.pem").stat().st_mode & 0o777 == 0o600
    filed: list[Disclosure] = []
    for row in rows:
        assert log.entry(session, row.log_index).kind == "disclosure"
        bundle = bundle_for(session, row, setup.signer)
        verified = verify_bundle(bundle, log_key=bundle["logKey"])
        assert verified.credential.issuer == lead.urn
        assert row.on_time and row.warnings == []
        # The same rules pass again on the signed subject: nothing allocated to anyone.
        checked = validate_disclosure(
            verified.credential.payload["credentialSubject"],
            RuleContext(today=date(2026, 11, 25), issuer_urn=lead.urn),
        )
        assert checked.disclosure.allocations == ()
        filed.append(checked.disclosure)
    _check_zero_carbon_story(filed)
    size = log.current_state(session).size
    again = seed_demo(session, today=date(2026, 11, 25), filings=setup)
    assert again.own_filings == 0
    assert len(_own_disclosures(session, lead)) == 12
    assert log.current_state(session).size == size


def _check_zero_carbon_story(filed: list[Disclosure]) -> None:
    """Renewables rise and Scope 1 falls every quarter; the validated 42 % target's base is the
    first complete calendar year (2024: its four quarters' Scope 1+2 market-based); credits
    cover a growing part of the residual before and during the base year and all of it from
    the next year on; assurance is limited up to the end of the base year, reasonable after."""
    renewable = [d.energy.renewable_electricity_mwh / d.energy.electricity_mwh for d in filed]
    assert all(a < b for a, b in itertools.pairwise(renewable))
    assert renewable[0] < Decimal("0.2") and renewable[-1] > Decimal("0.55")
    assert all(a.scope1.tco2e > b.scope1.tco2e for a, b in itertools.pairwise(filed))
    years = [d.period.year for d in filed]
    residual = [d.scope1.tco2e + d.scope2.market_based_tco2e for d in filed]
    offset = [sum((o.tco2e for o in d.offsets), Decimal(0)) for d in filed]
    covered = [o / r for o, r in zip(offset, residual, strict=True)]
    partial = [c for c, y in zip(covered, years, strict=True) if y <= 2024]
    assert len(partial) == 5  # 2023-Q4 and the four quarters of 2024
    assert all(a < b for a, b in itertools.pairwise(partial)) and all(c < 1 for c in partial)
    assert partial[0] >= Decimal("0.2") and partial[-1] >= Decimal("0.7")
    assert all(c >= 1 for c, y in zip(covered, years, strict=True) if y >= 2025)
    targets = {d.targets for d in filed}
    assert len(targets) == 1
    (target,) = targets.pop()
    assert (target.base_year, target.target_year, target.status.value) == (
        2024,
        2030,
        "validated",
    )
    assert target.reduction_percent == Decimal(42)
    assert target.base_tco2e == sum(
        (r for r, y in zip(residual, years, strict=True) if y == 2024), Decimal(0)
    )
    assert [d.verification.level.value for d in filed if d.verification] == ["limited"] * 5 + [
        "reasonable"
    ] * 7
    # Every quarter's credits come from a block of serials of their own.
    serials = [SerialRange.parse(serial) for d in filed for o in d.offsets for serial in o.serials]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(serials, 2))


def test_own_operations_blocks_and_base_year_over_longer_spans() -> None:
    quarters = last_closed_quarters(date(2026, 11, 25), 20)  # 2021-Q4 to 2026-Q3
    assert base_year(quarters).year == 2022
    assert quarters[4] == Quarter(2022, 4) and base_year(quarters[4:]).year == 2023
    with pytest.raises(ValueError, match="complete calendar year"):
        base_year(quarters[14:18])  # 2025-Q2 to 2026-Q1: four quarters, no whole year
    blocks = [
        SerialRange.parse(own_subject(q, n, base_year(quarters))["offsets"][0]["serials"][0])
        for n, q in enumerate(quarters)
    ]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(blocks, 2))


def test_demo_log_times_never_go_backwards(session: Session, tmp_path: Path) -> None:
    """Suppliers' and the lead factory's filings and key registrations run in one time-ordered
    sequence, so the log's times rise with its index (no entry is older than one before).
    The same seeding then serves the roll-up's checks (one seeding with filings, not two)."""
    setup = FilingSetup(tmp_path / "keys", LogSigner(SecretBox(["A" * 43 + "="]), "demo.test/log"))
    report = seed_demo(session, today=date(2026, 11, 25), filings=setup)
    lead = report.lead_factory
    assert lead is not None
    times = list(session.scalars(select(LogRecord.logged_at).order_by(LogRecord.index)))
    assert len(times) == log.current_state(session).size == 396 + 33  # disclosures, keys
    assert all(a <= b for a, b in itertools.pairwise(times))
    # The lead factory's filings are among the suppliers', not all after them.
    own = _own_disclosures(session, lead)
    last = session.scalar(select(func.max(StoredDisclosure.log_index)))
    assert last is not None and own[-1].log_index < last
    check_demo_roll_up(session, report)


def check_demo_roll_up(session: Session, report: SeedReport) -> None:
    """2025 rolls up with every method and compares with 2024; the latest quarter shows the
    supplier that filed nothing, estimated from the spend."""
    lead = report.lead_factory
    assert lead is not None
    year = compute_rollup(session, lead_factory_id=lead.id, period="2025")
    assert set(year.rollup.total.by_method) == {"hybrid", "spend_based", "supplier_specific"}
    assert year.previous is not None and year.previous.period == "2024"
    assert year.previous.tco2e
    specific = {
        line.row.supplier_en
        for line in year.rollup.lines
        if line.method.value == "supplier_specific"
    }
    assert specific == set(PURCHASED_FROM)
    # Pieces x footprint agrees with the allocation to rounding (pieces are spend / 70).
    for line in year.rollup.lines:
        if line.method.value == "supplier_specific":
            assert line.row.disclosure is not None and line.row.disclosure.allocated_tco2e
            assert abs(line.tco2e / line.row.disclosure.allocated_tco2e - 1) < Decimal("0.001")
    latest = compute_rollup(session, lead_factory_id=lead.id, period=report.quarters[-1])
    silent = SUPPLIERS[SILENT].name_en
    (line,) = [ln for ln in latest.rollup.lines if ln.row.supplier_en == silent]
    assert line.row.consent and not line.row.disclosed and not line.row.rejected
    assert line.method.value == "spend_based" and line.tco2e > 0
    assert [
        ln.row.supplier_en for ln in latest.rollup.lines if not ln.row.disclosed and ln.row.consent
    ] == [silent]


def test_demo_purchases_match_footprints_and_seed_once(session: Session) -> None:
    report = seed_demo(session, today=date(2026, 11, 25))
    lead = report.lead_factory
    assert lead is not None
    by_name = {item.name_en: item for item in SUPPLIERS}
    stories = {SUPPLIERS[i].name_en for i in (RESTATING, REJECTED, SILENT)}
    for name in PURCHASED_FROM:
        assert profile(by_name[name]).footprints and name not in WITHOUT_CONSENT | stories
    rows = session.execute(
        select(RelationshipPurchase, Organization.name_en, ReportingPeriod.key)
        .join(SupplyRelationship, SupplyRelationship.id == RelationshipPurchase.relationship_id)
        .join(Organization, Organization.id == SupplyRelationship.supplier_id)
        .join(ReportingPeriod, ReportingPeriod.id == RelationshipPurchase.period_id)
    ).all()
    assert len(rows) == len(PURCHASED_FROM) * 12
    for purchase, name, key in rows:
        assert purchase.unit == "piece" and purchase.quantity > 0
        assert purchase.product_id == product_id(by_name[name], Quarter.parse(key))
    events = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "relationship.purchase_recorded")
    )
    assert events == len(rows)
    seed_demo(session, today=date(2026, 11, 25))
    assert session.scalar(select(func.count()).select_from(RelationshipPurchase)) == len(rows)


def test_the_silent_supplier_shares_data_and_has_no_other_story() -> None:
    assert SILENT not in (RESTATING, REJECTED)
    assert SUPPLIERS[SILENT].name_en not in WITHOUT_CONSENT
