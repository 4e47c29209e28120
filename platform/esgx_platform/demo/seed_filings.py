"""The demo suppliers register keys and file the demo's quarters through the real intake pipeline.

The seeding plays the suppliers' part: their private keys live in files under the instance
folder (as on a supplier's own machine), never in the platform database. Filings are made in
time order with the clock set to when each supplier filed, so on-time figures and log times
look like a platform that has run for three years; other filers (the lead factory's own
operations) join the same time-ordered run, so log times never go backwards. One supplier
restates a quarter; one files a disclosure whose allocation does not add up, which is rejected
and shows in the audit log; one files nothing for the latest quarter.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import clock_at, utcnow
from esgx_platform.demo.filings import filing_time, subject
from esgx_platform.demo.world import SUPPLIERS, DemoSupplier
from esgx_platform.errors import EsgxError
from esgx_platform.intake.credentials import Submitter
from esgx_platform.intake.models import StoredDisclosure
from esgx_platform.intake.pipeline import submit_disclosure
from esgx_platform.intake.receipts import LogSigner
from esgx_platform.keys.services import issue_challenge, register_key
from esgx_platform.ledger.checkpoints import publish_checkpoint
from esgx_platform.organizations.models import Organization, RelationshipSpend, SupplyRelationship
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter
from signing import (
    PrivateKey,
    build_credential,
    build_registration,
    generate_key,
    load_private_key,
    private_key_pem,
    public_jwk,
    sign,
    sign_key_event,
    sign_pop,
)

# Positions in SUPPLIERS of the scripted stories: a restatement, a rejected filing, and a
# supplier (sharing its data with the lead factory) that files nothing for the latest quarter.
RESTATING, REJECTED, SILENT = 0, 1, 16
LATE_SHARE = 0.12


@dataclass
class FilingReport:
    accepted: int = 0
    rejected: int = 0
    restated: int = 0
    skipped_suppliers: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """Something a filer does at a moment: steps run in (at, order) order, with the clock set
    to `at`."""

    at: datetime
    order: int
    run: Callable[[], None]


def seed_filings(
    session: Session,
    *,
    lead: Organization,
    suppliers: dict[str, Organization],
    periods: list[ReportingPeriod],
    key_dir: Path,
    signer: LogSigner,
    now: datetime,
    extra_steps: Sequence[Step] = (),
) -> FilingReport:
    """File the demo's disclosures; suppliers that already filed are left as they are.

    `extra_steps` (other filers') run in the same time order as the suppliers' steps, so the
    log's entries are in the order of their times.
    """
    report = FilingReport()
    steps: list[Step] = list(extra_steps)
    for index, item in enumerate(SUPPLIERS):
        org = suppliers[item.name_en]
        if has_filed(session, org):
            report.skipped_suppliers += 1
            continue
        steps += _supplier_steps(
            session, index, item, org, lead, periods, key_dir, signer, report, now
        )
    for step in sorted(steps, key=lambda s: (s.at, s.order)):
        with clock_at(step.at):
            step.run()
    # One signed checkpoint over everything filed, so receipts and bundles are ready at once.
    publish_checkpoint(session, box=signer.box, origin=signer.origin)
    return report


def has_filed(session: Session, org: Organization) -> bool:
    """Whether the organization has any disclosure on file (then the demo leaves it alone)."""
    count = session.scalar(
        select(func.count())
        .select_from(StoredDisclosure)
        .where(StoredDisclosure.organization_id == org.id)
    )
    return bool(count)


def demo_key(key_dir: Path, org: Organization, alg: str) -> PrivateKey:
    """The organization's private key file, named by its credit code: created once (mode
    0600), reused by later runs."""
    path = key_dir / f"{org.uscc}.pem"
    if path.exists():
        return load_private_key(path.read_bytes())
    key_dir.mkdir(parents=True, exist_ok=True)
    key = generate_key(alg)
    path.touch(mode=0o600)
    path.write_bytes(private_key_pem(key))
    return key


def _supplier_steps(
    session: Session,
    index: int,
    item: DemoSupplier,
    org: Organization,
    lead: Organization,
    periods: list[ReportingPeriod],
    key_dir: Path,
    signer: LogSigner,
    report: FilingReport,
    now: datetime,
) -> list[Step]:
    key = demo_key(key_dir, org, "ES256" if index % 3 == 2 else "Ed25519")
    latest = now - timedelta(hours=1)
    first = Quarter.parse(periods[0].key)
    steps = [
        Step(
            min(filing_time(first, item, False) - timedelta(days=3), latest),
            0,
            lambda: register_demo_key(session, org, key),
        )
    ]
    spends = _spends(session, lead, org)
    rng = random.Random(f"late:{item.name_en}")  # noqa: S311 - demo figures
    for number, period in enumerate(periods):
        quarter = Quarter.parse(period.key)
        at = min(filing_time(quarter, item, rng.random() < LATE_SHARE), latest)
        doc = subject(item, quarter, spends[period.id], lead.urn, org.urn, Decimal(number) / 4)
        filer = _Filer(session, org, key, signer, report)
        if index == REJECTED and number == len(periods) - 1:
            steps.append(Step(at - timedelta(hours=2), 1, filer.file_broken(doc)))
        if index == SILENT and number == len(periods) - 1:
            continue  # not filed: the roll-up estimates the quarter from the spend
        steps.append(Step(at, 2, filer.file(doc)))
        if index == RESTATING and number == len(periods) - 3:
            fixed = subject(
                item,
                quarter,
                spends[period.id],
                lead.urn,
                org.urn,
                Decimal(number) / 4,
                adjust=Decimal("1.035"),
            )
            steps.append(Step(min(at + timedelta(days=9), latest), 3, filer.restate(fixed)))
    return steps


def _spends(session: Session, lead: Organization, org: Organization) -> dict[Any, Decimal]:
    rows = session.execute(
        select(RelationshipSpend.period_id, RelationshipSpend.amount)
        .join(SupplyRelationship, SupplyRelationship.id == RelationshipSpend.relationship_id)
        .where(
            SupplyRelationship.lead_factory_id == lead.id, SupplyRelationship.supplier_id == org.id
        )
    ).all()
    return {period_id: amount for period_id, amount in rows}


def register_demo_key(
    session: Session,
    org: Organization,
    key: PrivateKey,
    *,
    label: str = "demo key (kept by the supplier)",
) -> None:
    """Register `key` for `org` as its owner would: challenge, proof of possession, signed
    event, all at the current (possibly set) clock."""
    challenge = issue_challenge(session, organization=org)
    event = sign_key_event(
        build_registration(organization=org.urn, public_jwk=public_jwk(key), issued_at=utcnow()),
        private_keys=[key],
    )
    register_key(
        session,
        organization=org,
        proof=sign_pop(challenge, private_key=key),
        event=event,
        actor_user_id=None,
        label=label,
    )


@dataclass
class _Filer:
    session: Session
    org: Organization
    key: PrivateKey
    signer: LogSigner
    report: FilingReport
    contents: dict[str, str] = field(default_factory=dict)

    def _submit(self, doc: dict[str, Any]) -> StoredDisclosure | None:
        jws = sign(
            credential=build_credential(subject=doc, issuer=self.org.urn, valid_from=utcnow()),
            private_key=self.key,
        )
        try:
            with self.session.begin_nested():
                accepted = submit_disclosure(
                    self.session,
                    jws=jws,
                    signer=self.signer,
                    with_receipt=False,
                    submitter=Submitter({self.org.id}, None, "demo"),
                )
        except EsgxError as exc:
            self.report.rejected += 1
            record_event(
                self.session,
                action="disclosure.rejected",
                organization_id=self.org.id,
                details={
                    "problem": exc.type_slug,
                    "detail": exc.detail.en,
                    "via": "demo",
                    "errors": [e.path for e in exc.errors],
                    "period": doc["period"],
                },
            )
            return None
        self.report.accepted += 1
        self.contents[doc["period"]] = accepted.disclosure.content_id
        return accepted.disclosure

    def file(self, doc: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            self._submit(doc)

        return run

    def file_broken(self, doc: dict[str, Any]) -> Callable[[], None]:
        broken = {
            **doc,
            "allocations": [
                {
                    **doc["allocations"][0],
                    "allocatedTco2e": str(Decimal(doc["allocations"][0]["allocatedTco2e"]) * 2),
                }
            ],
        }

        def run() -> None:
            self._submit(broken)

        return run

    def restate(self, doc: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            restated = {
                **doc,
                "restates": self.contents[doc["period"]],
                "restatementReason": "Corrected electricity meter reading (meter 3 "
                "was under-read in the last month of the quarter)",
            }
            if self._submit(restated) is not None:
                self.report.restated += 1

        return run
