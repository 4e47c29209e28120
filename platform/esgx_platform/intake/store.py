"""Mapping a parsed disclosure onto the stored rows (typed figures, children, serials)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from esgx_platform.disclosures.figures import upstream_scope3
from esgx_platform.disclosures.model import Disclosure, ProductFootprint, TargetStatus
from esgx_platform.disclosures.serials import SerialRange
from esgx_platform.intake.models import (
    DisclosureAllocation,
    DisclosureEngagement,
    DisclosureScope3,
    OffsetSerialRange,
    StoredDisclosure,
    StoredFootprint,
)
from esgx_platform.pact.index import index_footprints
from esgx_platform.periods.models import ReportingPeriod
from signing import VerifiedCredential

# Best target status first: the figure a ranking reads is the strongest commitment made.
_TARGET_ORDER = (TargetStatus.NET_ZERO, TargetStatus.VALIDATED, TargetStatus.COMMITTED)


@dataclass(frozen=True)
class Provenance:
    """Where a disclosure came from and where the log put it."""

    organization_id: uuid.UUID
    period: ReportingPeriod
    signing_key_id: uuid.UUID
    log_index: int
    logged_at: datetime
    submitted_by: uuid.UUID | None
    submitted_via: str
    restates_id: uuid.UUID | None


def best_target_status(d: Disclosure) -> str:
    statuses = {t.status for t in d.targets}
    return next((s.value for s in _TARGET_ORDER if s in statuses), TargetStatus.NONE.value)


def disclosure_row(
    d: Disclosure, credential: VerifiedCredential, origin: Provenance, warnings: list[Any]
) -> StoredDisclosure:
    quality, verification = d.data_quality, d.verification
    return StoredDisclosure(
        id=uuid.uuid4(),
        organization_id=origin.organization_id,
        period_id=origin.period.id,
        period_key=d.period.key,
        kind="EmissionDisclosure",
        content_id=credential.content_id,
        jws=credential.jws,
        jws_sha256=jws_sha256(credential.jws),
        issuer=credential.issuer,
        kid=credential.kid,
        signing_key_id=origin.signing_key_id,
        log_index=origin.log_index,
        logged_at=origin.logged_at,
        restates_id=origin.restates_id,
        restatement_reason=d.restatement_reason,
        submitted_by=origin.submitted_by,
        submitted_via=origin.submitted_via,
        on_time=origin.logged_at <= origin.period.deadline,
        boundary=d.boundary.value,
        gwp_set=d.gwp_set.value,
        scope1_tco2e=d.scope1.tco2e,
        scope2_location_tco2e=d.scope2.location_based_tco2e,
        scope2_market_tco2e=d.scope2.market_based_tco2e,
        scope3_upstream_tco2e=upstream_scope3(d),
        scope3_total_tco2e=sum((e.tco2e for e in d.scope3), Decimal(0)),
        electricity_mwh=d.energy.electricity_mwh,
        total_energy_mwh=d.energy.total_energy_mwh,
        renewable_electricity_mwh=d.energy.renewable_electricity_mwh,
        revenue_amount=d.activity.revenue.amount,
        revenue_currency=d.activity.revenue.currency,
        output_amount=d.activity.output.amount,
        output_unit=d.activity.output.unit.value,
        primary_data_share=quality.primary_data_share if quality else None,
        technological_dqr=quality.technological_dqr if quality else None,
        geographical_dqr=quality.geographical_dqr if quality else None,
        temporal_dqr=quality.temporal_dqr if quality else None,
        verification_level=verification.level.value if verification else "none",
        verification_statement_date=verification.statement_date if verification else None,
        best_target_status=best_target_status(d),
        offsets_tco2e=sum((o.tco2e for o in d.offsets), Decimal(0)),
        warnings=warnings,
    )


def jws_sha256(text: str) -> str:
    """SHA-256 hex of a compact JWS (what the log entry's jwsSha256 binds)."""
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def add_children(
    session: Session,
    d: Disclosure,
    row: StoredDisclosure,
    customers: dict[str, uuid.UUID],
    *,
    new_serials: list[SerialRange],
    new_footprints: dict[uuid.UUID, dict[str, Any]],
) -> None:
    """Allocations, Scope 3 rows, the serials first claimed here, and product footprints."""
    session.add_all(
        DisclosureAllocation(
            disclosure_id=row.id,
            customer_id=customers[a.customer],
            customer_scope3_category=a.customer_scope3_category,
            basis=a.basis.value,
            customer_quantity=a.customer_quantity,
            total_quantity=a.total_quantity,
            allocated_tco2e=a.allocated_tco2e,
            product_footprint_ids=[str(i) for i in a.product_footprint_ids],
        )
        for a in d.allocations
    )
    session.add_all(
        DisclosureScope3(
            disclosure_id=row.id, category=e.category, tco2e=e.tco2e, method=e.method.value
        )
        for e in d.scope3
    )
    session.add_all(
        OffsetSerialRange(
            prefix=s.prefix,
            first=Decimal(s.first),
            last=Decimal(s.last),
            serial=serial_text(s),
            organization_id=row.organization_id,
            period_id=row.period_id,
            disclosure_id=row.id,
        )
        for s in new_serials
    )
    engagement = d.supply_chain_engagement
    if engagement is not None:
        session.add(
            DisclosureEngagement(
                disclosure_id=row.id,
                reporting_share_by_spend=engagement.reporting_share_by_spend,
                targets_share_by_spend=engagement.targets_share_by_spend,
                green_factory=engagement.green_factory.value if engagement.green_factory else None,
                take_back=engagement.take_back,
            )
        )
    # The footprints as filed (PACT tolerates members the platform does not model).
    footprints = [
        footprint_row(pf, new_footprints[pf.id], row.organization_id, disclosure_id=row.id)
        for pf in d.product_footprints
        if pf.id in new_footprints
    ]
    session.add_all(footprints)
    index_footprints(session, footprints, log_index=row.log_index)


def footprint_row(
    pf: ProductFootprint,
    body: dict[str, Any],
    organization_id: uuid.UUID,
    *,
    disclosure_id: uuid.UUID | None = None,
    credential_id: uuid.UUID | None = None,
) -> StoredFootprint:
    """A footprint's typed filter columns, with the footprint as filed."""
    pcf = pf.pcf
    return StoredFootprint(
        id=pf.id,
        organization_id=organization_id,
        disclosure_id=disclosure_id,
        credential_id=credential_id,
        spec_version=pf.spec_version,
        created=pf.created,
        status=pf.status.value,
        product_ids=list(pf.product_ids),
        company_ids=list(pf.company_ids),
        classifications=list(pf.product_classifications),
        preceding_ids=[str(i) for i in pf.preceding_pf_ids],
        geography_country=pcf.geography_country,
        geography_subdivision=pcf.geography_country_subdivision,
        geography_region=pcf.geography_region_or_subregion,
        reference_period_start=pcf.reference_period_start,
        reference_period_end=pcf.reference_period_end,
        validity_start=pf.validity_period_start,
        validity_end=pf.validity_period_end,
        declared_unit=pcf.declared_unit_of_measurement.value,
        pcf_excluding_biogenic=pcf.pcf_excluding_biogenic_uptake,
        body=body,
    )


def serial_text(s: SerialRange) -> str:
    return s.prefix if s.first == s.last == 0 else f"{s.prefix}{s.first}..{s.last}"
