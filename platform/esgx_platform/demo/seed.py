"""Seed the demo world through the real services (validation, audit), safely re-runnable."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.services import add_membership, create_user, find_user
from esgx_platform.db import utcnow
from esgx_platform.demo.seed_factors import seed_factors
from esgx_platform.demo.seed_filings import FilingReport, seed_filings
from esgx_platform.demo.seed_own_operations import own_operations_steps
from esgx_platform.demo.seed_purchases import seed_purchases
from esgx_platform.demo.world import (
    DEMO_PASSWORD,
    LEAD_FACTORY_USCC,
    OPERATOR_USCC_BODY,
    SUPPLIERS,
    USERS,
    WITHOUT_CONSENT,
    DemoSupplier,
)
from esgx_platform.intake.receipts import LogSigner
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.organizations.services import (
    create_organization,
    create_relationship,
    find_by_uscc,
    give_consent,
    record_spend,
)
from esgx_platform.organizations.uscc import complete_uscc
from esgx_platform.periods.quarters import Quarter, last_closed_quarters
from esgx_platform.periods.services import ensure_period

# Characters 11-16 of a demo credit code, from the supplier's position: deterministic, valid.
_BODY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass
class SeedReport:
    created_orgs: int = 0
    created_users: int = 0
    quarters: list[str] = field(default_factory=list)
    lead_factory: Organization | None = None
    filings: FilingReport | None = None
    # The lead factory's own-operations disclosures accepted by this run (0 once on file).
    own_filings: int = 0


def supplier_uscc(index: int, supplier: DemoSupplier) -> str:
    body = "".join(_BODY_ALPHABET[(index * 7 + k * 13) % 31] for k in range(6))
    return complete_uscc(f"91{supplier.division}MA{body}")


@dataclass(frozen=True)
class FilingSetup:
    """Where the demo suppliers and lead factory keep their private keys, and how the log
    signs checkpoints."""

    key_dir: Path
    signer: LogSigner


def seed_demo(
    session: Session, *, today: date, quarters: int = 12, filings: FilingSetup | None = None
) -> SeedReport:
    """Create (or complete) the demo world; running it again changes nothing.

    Twelve quarters by default (2023-Q4 to 2026-Q3 when seeded in late 2026), so the two
    latest complete calendar years can be compared year on year.

    With `filings`, the suppliers also register keys and file their signed disclosures, and
    the lead factory files its own operations' disclosures the same way, all in time order.
    """
    report = SeedReport()
    lead = _org(
        session,
        report,
        kind="lead_factory",
        uscc=LEAD_FACTORY_USCC,
        province="TJ",
        name_zh="津港电子制造（天津）有限公司",
        name_en="Jingang Electronics Manufacturing (Tianjin) Co., Ltd.",
    )
    operator = _org(
        session,
        report,
        kind="operator",
        uscc=complete_uscc(OPERATOR_USCC_BODY),
        province="BJ",
        name_zh="esgx 平台运营",
        name_en="esgx Platform Operations",
    )
    report.lead_factory = lead
    periods = [ensure_period(session, q) for q in last_closed_quarters(today, quarters)]
    report.quarters = [p.key for p in periods]
    suppliers: dict[str, Organization] = {}
    for index, item in enumerate(SUPPLIERS):
        supplier = _org(
            session,
            report,
            kind="supplier",
            uscc=supplier_uscc(index, item),
            province=item.province,
            name_zh=item.name_zh,
            name_en=item.name_en,
        )
        suppliers[item.name_en] = supplier
        rel = _relationship(session, lead, supplier, item, first=Quarter.parse(periods[0].key))
        for period in periods:
            # By supplier and quarter, so a quarter's spend does not depend on the demo's span.
            rng = random.Random(f"{item.name_en}:{period.key}")  # noqa: S311 - demo figures
            factor = Decimal(str(round(rng.uniform(0.8, 1.2), 3)))
            amount = (Decimal(item.quarterly_spend_cny) * factor).quantize(Decimal("0.01"))
            record_spend(session, rel, period, amount=amount, currency="CNY")
    seed_factors(session, lead, suppliers)
    seed_purchases(session, lead, suppliers, periods)
    orgs = {"lead": lead, "operator": operator, **suppliers}
    for user in USERS:
        account = find_user(session, user.email)
        if account is None:
            account = create_user(
                session,
                {
                    "email": user.email,
                    "display_name": user.display_name,
                    "password": DEMO_PASSWORD,
                    "locale": user.locale,
                },
            )
            report.created_users += 1
        add_membership(session, account, orgs[user.org], user.role)
    if filings is not None:
        now = utcnow()
        own = own_operations_steps(
            session,
            lead=lead,
            periods=periods,
            key_dir=filings.key_dir,
            signer=filings.signer,
            now=now,
        )
        report.filings = seed_filings(
            session,
            lead=lead,
            suppliers=suppliers,
            periods=periods,
            key_dir=filings.key_dir,
            signer=filings.signer,
            now=now,
            extra_steps=own.steps,
        )
        report.own_filings = own.accepted
    return report


def _org(session: Session, report: SeedReport, **values: str) -> Organization:
    existing = find_by_uscc(session, values["uscc"])
    if existing is not None:
        return existing
    report.created_orgs += 1
    return create_organization(session, {**values, "country": "CN"})


def _relationship(
    session: Session,
    lead: Organization,
    supplier: Organization,
    item: DemoSupplier,
    *,
    first: Quarter,
) -> SupplyRelationship:
    rel = session.scalar(
        select(SupplyRelationship).where(
            SupplyRelationship.lead_factory_id == lead.id,
            SupplyRelationship.supplier_id == supplier.id,
        )
    )
    if rel is not None:
        return rel
    rel = create_relationship(
        session,
        lead_factory=lead,
        supplier=supplier,
        scope3_category=item.category,
        description=item.description,
        started_on=first.starts_on,
    )
    if item.name_en not in WITHOUT_CONSENT:
        give_consent(session, rel, actor_user_id=None)
    return rel
