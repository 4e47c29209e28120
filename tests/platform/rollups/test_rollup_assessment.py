"""An assessment gathers the roll-up: its snapshot names exactly the disclosures used, its
metrics are the roll-up's shares, and the snapshot can never be changed afterwards."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP
from decimal import Decimal as D  # noqa: N817 - the worked examples read better

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from esgx_platform.assessment.records import AssessmentSnapshot
from esgx_platform.assessment.services import list_snapshots, run_assessment
from tests.platform.rollups.world import Scenario, Supplier, at

QUARTERS = [f"2025-Q{n}" for n in range(1, 5)]


def _world(session: Session) -> tuple[Scenario, Supplier, Supplier, str]:
    """2025, four quarters, three suppliers; the figures the metrics are checked against:

    - Alpha (cat 1, consent, assured): 40.00 t allocated each quarter on 100,000 CNY; Q2 first
      filed as 40.00 and restated (after the Q2 deadline) as 50.00: 40 + 50 + 40 + 40 = 170 t.
    - Beta (cat 4, consent, never files): pcb at 0.5 kg/CNY on 60,000 CNY a quarter:
      4 x 30 = 120 t.
    - Gamma (cat 1, no consent): files 9.99 t a quarter, which the factory cannot use; pcb on
      20,000 CNY a quarter: 4 x 10 = 40 t.
    Total 330 t on 4 x (100,000 + 60,000 + 20,000) = 720,000 CNY.
    """
    w = Scenario(session)
    w.factor_table("pcb,0.5")
    alpha = w.supplier("Alpha", category=1)
    beta = w.supplier("Beta", category=4)
    gamma = w.supplier("Gamma", category=1, consent=False)
    w.sector(beta, "pcb")
    w.sector(gamma, "pcb")
    for q in QUARTERS:
        w.spend(alpha, q, "100000.00")
        w.spend(beta, q, "60000.00")
        w.spend(gamma, q, "20000.00")
        w.file(alpha, q, "40.00", verification="limited")
        w.file(gamma, q, "9.99", verification="limited")
    replaced = alpha.filed["2025-Q2"]
    w.restate(alpha, "2025-Q2", "50.00", when=at("2025-08-20"), verification="limited")
    return w, alpha, gamma, replaced


def _four(value: D) -> str:
    return str(value.quantize(D("0.0001"), rounding=ROUND_HALF_UP))


def test_snapshot_lists_the_disclosures_used_and_the_rollups_shares(session: Session) -> None:
    w, alpha, gamma, replaced = _world(session)
    snapshot = run_assessment(session, organization=w.factory, year=2025, actor_user_id=None)

    assert [s.id for s in list_snapshots(session, w.factory.id)] == [snapshot.id]
    # Exactly Alpha's four current disclosures: not the one its restatement replaced, nor
    # any of Gamma's (no consent).
    used = sorted(alpha.filed[q] for q in QUARTERS)
    assert snapshot.inputs["supplierDisclosures"] == used
    assert snapshot.inputs["ownDisclosures"] == []
    text = json.dumps([snapshot.inputs, snapshot.metrics, snapshot.result])
    assert replaced not in text
    assert all(gamma.filed[q] not in text for q in QUARTERS)

    metrics = snapshot.metrics
    # Supplier data 170 / 330 = 51.5151...%; coverage by spend 400,000 / 720,000 = 55.5555...%
    assert metrics["scope3_supplier_data_pct"] == "51.5152"
    assert metrics["scope3_coverage_by_spend_pct"] == "55.5556"
    assert metrics["scope3_primary_data_pct"] == "60.0000"
    # On time (every quarter, by the first filing): Alpha only: 1 of 3 by count; by spend
    # 400,000 / 720,000.
    assert metrics["suppliers_on_time_pct_by_count"] == "33.3333"
    assert metrics["suppliers_on_time_pct_by_spend"] == "55.5556"
    # Assured by emissions: Alpha's 170 of 330 t (Gamma's assurance is not visible).
    assert metrics["suppliers_assured_pct_by_emissions"] == "51.5152"
    # No 2024 to compare with.
    assert metrics["allocated_supplier_emissions_yoy_pct"] is None

    # ... and they are the roll-up's own figures, at four places.
    report = w.rollup("2025")
    total = report.rollup.total.summary()
    assert report.rollup.total.tco2e == D(330)
    for metric, value in (
        ("scope3_supplier_data_pct", total["supplierDataPct"]),
        ("scope3_coverage_by_spend_pct", total["coverageBySpendPct"]),
        ("suppliers_on_time_pct_by_count", report.indicators["onTime"].by_count),
        ("suppliers_assured_pct_by_emissions", report.indicators["assured"].by_emissions),
    ):
        assert isinstance(value, D)
        assert metrics[metric] == _four(value)
    assert snapshot.result["rollup"]["total"]["contentIds"] == used
    # Every supplier-quarter line is kept, so each tonne traces to its method and source;
    # Gamma (no consent) shows only its spend-based estimate, with no source of its own.
    lines = {
        s["name"]["en"]: [(q["quarter"], q["method"], q["contentIds"]) for q in s["quarters"]]
        for s in snapshot.result["rollup"]["suppliers"]
    }
    assert [cid for _, _, ids in lines["Alpha"] for cid in ids] == [
        alpha.filed[q] for q in QUARTERS
    ]
    assert {m for _, m, ids in lines["Gamma"] if not ids} == {"spend_based"}


def test_a_snapshot_cannot_be_updated(session: Session) -> None:
    w, _, _, _ = _world(session)
    snapshot = run_assessment(session, organization=w.factory, year=2025, actor_user_id=None)
    grade = snapshot.grade
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(
            update(AssessmentSnapshot)
            .where(AssessmentSnapshot.id == snapshot.id)
            .values(grade="gold")
        )
    # The test's transaction survived (the savepoint was rolled back); nothing changed.
    session.expire_all()
    stored = session.scalar(
        select(AssessmentSnapshot.grade).where(AssessmentSnapshot.id == snapshot.id)
    )
    assert stored == grade != "gold"
