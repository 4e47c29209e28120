"""A small world for roll-up tests, built through the real services and the real intake pipeline.

Suppliers register a key and file signed disclosures exactly as the demo does (the clock set to
the filing time, `submit_disclosure` with a `Submitter`). Every subject is arithmetic a reader
can check: revenue 1,000,000.00 CNY, the lead factory's share 250,000.00 (a quarter), and
Scope 1 = 4 × the allocation, Scope 2 and Scope 3 zero, so the allocation is exactly the figure
asked for (allocable 4a × 250,000 / 1,000,000 = a).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import clock_at, utcnow
from esgx_platform.demo.seed_filings import register_demo_key
from esgx_platform.errors import EsgxError
from esgx_platform.factors.models import SpendFactorTable
from esgx_platform.factors.services import (
    configure_factory,
    import_exchange_rates,
    import_price_indices,
    import_spend_factors,
    set_spend_sector,
)
from esgx_platform.intake.credentials import Submitter, claimed_period
from esgx_platform.intake.footprints import submit_footprint
from esgx_platform.intake.pipeline import submit_disclosure
from esgx_platform.intake.receipts import LogSigner
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.organizations.services import (
    create_relationship,
    give_consent,
    record_spend,
)
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter
from esgx_platform.periods.services import ensure_period
from esgx_platform.rollups.models import RelationshipPurchase
from esgx_platform.rollups.report import report_json
from esgx_platform.rollups.services import RollupReport, compute_rollup
from esgx_platform.secretbox import SecretBox
from signing import PrivateKey, build_credential, generate_key, sign
from tests.platform.factories import make_org

SIGNER = LogSigner(SecretBox(["A" * 43 + "="]), "rollup.test/log")
# Keys are registered before anything is filed (a key must precede what it signs in the log).
REGISTERED_AT = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
REVENUE = Decimal("1000000.00")
FACTORY_SHARE = Decimal("250000.00")  # a quarter of the supplier's revenue
EXAMPLE_FOOTPRINT = Path(__file__).parents[1] / "disclosures" / "example_footprint.json"
RESTATEMENT_REASON = "Corrected meter reading for the last month of the quarter"


def at(day: str, clock: str = "10:00:00") -> datetime:
    """An aware UTC moment from `2025-10-15` (and optionally `23:59:59`)."""
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=UTC)


def on_time(quarter: str) -> datetime:
    """Fifteen days after the quarter ends, 10:00 UTC: on time by any deadline of 15+ days."""
    return datetime.combine(Quarter.parse(quarter).ends_on + timedelta(days=15), time(10), UTC)


@dataclass
class Supplier:
    org: Organization
    relationship: SupplyRelationship
    key: PrivateKey
    filed: dict[str, str] = field(default_factory=dict)  # quarter -> current content id

    @property
    def name(self) -> str:
        return self.org.name_en


def footprint(
    supplier: Organization,
    quarter: str,
    *,
    product: str,
    unit: str,
    kg_per_unit: str,
) -> dict[str, Any]:
    """A PACT footprint of the supplier's for the quarter (from the documented example)."""
    q = Quarter.parse(quarter)
    start = datetime.combine(q.starts_on, time(0), UTC)
    end = datetime.combine(q.next().starts_on, time(0), UTC)
    doc: dict[str, Any] = copy.deepcopy(json.loads(EXAMPLE_FOOTPRINT.read_text("utf-8")))
    doc.update(
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{supplier.urn}:{product}:{quarter}")),
            "created": stamp(end + timedelta(days=4)),
            "validityPeriodStart": stamp(end),
            "validityPeriodEnd": stamp(end + timedelta(days=3 * 365)),
            "companyName": supplier.name_en,
            "companyIds": [supplier.urn],
            "productIds": [product],
        }
    )
    doc["pcf"].update(
        {
            "declaredUnitOfMeasurement": unit,
            "productMassPerDeclaredUnit": "1" if unit == "kilogram" else "0.42",
            "referencePeriodStart": stamp(start),
            "referencePeriodEnd": stamp(end),
            "pcfExcludingBiogenicUptake": kg_per_unit,
            "pcfIncludingBiogenicUptake": kg_per_unit,
            "fossilGhgEmissions": kg_per_unit,
        }
    )
    return doc


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def disclosure_subject(
    quarter: str,
    customer: Organization,
    allocated: Decimal,
    *,
    category: int = 1,
    verification: str = "none",
    target: str = "none",
    electricity: str = "100.00",
    renewable: str = "0.00",
    primary_data_share: str = "60.0",
    tier2_reporting: str | None = None,
    footprints: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A complete, valid credential subject allocating exactly `allocated` tCO2e to
    `customer` (Scope 1 = 4 × allocated; the customer buys a quarter of the revenue)."""
    q = Quarter.parse(quarter)
    energy: dict[str, Any] = {
        "electricityMwh": electricity,
        "totalEnergyMwh": str(Decimal(electricity) * Decimal("1.2")),
        "renewableElectricityMwh": renewable,
    }
    if Decimal(renewable) > 0:
        energy["renewableInstruments"] = [{"type": "onsite", "mwh": renewable}]
    doc: dict[str, Any] = {
        "period": quarter,
        "boundary": "operationalControl",
        "gwpSet": "AR6",
        "scope1": {"tco2e": str(allocated * 4)},
        "scope2": {"locationBasedTco2e": "0.00", "marketBasedTco2e": "0.00"},
        "energy": energy,
        "activity": {
            "revenue": {"amount": str(REVENUE), "currency": "CNY"},
            "output": {"amount": "1000", "unit": "piece"},
        },
        "allocations": [
            {
                "customer": customer.urn,
                "customerScope3Category": category,
                "basis": "economic",
                "customerQuantity": str(FACTORY_SHARE),
                "totalQuantity": str(REVENUE),
                "allocatedTco2e": str(allocated),
                "productFootprintIds": [f["id"] for f in footprints],
            }
        ],
        "productFootprints": list(footprints),
        "dataQuality": {
            "primaryDataShare": primary_data_share,
            "technologicalDQR": "2.0",
            "geographicalDQR": "1.5",
            "temporalDQR": "1.0",
        },
        "verification": {"level": "none"},
    }
    if verification != "none":
        doc["verification"] = {
            "level": verification,
            "provider": "Test Verification Co.",
            "standard": "ISO 14064-3",
            "statementDate": (q.ends_on + timedelta(days=3)).isoformat(),
        }
    if target != "none":
        doc["targets"] = [
            {
                "scope": "1+2",
                "type": "absolute",
                "baseYear": 2023,
                "baseTco2e": "1000.00",
                "targetYear": 2030,
                "reductionPercent": "42.0",
                "status": target,
            }
        ]
    if tier2_reporting is not None:
        doc["supplyChainEngagement"] = {
            "reportingShareBySpend": tier2_reporting,
            "targetsShareBySpend": "10.0",
            "greenFactory": "provincial",
            "takeBack": True,
        }
    return doc


class Scenario:
    """One lead factory and the suppliers, spend, settings and filings a test needs."""

    def __init__(self, session: Session, name: str = "Lead Plant") -> None:
        self.session = session
        self.factory = make_org(session, "lead_factory", name, "TJ")

    # --- periods, suppliers, spend -------------------------------------------------------

    def periods(self, *keys: str) -> list[ReportingPeriod]:
        found = [ensure_period(self.session, Quarter.parse(k)) for k in keys]
        self.session.flush()
        return found

    def supplier(
        self,
        name: str,
        *,
        category: int = 1,
        started_on: date = date(2024, 1, 1),
        consent: bool = True,
        province: str = "JS",
    ) -> Supplier:
        """A supplier with a relationship to the factory (consent given unless told not to)
        and a registered signing key."""
        org = make_org(self.session, "supplier", name, province)
        rel = create_relationship(
            self.session,
            lead_factory=self.factory,
            supplier=org,
            scope3_category=category,
            started_on=started_on,
        )
        if consent:
            give_consent(self.session, rel, actor_user_id=None)
        key = generate_key("Ed25519")
        with clock_at(REGISTERED_AT):
            register_demo_key(self.session, org, key, label="test key")
        return Supplier(org, rel, key)

    def spend(self, supplier: Supplier, quarter: str, amount: str, currency: str = "CNY") -> None:
        (period,) = self.periods(quarter)
        record_spend(
            self.session,
            supplier.relationship,
            period,
            amount=Decimal(amount),
            currency=currency,
        )

    def purchase(
        self, supplier: Supplier, quarter: str, product: str, quantity: str, unit: str
    ) -> RelationshipPurchase:
        """A purchased quantity (no service records these yet: the row directly)."""
        (period,) = self.periods(quarter)
        row = RelationshipPurchase(
            relationship_id=supplier.relationship.id,
            period_id=period.id,
            product_id=product,
            quantity=Decimal(quantity),
            unit=unit,
        )
        self.session.add(row)
        self.session.flush()
        return row

    # --- factors and settings ------------------------------------------------------------

    def factor_table(
        self,
        rows: str,
        *,
        currency: str = "CNY",
        price_year: int = 2025,
        version: str = "v1",
        choose: bool = True,
    ) -> SpendFactorTable:
        """Import a spend-factor table from `sector,kgco2e` lines and (by default) choose it."""
        body = "sector_code,name_en,name_zh,kgco2e_per_unit\n" + "".join(
            f"{code},{code} sector,{code} 行业,{factor}\n"
            for code, factor in (line.split(",") for line in rows.split())
        )
        table = import_spend_factors(
            self.session,
            name=f"Test EEIO {self.factory.uscc}",
            version=version,
            source="Test factors",
            currency=currency,
            price_year=price_year,
            rows=body,
        )
        if choose:
            configure_factory(
                self.session, organization=self.factory, spend_factor_table_id=table.id
            )
        return table

    def rates(self, csv: str) -> None:
        import_exchange_rates(
            self.session, "currency,quote_currency,year,rate\n" + csv, source="Test rates"
        )

    def indices(self, csv: str) -> None:
        import_price_indices(self.session, "currency,year,index\n" + csv, source="Test indices")

    def sector(self, supplier: Supplier, code: str | None) -> None:
        set_spend_sector(self.session, supplier.relationship, code)

    def configure(self, **settings: Any) -> None:
        configure_factory(self.session, organization=self.factory, **settings)

    # --- filings -------------------------------------------------------------------------

    def sign(self, supplier: Supplier, subject: dict[str, Any]) -> str:
        credential = build_credential(subject=subject, issuer=supplier.org.urn, valid_from=utcnow())
        return sign(credential=credential, private_key=supplier.key)

    def submit(self, supplier: Supplier, subject: dict[str, Any], when: datetime) -> str:
        """File one signed subject at `when` through the intake pipeline; its content id."""
        with clock_at(when):
            jws = self.sign(supplier, subject)
            accepted = submit_disclosure(
                self.session,
                jws=jws,
                signer=SIGNER,
                with_receipt=False,
                submitter=Submitter({supplier.org.id}, None, "test"),
            )
        assert not accepted.duplicate
        content_id = accepted.disclosure.content_id
        supplier.filed[subject["period"]] = content_id
        return content_id

    def file_footprint(self, supplier: Supplier, doc: dict[str, Any], when: datetime) -> str:
        """File a stand-alone ProductFootprint credential; its content id."""
        with clock_at(when):
            credential = build_credential(
                subject=doc, issuer=supplier.org.urn, kind="ProductFootprint", valid_from=utcnow()
            )
            filed = submit_footprint(
                self.session,
                jws=sign(credential=credential, private_key=supplier.key),
                submitter=Submitter({supplier.org.id}, None, "test"),
            )
        assert not filed.duplicate
        return filed.credential.content_id

    def file(
        self,
        supplier: Supplier,
        quarter: str,
        allocated: str,
        *,
        when: datetime | None = None,
        **subject: Any,
    ) -> str:
        """A first filing allocating `allocated` tCO2e to the factory."""
        doc = disclosure_subject(quarter, self.factory, Decimal(allocated), **subject)
        return self.submit(supplier, doc, when or on_time(quarter))

    def restate(
        self,
        supplier: Supplier,
        quarter: str,
        allocated: str,
        *,
        when: datetime,
        **subject: Any,
    ) -> str:
        """A restatement of the supplier's current disclosure for the quarter."""
        doc = disclosure_subject(quarter, self.factory, Decimal(allocated), **subject)
        doc["restates"] = supplier.filed[quarter]
        doc["restatementReason"] = RESTATEMENT_REASON
        return self.submit(supplier, doc, when)

    def file_refused(self, supplier: Supplier, subject: dict[str, Any], when: datetime) -> str:
        """Submit a subject the pipeline refuses, and keep the audit event the API keeps
        (web/intake_api.py `_rejected`: the claimed period read from the unverified JWS)."""
        with clock_at(when):
            jws = self.sign(supplier, subject)
            try:
                with self.session.begin_nested():
                    submit_disclosure(
                        self.session,
                        jws=jws,
                        signer=SIGNER,
                        with_receipt=False,
                        submitter=Submitter({supplier.org.id}, None, "test"),
                    )
            except EsgxError as exc:
                record_event(
                    self.session,
                    action="disclosure.rejected",
                    organization_id=supplier.org.id,
                    details={
                        "problem": exc.type_slug,
                        "detail": exc.detail.en,
                        "via": "test",
                        "period": claimed_period(jws),
                    },
                )
                return exc.type_slug
        raise AssertionError("the pipeline accepted a subject meant to be refused")

    # --- reading -------------------------------------------------------------------------

    def rollup(self, period: str) -> RollupReport:
        return compute_rollup(self.session, lead_factory_id=self.factory.id, period=period)

    def report(self, period: str) -> dict[str, Any]:
        return report_json(self.rollup(period))


def supplier_entry(body: dict[str, Any], supplier: Supplier) -> dict[str, Any]:
    """The supplier's drill-down entry in a report_json body."""
    found: list[dict[str, Any]] = [
        s for s in body["suppliers"] if s["supplierId"] == str(supplier.org.id)
    ]
    (entry,) = found
    return entry


def line(body: dict[str, Any], supplier: Supplier, quarter: str) -> dict[str, Any]:
    """The supplier's quarter line in a report_json body."""
    quarters: list[dict[str, Any]] = supplier_entry(body, supplier)["quarters"]
    (found,) = [q for q in quarters if q["quarter"] == quarter]
    return found


def who(body: dict[str, Any], status: str) -> list[tuple[str, str]]:
    """(supplier name, quarter) pairs listed under `status` in a report_json body."""
    return sorted((s["name"], s["quarter"]) for s in body["status"][status])
