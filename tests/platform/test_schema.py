"""The schema comes from migrations, matches the models, and keeps its promises."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent
from esgx_platform.audit.services import record_event
from esgx_platform.db import Database
from esgx_platform.migrate import head_revision, is_at_head, schema_drift
from esgx_platform.organizations.models import Organization
from tests.platform.factories import make_org


def test_migrations_are_at_head(connection: Connection) -> None:
    assert head_revision() is not None
    assert is_at_head(connection)


def test_models_and_migrations_do_not_drift(connection: Connection) -> None:
    assert schema_drift(connection) == []


def test_each_test_runs_in_a_rolled_back_transaction(session: Session, database: Database) -> None:
    org = make_org(session, "supplier", "Isolation Probe Ltd.")
    session.commit()  # releases a savepoint only: the outer transaction is still open
    assert session.get(Organization, org.id) is not None
    with database.engine.connect() as other:
        seen = other.execute(select(Organization.id).where(Organization.id == org.id)).first()
    assert seen is None


def test_audit_log_refuses_update_and_delete(session: Session) -> None:
    event = record_event(session, action="test.probe", details={"n": 1})
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(
            update(AuditEvent).where(AuditEvent.id == event.id).values(action="test.rewritten")
        )
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": event.id})
    assert (
        session.scalar(select(AuditEvent.action).where(AuditEvent.id == event.id)) == "test.probe"
    )


def test_times_come_back_timezone_aware_utc(session: Session) -> None:
    org = make_org(session, "supplier", "Clock Ltd.")
    session.commit()
    session.expire(org)
    assert org.created_at.tzinfo is not None
    assert org.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_naive_datetimes_are_refused(session: Session) -> None:
    from datetime import datetime

    from sqlalchemy.exc import StatementError

    org = make_org(session, "supplier", "Naive Ltd.")
    org.created_at = datetime(2025, 1, 1)  # noqa: DTZ001 - the point of the test
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()
