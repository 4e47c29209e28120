"""Shared helpers for the factor tests: a valid spend table and an audit-event counter."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent
from esgx_platform.factors.models import SpendFactorTable
from esgx_platform.factors.services import import_spend_factors

SPEND_CSV = (
    "sector_code,name_en,name_zh,kgco2e_per_unit\n"
    "pcb,Printed circuit boards,印制电路板,0.25\n"
    "glass,Glass,玻璃,1.05\n"
)


def spend_table(session: Session, **overrides: Any) -> SpendFactorTable:
    values: dict[str, Any] = {
        "name": "Test factors",
        "version": "v1",
        "source": "Test source",
        "currency": "USD",
        "price_year": 2022,
        "rows": SPEND_CSV,
        "actor_user_id": None,
        **overrides,
    }
    return import_spend_factors(session, **values)


def audit_count(session: Session, action: str | None = None) -> int:
    stmt = select(func.count()).select_from(AuditEvent)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    return session.scalar(stmt) or 0
