"""Reading a ranking's inputs: the roll-up's supplier-quarters plus a few typed columns more.

The roll-up's fold (`rollups/services.py`) already reads every relationship-quarter with
consent, on-time status, rejections and the current disclosure's quality facts; the
scorecard adds, in set-based queries keyed by the same current disclosures, the figures the
roll-up does not need (Scope 1 and 2, revenue, output, offsets, which optional sections were
given), earlier years' figures for the trend metrics, and procurement's ratings. Offsets are
judged from the signed payload, read only for disclosures that claim some.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, exists, func, select
from sqlalchemy.orm import Session

from esgx_platform.assessment.neutrality import RetiredOffset, judge_offsets
from esgx_platform.assessment.own_operations import OwnQuarter, serials_used_elsewhere, subject_of
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.errors import NotFound
from esgx_platform.factors.rates import load_conversions
from esgx_platform.factors.services import factory_settings
from esgx_platform.factors.spend import Conversions
from esgx_platform.i18n import Text
from esgx_platform.intake.models import (
    DisclosureEngagement,
    DisclosureHead,
    DisclosureScope3,
    StoredDisclosure,
    StoredFootprint,
)
from esgx_platform.organizations.models import SupplyRelationship
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter
from esgx_platform.rollups.engine import Line, SupplierPeriod, by_supplier, status_of
from esgx_platform.rollups.facts import DisclosureFacts
from esgx_platform.rollups.services import fold, parse_period, periods_for
from esgx_platform.scoring.facts import (
    OK,
    Earlier,
    Figures,
    QuarterFacts,
    Rating,
    ScoringInputs,
    SupplierFacts,
)
from esgx_platform.scoring.records import SupplierRating

ZERO = Decimal(0)


def gather_inputs(session: Session, *, lead_factory_id: uuid.UUID, period: str) -> ScoringInputs:
    """Everything the ranking of `period` (a year or a quarter) depends on, as plain data;
    raises InvalidInput for a malformed period and NotFound when none of its quarters exist."""
    year, _ = parse_period(period)
    periods = periods_for(session, period)
    if not periods:
        raise NotFound(Text("No reporting period {p}.", "没有报告期 {p}。").format(p=period))
    settings = factory_settings(session, lead_factory_id)
    currency = settings.reporting_currency
    conversions = load_conversions(session)
    groups = by_supplier(fold(session, lead_factory_id, period, periods).lines)
    extra = {r.content_id: r for r in _extra(session, lead_factory_id, [p.id for p in periods])}
    qualifying = _qualifying_offsets(session, extra.values())
    earlier = _earlier(session, lead_factory_id, {p.quarter for p in periods}, year)
    ratings = current_ratings(session, lead_factory_id)
    suppliers = []
    for group in groups:
        rid = group.relationship_id
        quarters = tuple(
            _quarter(line, extra, qualifying, currency, year, conversions)
            for line in sorted(group.lines, key=lambda ln: ln.row.quarter)
        )
        consent = group.latest.row.consent
        history = earlier.get(group.latest.row.supplier_id, []) if consent else []
        suppliers.append(
            _supplier(group, quarters, history, ratings.get(rid), currency, year, conversions)
        )
    suppliers.sort(key=lambda s: (s.name_en, str(s.relationship_id)))
    return ScoringInputs(
        lead_factory_id=lead_factory_id,
        period=period,
        quarters=tuple(p.key for p in periods),
        reporting_currency=currency,
        deadline_days=settings.deadline_days,
        suppliers=tuple(suppliers),
    )


def _supplier(
    group: SupplierPeriod,
    quarters: tuple[QuarterFacts, ...],
    history: Sequence[Row[Any]],
    rating: Rating | None,
    currency: str,
    year: int,
    conversions: Conversions,
) -> SupplierFacts:
    row = group.latest.row
    return SupplierFacts(
        relationship_id=group.relationship_id,
        supplier_id=row.supplier_id,
        name_en=row.supplier_en,
        name_zh=row.supplier_zh,
        province=row.province,
        category=row.category,
        spend=group.spend,
        quarters=quarters,
        earlier=tuple(
            Earlier(
                quarter=h.key,
                content_id=h.content_id,
                scope12=h.scope1_tco2e + h.scope2_market_tco2e,
                revenue=conversions.convert(h.revenue_amount, h.revenue_currency, currency, year),
            )
            for h in sorted(history, key=lambda h: h.key)
        ),
        rating=rating,
    )


def _quarter(
    line: Line,
    extra: dict[str, Row[Any]],
    qualifying: dict[str, Decimal],
    currency: str,
    year: int,
    conversions: Conversions,
) -> QuarterFacts:
    row = line.row
    status = status_of(row) or OK
    d = row.disclosure  # None without consent: the roll-up saw to it
    if d is None or d.content_id not in extra:
        return QuarterFacts(row.quarter, status, None)
    return QuarterFacts(
        row.quarter,
        status,
        _figures(d, extra[d.content_id], qualifying, currency, year, conversions),
    )


def _figures(
    d: DisclosureFacts,
    x: Row[Any],
    qualifying: dict[str, Decimal],
    currency: str,
    year: int,
    conversions: Conversions,
) -> Figures:
    sections = {
        "scope3": bool(x.has_scope3),
        "dataQuality": d.primary_data_share is not None,
        "targets": d.target_status != "none",
        "productFootprints": bool(x.has_footprints) or d.footprints_linked,
        "supplyChainEngagement": bool(x.has_engagement),
    }
    return Figures(
        content_id=d.content_id,
        scope1=x.scope1_tco2e,
        scope2_market=x.scope2_market_tco2e,
        revenue_amount=x.revenue_amount,
        revenue_currency=x.revenue_currency,
        revenue=conversions.convert(x.revenue_amount, x.revenue_currency, currency, year),
        output_amount=x.output_amount,
        output_unit=x.output_unit,
        electricity_mwh=d.electricity_mwh,
        renewable_mwh=d.renewable_mwh,
        primary_data_share=d.primary_data_share,
        mean_dqr=d.mean_dqr,
        verification=d.verification_level,
        target_status=d.target_status,
        sections=tuple(k for k, given in sections.items() if given),
        offsets_tco2e=x.offsets_tco2e,
        qualifying_offsets_tco2e=qualifying.get(d.content_id, ZERO),
    )


def _suppliers_of(lead_factory_id: uuid.UUID) -> Any:
    return select(SupplyRelationship.supplier_id).where(
        SupplyRelationship.lead_factory_id == lead_factory_id
    )


def _extra(
    session: Session, lead_factory_id: uuid.UUID, period_ids: list[uuid.UUID]
) -> list[Row[Any]]:
    """The current disclosures' figures the roll-up does not read, one row per disclosure."""
    d = StoredDisclosure
    return list(
        session.execute(
            select(
                d.content_id,
                d.organization_id,
                d.period_id,
                d.period_key,
                d.scope1_tco2e,
                d.scope2_market_tco2e,
                d.revenue_amount,
                d.revenue_currency,
                d.output_amount,
                d.output_unit,
                d.offsets_tco2e,
                exists().where(DisclosureScope3.disclosure_id == d.id).label("has_scope3"),
                exists().where(StoredFootprint.disclosure_id == d.id).label("has_footprints"),
                exists().where(DisclosureEngagement.disclosure_id == d.id).label("has_engagement"),
            )
            .join(DisclosureHead, DisclosureHead.disclosure_id == d.id)
            .where(
                DisclosureHead.period_id.in_(period_ids),
                DisclosureHead.organization_id.in_(_suppliers_of(lead_factory_id)),
            )
        )
    )


