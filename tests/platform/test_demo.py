"""The demo world, seeded through the services into the test transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Membership, Role
from esgx_platform.audit.models import AuditEvent
from esgx_platform.demo.seed import seed_demo
from esgx_platform.organizations.models import (
    Organization,
    OrgKind,
    RelationshipSpend,
    SupplyRelationship,
)


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
