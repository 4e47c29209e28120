"""A lead factory's roll-up settings and the spend sector of its supply relationships."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent
from esgx_platform.errors import InvalidInput
from esgx_platform.factors.services import configure_factory, factory_settings, set_spend_sector
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.organizations.services import create_relationship
from esgx_platform.rollups.models import FactorySettings
from tests.platform.factories import make_org
from tests.platform.factors.helpers import audit_count, spend_table


@pytest.fixture
def lead(session: Session) -> Organization:
    return make_org(session, "lead_factory", "Lead")


@pytest.fixture
def relationship(session: Session, lead: Organization) -> SupplyRelationship:
    supplier = make_org(session, "supplier", "Supplier", "JS")
    return create_relationship(
        session,
        lead_factory=lead,
        supplier=supplier,
        scope3_category=1,
        started_on=date(2025, 1, 1),
    )


def test_defaults_are_transient_and_never_stored(session: Session, lead: Organization) -> None:
    settings = factory_settings(session, lead.id)
    assert (
        settings.deadline_days,
        settings.renewable_threshold_pct,
        settings.reporting_currency,
        settings.spend_factor_table_id,
    ) == (30, Decimal(50), "CNY", None)
    assert settings not in session
    session.flush()
    assert session.scalar(select(func.count()).select_from(FactorySettings)) == 0


def test_configure_creates_then_changes_only_what_is_given(
    session: Session, lead: Organization
) -> None:
    table = spend_table(session)
    events = audit_count(session)
    settings = configure_factory(
        session, organization=lead, spend_factor_table_id=table.id, deadline_days=45
    )
    assert session.get(FactorySettings, lead.id) is settings
    assert (settings.spend_factor_table_id, settings.deadline_days) == (table.id, 45)
    assert settings.reporting_currency == "CNY"
    configure_factory(
        session,
        organization=lead,
        renewable_threshold_pct=Decimal("62.5"),
        reporting_currency="USD",
    )
    stored = factory_settings(session, lead.id)
    assert (stored.spend_factor_table_id, stored.deadline_days) == (table.id, 45)
    assert (stored.renewable_threshold_pct, stored.reporting_currency) == (Decimal("62.5"), "USD")
    changes = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "factory.configured")
    ).all()
    assert audit_count(session) == events + 2
    first = next(e for e in changes if "deadline_days" in e.details)
    assert first.organization_id == lead.id
    assert first.details["deadline_days"] == {"previous": "30", "value": "45"}
    assert first.details["spend_factor_table_id"] == {"previous": None, "value": str(table.id)}


def test_configure_with_the_same_values_records_nothing(
    session: Session, lead: Organization
) -> None:
    configure_factory(session, organization=lead, deadline_days=45)
    events = audit_count(session)
    configure_factory(session, organization=lead, deadline_days=45, renewable_threshold_pct=50)
    assert audit_count(session) == events


def test_no_table_is_a_choice(session: Session, lead: Organization) -> None:
    table = spend_table(session)
    configure_factory(session, organization=lead, spend_factor_table_id=table.id)
    configure_factory(session, organization=lead, spend_factor_table_id=None)
    assert factory_settings(session, lead.id).spend_factor_table_id is None


def test_configure_reports_every_bad_value_and_changes_nothing(
    session: Session, lead: Organization
) -> None:
    configure_factory(session, organization=lead, deadline_days=45)
    events = audit_count(session)
    with pytest.raises(InvalidInput) as exc:
        configure_factory(
            session,
            organization=lead,
            spend_factor_table_id=uuid.uuid4(),
            reporting_currency="rmb",
            deadline_days=181,
            renewable_threshold_pct=Decimal("100.5"),
        )
    assert [(e.path, e.message.en, e.message.zh) for e in exc.value.errors] == [
        ("spend_factor_table_id", "No such spend-factor table.", "支出排放因子表不存在。"),
        (
            "reporting_currency",
            "Use an ISO 4217 code of three capital letters, e.g. CNY.",
            "请使用三个大写字母的 ISO 4217 代码，例如 CNY。",
        ),
        ("deadline_days", "From 1 to 180 days.", "须为 1 至 180 天。"),
        ("renewable_threshold_pct", "From 0 to 100 percent.", "须为 0 至 100%。"),
    ]
    assert exc.value.detail.en == "The settings have 4 error(s); nothing was changed."
    assert factory_settings(session, lead.id).deadline_days == 45
    assert audit_count(session) == events


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("deadline_days", 1, True),
        ("deadline_days", 180, True),
        ("deadline_days", 0, False),
        ("renewable_threshold_pct", Decimal(0), True),
        ("renewable_threshold_pct", Decimal(100), True),
        ("renewable_threshold_pct", Decimal(-1), False),
        ("renewable_threshold_pct", Decimal("NaN"), False),
    ],
)
def test_range_edges(
    session: Session, lead: Organization, field: str, value: object, ok: bool
) -> None:
    if ok:
        configure_factory(session, organization=lead, **{field: value})  # type: ignore[arg-type]
        assert getattr(factory_settings(session, lead.id), field) == value
    else:
        with pytest.raises(InvalidInput) as exc:
            configure_factory(session, organization=lead, **{field: value})  # type: ignore[arg-type]
        assert [e.path for e in exc.value.errors] == [field]


def test_only_a_lead_factory_has_settings(session: Session) -> None:
    supplier = make_org(session, "supplier", "Supplier")
    with pytest.raises(InvalidInput) as exc:
        configure_factory(session, organization=supplier, deadline_days=10)
    assert exc.value.detail.en == "Only a lead factory has roll-up settings."
    assert exc.value.detail.zh == "只有龙头工厂才有汇总设置。"
    assert session.get(FactorySettings, supplier.id) is None


def test_set_spend_sector_is_audited_and_idempotent(
    session: Session, relationship: SupplyRelationship
) -> None:
    events = audit_count(session)
    set_spend_sector(session, relationship, "pcb", actor_user_id=None)
    assert relationship.spend_sector_code == "pcb"
    set_spend_sector(session, relationship, "pcb", actor_user_id=None)
    assert audit_count(session) == events + 1
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "relationship.spend_sector_set")
    ).one()
    assert event.details == {"sector_code": "pcb", "previous": None}
    assert event.organization_id == relationship.lead_factory_id
    set_spend_sector(session, relationship, None, actor_user_id=None)
    assert relationship.spend_sector_code is None


def test_set_spend_sector_refuses_malformed_codes(
    session: Session, relationship: SupplyRelationship
) -> None:
    with pytest.raises(InvalidInput) as exc:
        set_spend_sector(session, relationship, "pcb boards", actor_user_id=None)
    assert [e.path for e in exc.value.errors] == ["sector_code"]
    assert relationship.spend_sector_code is None


def test_with_a_chosen_table_the_sector_must_be_in_it(
    session: Session, lead: Organization, relationship: SupplyRelationship
) -> None:
    table = spend_table(session)
    configure_factory(session, organization=lead, spend_factor_table_id=table.id)
    set_spend_sector(session, relationship, "glass", actor_user_id=None)
    with pytest.raises(InvalidInput) as exc:
        set_spend_sector(session, relationship, "steel", actor_user_id=None)
    assert (
        exc.value.detail.en
        == "The lead factory's spend-factor table Test factors v1 has no sector steel."
    )
    assert exc.value.detail.zh == "该龙头工厂的支出排放因子表 Test factors v1 中没有行业 steel。"
    assert relationship.spend_sector_code == "glass"
