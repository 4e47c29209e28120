"""Creating organizations and supply relationships, consent and spend."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.errors import Conflict, FieldError, InvalidInput, NotFound
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import (
    Organization,
    OrgKind,
    RelationshipSpend,
    SupplyRelationship,
)
from esgx_platform.organizations.schemas import OrganizationCreateSchema
from esgx_platform.organizations.uscc import validate_uscc
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.schemas import load


def create_organization(
    session: Session, data: dict[str, Any], *, actor_user_id: uuid.UUID | None = None
) -> Organization:
    """Validate and create an organization; raises InvalidInput or Conflict (code taken)."""
    values = load(OrganizationCreateSchema(), data)
    if values["uscc"]:
        values["uscc"] = validate_uscc(values["uscc"])
        if find_by_uscc(session, values["uscc"]) is not None:
            raise Conflict(
                Text("An organization with this credit code exists.", "该信用代码的组织已存在。"),
                errors=(FieldError("$.uscc", Text("Already registered.", "已被注册。")),),
            )
    org = Organization(**values)
    session.add(org)
    session.flush()
    record_event(
        session,
        action="organization.created",
        actor_user_id=actor_user_id,
        organization_id=org.id,
        target_type="organization",
        target_id=org.id,
        details={"kind": org.kind.value, "uscc": org.uscc},
    )
    return org


def find_by_uscc(session: Session, uscc: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.uscc == uscc.upper()))


def get_organization(session: Session, org_id: uuid.UUID) -> Organization:
    """The organization or NotFound. Callers check access first (see tenancy)."""
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(Text("No such organization.", "组织不存在。"))
    return org


def create_relationship(
    session: Session,
    *,
    lead_factory: Organization,
    supplier: Organization,
    scope3_category: int,
    started_on: date,
    description: str | None = None,
    actor_user_id: uuid.UUID | None = None,
) -> SupplyRelationship:
    """Record that `lead_factory` buys from `supplier`; consent is given separately."""
    if lead_factory.kind is not OrgKind.LEAD_FACTORY or supplier.kind is not OrgKind.SUPPLIER:
        raise InvalidInput(
            Text(
                "A supply relationship links a lead factory to a supplier.",
                "供应关系须连接一家龙头工厂与一家供应商。",
            )
        )
    if not 1 <= scope3_category <= 15:
        raise InvalidInput(Text("Scope 3 category must be 1 to 15.", "范围三类别须为 1 至 15。"))
    existing = session.scalar(
        select(SupplyRelationship).where(
            SupplyRelationship.lead_factory_id == lead_factory.id,
            SupplyRelationship.supplier_id == supplier.id,
        )
    )
    if existing is not None:
        raise Conflict(Text("This relationship exists already.", "该供应关系已存在。"))
    rel = SupplyRelationship(
        lead_factory_id=lead_factory.id,
        supplier_id=supplier.id,
        scope3_category=scope3_category,
        started_on=started_on,
        description=description,
    )
    session.add(rel)
    session.flush()
    record_event(
        session,
        action="relationship.created",
        actor_user_id=actor_user_id,
        organization_id=supplier.id,
        target_type="supply_relationship",
        target_id=rel.id,
        details={"lead_factory_id": str(lead_factory.id), "scope3_category": scope3_category},
    )
    return rel


def give_consent(
    session: Session, relationship: SupplyRelationship, *, actor_user_id: uuid.UUID | None
) -> None:
    """The supplier allows the lead factory to see its verified figures."""
    relationship.consent_given_at = utcnow()
    relationship.consent_withdrawn_at = None
    session.flush()
    record_event(
        session,
        action="relationship.consent_given",
        actor_user_id=actor_user_id,
        organization_id=relationship.supplier_id,
        target_type="supply_relationship",
        target_id=relationship.id,
    )


def withdraw_consent(
    session: Session, relationship: SupplyRelationship, *, actor_user_id: uuid.UUID | None
) -> None:
    relationship.consent_withdrawn_at = utcnow()
    session.flush()
    record_event(
        session,
        action="relationship.consent_withdrawn",
        actor_user_id=actor_user_id,
        organization_id=relationship.supplier_id,
        target_type="supply_relationship",
        target_id=relationship.id,
    )


def record_spend(
    session: Session,
    relationship: SupplyRelationship,
    period: ReportingPeriod,
    *,
    amount: Decimal,
    currency: str,
    actor_user_id: uuid.UUID | None = None,
) -> RelationshipSpend:
    """Set the spend for one period (replacing an earlier figure for the same period)."""
    if amount < 0:
        raise InvalidInput(Text("Spend cannot be negative.", "采购额不能为负数。"))
    spend = session.scalar(
        select(RelationshipSpend).where(
            RelationshipSpend.relationship_id == relationship.id,
            RelationshipSpend.period_id == period.id,
        )
    )
    previous: dict[str, str] | None = None
    if spend is None:
        spend = RelationshipSpend(
            relationship_id=relationship.id, period_id=period.id, amount=amount, currency=currency
        )
        session.add(spend)
    elif spend.amount == amount and spend.currency == currency:
        return spend  # unchanged: nothing to record
    else:
        previous = {"amount": str(spend.amount), "currency": spend.currency}
        spend.amount, spend.currency = amount, currency
    session.flush()
    # Spend drives spend-based estimates, so a changed figure must stay traceable.
    record_event(
        session,
        action="relationship.spend_recorded",
        actor_user_id=actor_user_id,
        organization_id=relationship.lead_factory_id,
        target_type="supply_relationship",
        target_id=relationship.id,
        details={
            "period": period.key,
            "amount": str(amount),
            "currency": currency,
            "previous": previous,
        },
    )
    return spend


def list_relationships(
    session: Session,
    *,
    lead_factory_id: uuid.UUID | None = None,
    supplier_id: uuid.UUID | None = None,
) -> list[SupplyRelationship]:
    stmt = select(SupplyRelationship)
    if lead_factory_id is not None:
        stmt = stmt.where(SupplyRelationship.lead_factory_id == lead_factory_id)
    if supplier_id is not None:
        stmt = stmt.where(SupplyRelationship.supplier_id == supplier_id)
    return list(session.scalars(stmt))
