"""Reading a ranking's inputs from real signed filings (the roll-up's fold plus typed columns)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from esgx_platform.organizations.services import withdraw_consent
from esgx_platform.scoring.facts import SupplierFacts
from esgx_platform.scoring.gather import gather_inputs
from esgx_platform.scoring.services import compute_ranking, record_rating
from tests.platform.rollups.world import Scenario, at, disclosure_subject

D = Decimal
Q1 = "2025-Q1"
QUALIFYING = {
    "programme": "CCER",
    "serials": ["CCER-2024-SC-000001..000020"],
    "vintage": 2024,
    "tco2e": "20.00",
    "retiredOn": "2025-02-15",
    "registry": "China CCER registry",
}
# No registry named: the retirement cannot be verified, so it does not qualify.
UNVERIFIABLE = {
    "programme": "VCS",
    "serials": ["VCS-2024-SC-000001..000010"],
    "vintage": 2024,
    "tco2e": "10.00",
    "retiredOn": "2025-03-01",
}


def world(session: Session) -> tuple[Scenario, dict[str, Any]]:
    """Alpha files 2024-Q1 and 2025-Q1 (assured, a validated target, 40 % renewable, tier-2
    engagement, two offsets of which one qualifies); Beta withdrew consent; Gamma filed late;
    Delta filed nothing; Epsilon was refused at verification."""
    w = Scenario(session)
    w.periods("2024-Q1", Q1)
    alpha, beta, gamma = w.supplier("Alpha"), w.supplier("Beta"), w.supplier("Gamma", category=4)
    delta, epsilon = w.supplier("Delta"), w.supplier("Epsilon")
    w.file(alpha, "2024-Q1", "30.00")
    doc = disclosure_subject(
        Q1,
        w.factory,
        D("25.00"),
        verification="limited",
        target="validated",
        renewable="40.00",
        tier2_reporting="30.0",
    )
    doc["offsets"] = [QUALIFYING, UNVERIFIABLE]
    w.submit(alpha, doc, at("2025-04-15"))
    w.file(beta, Q1, "10.00")
    withdraw_consent(session, beta.relationship, actor_user_id=None)
    w.file(gamma, Q1, "12.00", when=at("2025-05-20"))  # after 30 April's deadline
    broken = disclosure_subject(Q1, w.factory, D("5.00"))
    broken["allocations"][0]["allocatedTco2e"] = "9.00"
    w.file_refused(epsilon, broken, at("2025-04-10"))
    session.flush()
    return w, {"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta, "epsilon": epsilon}


def _by_name(suppliers: tuple[SupplierFacts, ...]) -> dict[str, SupplierFacts]:
    return {s.name_en: s for s in suppliers}


def test_inputs_from_real_filings(session: Session) -> None:
    w, s = world(session)
    inputs = gather_inputs(session, lead_factory_id=w.factory.id, period=Q1)
    assert (inputs.period, inputs.quarters, inputs.reporting_currency) == (Q1, (Q1,), "CNY")
    found = _by_name(inputs.suppliers)
    assert list(found) == ["Alpha", "Beta", "Delta", "Epsilon", "Gamma"]  # by name
    assert {n: [q.status for q in f.quarters] for n, f in found.items()} == {
        "Alpha": ["ok"],
        "Beta": ["noConsent"],
        "Delta": ["notDisclosed"],
        "Epsilon": ["rejected"],
        "Gamma": ["late"],
    }
    (q,) = found["Alpha"].quarters
    f = q.figures
    assert f is not None and f.content_id == s["alpha"].filed[Q1]
    # Scope 1 = 4 × 25 = 100 t, Scope 2 zero; revenue 1,000,000 CNY; 1,000 pieces.
    assert (f.scope1, f.scope2_market, f.revenue, f.output_amount, f.output_unit) == (
        D("100.000000"),
        D(0),
        D("1000000.00"),
        D("1000.000000"),
        "piece",
    )
    assert (f.verification, f.target_status, f.renewable_mwh) == ("limited", "validated", D("40"))
    assert f.sections == ("dataQuality", "targets", "supplyChainEngagement")
    # 30 t of offsets claimed, the 20 t with a registry qualify.
    assert (f.offsets_tco2e, f.qualifying_offsets_tco2e) == (D("30.000000"), D("20.00"))
    # The same quarter a year earlier: Scope 1 = 4 × 30 = 120 t.
    (earlier,) = found["Alpha"].earlier
    assert (earlier.quarter, earlier.scope12, earlier.content_id) == (
        "2024-Q1",
        D("120.000000"),
        s["alpha"].filed["2024-Q1"],
    )
    # Without consent the factory sees nothing: no figures, no history, no content id.
    beta = found["Beta"]
    assert beta.quarters[0].figures is None and beta.earlier == ()
    assert s["beta"].filed[Q1] not in inputs.content_ids()
    assert found["Gamma"].quarters[0].figures is not None


def test_ranking_from_real_filings(session: Session) -> None:
    w, s = world(session)
    record_rating(
        session,
        relationship=s["gamma"].relationship,
        cdp_score="A-",
        ecovadis_medal=None,
        note="CDP 2025",
        actor_user_id=None,
    )
    live = compute_ranking(session, lead_factory_id=w.factory.id, period=Q1)
    cards = {c.supplier.name_en: c for c in live.ranking.scorecards}
    assert live.config.version == 0 and len(cards) == 5
    gamma = cards["Gamma"]
    assert gamma.supplier.rating is not None and gamma.supplier.rating.cdp_score == "A-"
    cdp = next(c for c in gamma.components if c.rule.metric == "cdpScore")
    # A- is level 6 of 0–7: 6 / 7 × 100 = 85.71 points.
    assert (cdp.value.value, cdp.scored.points) == (D(6), D("85.71"))
    offsets = next(c for c in cards["Alpha"].components if c.rule.metric == "offsetQuality")
    assert offsets.value.value == D("66.67")  # 20 of 30 t
    # Everyone is ranked, those without data last, each with its penalty.
    assert [c.supplier.name_en for c in live.ranking.scorecards][-3:] == [
        "Beta",
        "Delta",
        "Epsilon",
    ]
    assert [p.kind.value for p in cards["Epsilon"].penalties] == ["rejected"]
    assert [p.kind.value for p in cards["Gamma"].penalties] == ["late", "unassured"]