def _earlier(
    session: Session, lead_factory_id: uuid.UUID, quarters: set[int], year: int
) -> dict[uuid.UUID, list[Row[Any]]]:
    """Current disclosures of the same quarter numbers in every earlier year, by supplier."""
    d, per = StoredDisclosure, ReportingPeriod
    rows: Iterable[Row[Any]] = session.execute(
        select(
            DisclosureHead.organization_id,
            per.key,
            d.content_id,
            d.scope1_tco2e,
            d.scope2_market_tco2e,
            d.revenue_amount,
            d.revenue_currency,
        )
        .join(d, d.id == DisclosureHead.disclosure_id)
        .join(per, per.id == DisclosureHead.period_id)
        .where(
            per.year < year,
            per.quarter.in_(sorted(quarters)),
            DisclosureHead.organization_id.in_(_suppliers_of(lead_factory_id)),
        )
    )
    found: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        found[row.organization_id].append(row)
    return found


def _qualifying_offsets(session: Session, rows: Iterable[Row[Any]]) -> dict[str, Decimal]:
    """Qualifying tCO2e of the disclosures that claim offsets, judged by the PAS 2060 /
    ISO 14068-1 rules of `assessment/neutrality.py` for the disclosure's own quarter."""
    claiming = {r.content_id: r for r in rows if r.offsets_tco2e > 0}
    if not claiming:
        return {}
    payloads = session.execute(
        select(StoredDisclosure.content_id, StoredDisclosure.jws).where(
            StoredDisclosure.content_id.in_(list(claiming))
        )
    )
    found: dict[str, Decimal] = {}
    for content_id, jws in payloads:
        r = claiming[content_id]
        disclosure = parse_disclosure(subject_of(jws))
        own = OwnQuarter(r.period_key, r.period_id, content_id, disclosure)
        quarter = Quarter.parse(r.period_key)
        verdicts = judge_offsets(
            [_retired(o) for o in disclosure.offsets],
            period_start=quarter.starts_on,
            period_end=quarter.ends_on,
            used_elsewhere=frozenset(serials_used_elsewhere(session, r.organization_id, own)),
        )
        found[content_id] = sum((v.offset.tco2e for v in verdicts if v.qualifies), ZERO)
    return found


def _retired(o: Any) -> RetiredOffset:
    return RetiredOffset(
        serials=o.serials,
        registry=o.registry,
        vintage=o.vintage,
        tco2e=o.tco2e,
        retired_on=o.retired_on,
        standard=o.standard,
        programme=o.programme.value,
    )


def current_ratings(session: Session, lead_factory_id: uuid.UUID) -> dict[uuid.UUID, Rating]:
    """The current (highest-version) rating of each of the factory's relationships."""
    latest = (
        select(SupplierRating.relationship_id, func.max(SupplierRating.version).label("version"))
        .join(SupplyRelationship, SupplyRelationship.id == SupplierRating.relationship_id)
        .where(SupplyRelationship.lead_factory_id == lead_factory_id)
        .group_by(SupplierRating.relationship_id)
        .subquery()
    )
    rows = session.scalars(
        select(SupplierRating).join(
            latest,
            (latest.c.relationship_id == SupplierRating.relationship_id)
            & (latest.c.version == SupplierRating.version),
        )
    )
    return {
        r.relationship_id: Rating(r.id, r.cdp_score, r.ecovadis_medal, r.recorded_at.isoformat())
        for r in rows
    }
