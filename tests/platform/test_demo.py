"""The demo world, seeded through the services into the test transaction."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Membership, Role
from esgx_platform.audit.models import AuditEvent
from esgx_platform.demo.seed import FilingSetup, seed_demo
from esgx_platform.intake.models import DisclosureHead, StoredDisclosure
from esgx_platform.intake.receipts import LogSigner, bundle_for
from esgx_platform.organizations.models import (
    Organization,
    OrgKind,
    RelationshipSpend,
    SupplyRelationship,
)
from esgx_platform.secretbox import SecretBox
from signing import verify_bundle


def _counts(session: Session) -> tuple[int | None, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Organization, SupplyRelationship, RelationshipSpend, Membership, AuditEvent)
    )


def test_demo_world_shape(session: Session) -> None:
    report = seed_demo(session, today=date(2026, 11, 25))
    assert report.quarters == [
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
    # 32 relationships x 8 quarters of spend.
    assert session.scalar(select(func.count()).select_from(RelationshipSpend)) == 32 * 8
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
    # 32 suppliers x 8 quarters, plus one restatement; one broken filing rejected.
    assert (report.filings.accepted, report.filings.restated, report.filings.rejected) == (
        32 * 8 + 1,
        1,
        1,
    )
    assert session.scalar(select(func.count()).select_from(StoredDisclosure)) == 257
    assert session.scalar(select(func.count()).select_from(DisclosureHead)) == 256
    rejected = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "disclosure.rejected")
    ).all()
    assert [e.details["errors"] for e in rejected] == [
        ["$.credentialSubject.allocations[0].allocatedTco2e"]
    ]
    # The private keys stay with the suppliers (files), never in the database.
    assert len(list((tmp_path / "keys").glob("*.pem"))) == 32
    restated = session.scalars(
        select(StoredDisclosure).where(StoredDisclosure.restates_id.is_not(None))
    ).one()
    bundle = bundle_for(session, restated, setup.signer)
    verified = verify_bundle(bundle, log_key=bundle["logKey"])
    assert verified.credential.content_id == restated.content_id
    again = seed_demo(session, today=date(2026, 11, 25), filings=setup)
    assert again.filings is not None
    assert (again.filings.accepted, again.filings.skipped_suppliers) == (0, 32)
