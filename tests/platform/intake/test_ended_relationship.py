"""A supply relationship that has ended still takes filings (and restatements) for the quarters
it covered, and no longer for later ones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from esgx_platform.errors import EsgxError
from tests.platform.rollups.world import Scenario, at, disclosure_subject


def test_allocations_follow_the_relationships_dates(session: Session) -> None:
    w = Scenario(session)
    alpha = w.supplier("Alpha")
    alpha.relationship.ended_on = date(2025, 6, 30)  # the factory stopped buying mid-year
    session.flush()
    # Q2 2025 was covered: filed late, and restated, both accepted.
    w.file(alpha, "2025-Q2", "40.00", when=at("2025-09-01"))
    w.restate(alpha, "2025-Q2", "41.00", when=at("2025-09-02"))
    # Q3 2025 began after the end: the factory is no longer a customer to allocate to.
    subject = disclosure_subject("2025-Q3", w.factory, Decimal("40.00"))
    with pytest.raises(EsgxError) as refused:
        w.submit(alpha, subject, at("2025-10-10"))
    assert any(e.path.startswith("$.credentialSubject.allocations") for e in refused.value.errors)
