"""Recording purchased quantities: validation, upsert and the audit trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent
from esgx_platform.errors import InvalidInput
from esgx_platform.organizations.models import SupplyRelationship
from esgx_platform.organizations.services import create_relationship
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter
from esgx_platform.periods.services import ensure_period
from esgx_platform.rollups.models import RelationshipPurchase
from esgx_platform.rollups.purchase_services import record_purchase
from esgx_platform.rollups.purchases import priced_purchases
from tests.platform.factories import make_org

PRODUCT = "urn:pact:esgx.example:product-id:battery-pack-4s"


@pytest.fixture
def relationship(session: Session) -> SupplyRelationship:
    return create_relationship(
        session,
        lead_factory=make_org(session, "lead_factory", "Lead"),
        supplier=make_org(session, "supplier", "Supplier", "GD"),
        scope3_category=1,
        started_on=date(2025, 1, 1),
    )


@pytest.fixture
def period(session: Session) -> ReportingPeriod:
    return ensure_period(session, Quarter(2025, 2))


def _events(session: Session) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "relationship.purchase_recorded")
            .order_by(AuditEvent.id)
        )
    )


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(RelationshipPurchase)) or 0


def test_records_then_replaces_with_the_previous_value_audited(
    session: Session, relationship: SupplyRelationship, period: ReportingPeriod
) -> None:
    first = record_purchase(
        session, relationship, period, product_id=PRODUCT, quantity=Decimal(1200), unit="piece"
    )
    assert (first.product_id, first.quantity, first.unit) == (PRODUCT, Decimal(1200), "piece")
    again = record_purchase(
        session, relationship, period, product_id=PRODUCT, quantity=Decimal(1500), unit="piece"
    )
    assert again.id == first.id and again.quantity == Decimal(1500)
    assert _count(session) == 1
    created, changed = _events(session)
    assert created.organization_id == relationship.lead_factory_id
    assert created.target_id == str(relationship.id)
    assert created.details == {
        "period": "2025-Q2",
        "productId": PRODUCT,
        "quantity": "1200",
        "unit": "piece",
        "previous": None,
    }
    assert changed.details["quantity"] == "1500"
    assert Decimal(changed.details["previous"]["quantity"]) == 1200
    assert changed.details["previous"]["unit"] == "piece"


def test_the_same_figure_again_changes_nothing(
    session: Session, relationship: SupplyRelationship, period: ReportingPeriod
) -> None:
    for _ in range(2):
        record_purchase(
            session,
            relationship,
            period,
            product_id=PRODUCT,
            quantity=Decimal("12.5"),
            unit="kilogram",
        )
    assert _count(session) == 1 and len(_events(session)) == 1


def test_other_products_and_periods_are_other_rows(
    session: Session, relationship: SupplyRelationship, period: ReportingPeriod
) -> None:
    later = ensure_period(session, Quarter(2025, 3))
    record_purchase(session, relationship, period, product_id=PRODUCT, quantity=1, unit="piece")
    record_purchase(session, relationship, later, product_id=PRODUCT, quantity=1, unit="piece")
    record_purchase(
        session, relationship, period, product_id=PRODUCT + "-b", quantity="2", unit="piece"
    )
    assert _count(session) == 3


def test_product_id_is_trimmed(
    session: Session, relationship: SupplyRelationship, period: ReportingPeriod
) -> None:
    row = record_purchase(
        session, relationship, period, product_id=f"  {PRODUCT}\n", quantity=1, unit="piece"
    )
    assert row.product_id == PRODUCT


@pytest.mark.parametrize(
    ("values", "paths"),
    [
        ({"quantity": Decimal(0)}, ["quantity"]),
        ({"quantity": Decimal(-3)}, ["quantity"]),
        ({"quantity": Decimal("NaN")}, ["quantity"]),
        ({"quantity": Decimal("Infinity")}, ["quantity"]),
        ({"quantity": Decimal("0.0000001")}, ["quantity"]),
        ({"quantity": Decimal(10) ** 18}, ["quantity"]),
        ({"quantity": "lots"}, ["quantity"]),
        ({"quantity": 1.5}, ["quantity"]),
        ({"quantity": True}, ["quantity"]),
        ({"unit": "pieces"}, ["unit"]),
        ({"unit": "kg"}, ["unit"]),
        ({"product_id": ""}, ["product_id"]),
        ({"product_id": "   "}, ["product_id"]),
        ({"product_id": "BAT-4S"}, ["product_id"]),
        ({"product_id": "urn:pact:" + "x" * 200}, ["product_id"]),
        (
            {"product_id": "", "quantity": Decimal(0), "unit": "box"},
            ["product_id", "quantity", "unit"],
        ),
    ],
)
def test_invalid_input_names_every_bad_field_in_both_languages(
    session: Session,
    relationship: SupplyRelationship,
    period: ReportingPeriod,
    values: dict[str, Any],
    paths: list[str],
) -> None:
    given: dict[str, Any] = {"product_id": PRODUCT, "quantity": Decimal(5), "unit": "piece"}
    with pytest.raises(InvalidInput) as caught:
        record_purchase(session, relationship, period, **{**given, **values})
    assert [e.path for e in caught.value.errors] == paths
    for error in caught.value.errors:
        assert error.message.en and error.message.zh and error.message.en != error.message.zh
    assert _count(session) == 0 and _events(session) == []


def test_longest_product_id_and_every_declared_unit_are_accepted(
    session: Session, relationship: SupplyRelationship, period: ReportingPeriod
) -> None:
    longest = "urn:pact:" + "p" * (200 - len("urn:pact:"))
    record_purchase(session, relationship, period, product_id=longest, quantity=1, unit="piece")
    for unit in (
        "liter",
        "kilogram",
        "cubic meter",
        "kilowatt hour",
        "megajoule",
        "ton kilometer",
        "square meter",
        "hour",
        "megabit second",
    ):
        record_purchase(
            session,
            relationship,
            period,
            product_id=f"{PRODUCT}:{unit.replace(' ', '-')}",
            quantity=Decimal("0.000001"),
            unit=unit,
        )
    assert _count(session) == 10


def test_the_roll_up_reads_recorded_purchases(
    session: Session, relationship: SupplyRelationship, period: ReportingPeriod
) -> None:
    record_purchase(session, relationship, period, product_id=PRODUCT, quantity=10, unit="piece")
    priced = priced_purchases(
        session, lead_factory_id=relationship.lead_factory_id, periods=[period]
    )
    # No footprint of the supplier's names the product yet: incomplete, so not used.
    facts = priced[(relationship.id, period.id)]
    assert not facts.complete and facts.tco2e == 0
