"""The demo world, seeded through the services into the test transaction."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Membership, Role
from esgx_platform.audit.models import AuditEvent
from esgx_platform.demo.seed import FilingSetup, seed_demo
from esgx_platform.disclosures.model import Disclosure
from esgx_platform.disclosures.rules import RuleContext, validate_disclosure
from esgx_platform.intake.models import DisclosureHead, StoredDisclosure
from esgx_platform.intake.receipts import LogSigner, bundle_for
from esgx_platform.ledger import log
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
    # ... and the lead factory's own 8 quarters.
    assert report.own_filings == 8
    assert session.scalar(select(func.count()).select_from(StoredDisclosure)) == 257 + 8
    assert session.scalar(select(func.count()).select_from(DisclosureHead)) == 256 + 8
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
    assert lead is not None and report.own_filings == 8
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
    assert len(_own_disclosures(session, lead)) == 8
    assert log.current_state(session).size == size


def _check_zero_carbon_story(filed: list[Disclosure]) -> None:
    """Renewables rise, Scope 1 falls, credits cover a growing share of the residual Scope 1+2
    and all of it in the last four quarters, against a validated 42 % target from 2023."""
    renewable = [d.energy.renewable_electricity_mwh / d.energy.electricity_mwh for d in filed]
    assert all(a < b for a, b in itertools.pairwise(renewable))
    assert renewable[0] < Decimal("0.2") and renewable[-1] > Decimal("0.45")
    assert all(a.scope1.tco2e > b.scope1.tco2e for a, b in itertools.pairwise(filed))
    residual = [d.scope1.tco2e + d.scope2.market_based_tco2e for d in filed]
    offset = [sum((o.tco2e for o in d.offsets), Decimal(0)) for d in filed]
    covered = [o / r for o, r in zip(offset, residual, strict=True)]
    assert all(a < b for a, b in itertools.pairwise(covered[:5]))
    assert all(c >= 1 for c in covered[4:]) and all(c < 1 for c in covered[:4])
    targets = {d.targets for d in filed}
    assert len(targets) == 1
    (target,) = targets.pop()
    assert (target.base_year, target.target_year, target.status.value) == (
        2023,
        2030,
        "validated",
    )
    assert target.reduction_percent == Decimal(42)
    assert target.base_tco2e == sum(residual[:4], Decimal(0))
    assert [d.verification.level.value for d in filed if d.verification] == ["limited"] * 4 + [
        "reasonable"
    ] * 4
