"""The roll-up read from stored disclosures with set-based SQL, end to end: suppliers file
signed disclosures through the real intake pipeline, the factory records spend, settings and
factors through the real services, and `compute_rollup` / `report_json` must say exactly what
the filed figures imply. The arithmetic is written out next to every expected figure."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D  # noqa: N817 - the worked examples read better
from typing import Any

import pytest
from sqlalchemy.orm import Session

from esgx_platform.errors import InvalidInput
from esgx_platform.factors.spend import NO_RATE, NO_SECTOR, NO_TABLE
from esgx_platform.organizations.services import (
    create_relationship,
    give_consent,
    withdraw_consent,
)
from esgx_platform.periods.quarters import Quarter
from esgx_platform.rollups.facts import Method
from tests.platform.rollups.world import (
    Scenario,
    Supplier,
    at,
    disclosure_subject,
    footprint,
    line,
    supplier_entry,
    who,
)

Q3 = "2025-Q3"
BRACKET = "urn:pact:esgx.test:product-id:bracket"
WIDGET = "urn:pact:esgx.test:product-id:widget"


def dumped(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


# --- 1. hybrid -----------------------------------------------------------------------------


def test_consenting_suppliers_allocation_is_used_with_its_content_id(session: Session) -> None:
    w = Scenario(session)
    w.factor_table("pcb,0.5")  # kgCO2e per CNY at 2025 prices
    alpha = w.supplier("Alpha", category=1)
    beta = w.supplier("Beta", category=4)
    w.sector(beta, "pcb")
    w.spend(alpha, Q3, "200000.00")
    w.spend(beta, Q3, "100000.00")
    cid = w.file(alpha, Q3, "120.50")

    body = w.report(Q3)
    total = body["total"]
    # Alpha: its allocation to this factory, 120.50 t (hybrid).
    # Beta: no filing, 100,000 CNY x 0.5 kg/CNY / 1000 = 50.000000 t (spend-based).
    # Total 120.50 + 50 = 170.50 t.
    assert total["tco2e"] == "170.500000"
    assert total["byMethod"] == {"hybrid": "120.500000", "spend_based": "50.000000"}
    assert total["linesByMethod"] == {"hybrid": 1, "spend_based": 1}
    # Supplier data 120.5 / 170.5 = 70.674...%; coverage by spend 200,000 / 300,000 = 66.666...%
    assert total["supplierDataPct"] == "70.67"
    assert total["coverageBySpendPct"] == "66.67"
    assert total["spend"] == "300000.00"
    # Primary data share is weighted over supplier-data lines only: Alpha's 60.0 %; mean DQR
    # (2.0 + 1.5 + 1.0) / 3 = 1.5.
    assert (total["primaryDataPct"], total["meanDqr"]) == ("60.00", "1.50")
    assert total["byAssurance"] == {"estimate": "50.000000", "none": "120.500000"}
    assert total["contentIds"] == [cid]
    # 170.5 t per 300,000 CNY = 170.5 x 1,000,000 / 300,000 = 568.333... t per million
    assert body["intensityPerMillion"] == "568.33"

    # Per category: Alpha is category 1, Beta category 4.
    assert body["categories"]["1"]["tco2e"] == "120.500000"
    assert body["categories"]["1"]["contentIds"] == [cid]
    assert body["categories"]["4"]["tco2e"] == "50.000000"
    assert body["categories"]["4"]["contentIds"] == []

    q = line(body, alpha, Q3)
    assert (q["method"], q["tco2e"], q["spend"]) == ("hybrid", "120.500000", "200000.00")
    assert q["contentIds"] == [cid]
    assert (q["disclosed"], q["onTime"], q["rejected"], q["estimateNote"]) == (
        True,
        True,
        False,
        None,
    )
    assert line(body, beta, Q3)["contentIds"] == []
    # Largest emitter first in the drill-down.
    assert [s["name"]["en"] for s in body["suppliers"]] == ["Alpha", "Beta"]
    assert body["status"] == {
        "notDisclosed": [{"supplierId": str(beta.org.id), "name": "Beta", "quarter": Q3}],
        "late": [],
        "rejected": [],
        "noConsent": [],
        "notDue": [],
    }


def test_an_allocation_to_another_customer_is_not_this_factorys(session: Session) -> None:
    """The factory reads only the allocation naming it: a supplier that allocated nothing to
    it has filed, but contributes a spend-based estimate and no content id."""
    w = Scenario(session)
    other = Scenario(session, "Other Plant")
    w.factor_table("pcb,0.5")
    alpha = w.supplier("Alpha")
    w.sector(alpha, "pcb")
    w.spend(alpha, Q3, "10000.00")
    # Alpha also supplies the other factory (with consent), and allocates only to it.
    theirs_rel = create_relationship(
        session,
        lead_factory=other.factory,
        supplier=alpha.org,
        scope3_category=1,
        started_on=date(2024, 1, 1),
    )
    give_consent(session, theirs_rel, actor_user_id=None)
    cid = w.submit(alpha, disclosure_subject(Q3, other.factory, D("40.00")), at("2025-10-10"))

    body = w.report(Q3)
    # 10,000 CNY x 0.5 / 1000 = 5.000000 t, spend-based; filed, so not "not disclosed".
    q = line(body, alpha, Q3)
    assert (q["method"], q["tco2e"], q["contentIds"], q["disclosed"]) == (
        "spend_based",
        "5.000000",
        [],
        True,
    )
    assert cid not in dumped(body) and body["status"]["notDisclosed"] == []
    # The other factory uses the 40.00 t allocated to it.
    theirs = line(other.report(Q3), alpha, Q3)
    assert (theirs["method"], theirs["tco2e"], theirs["contentIds"]) == (
        "hybrid",
        "40.000000",
        [cid],
    )


# --- 2. restatement ------------------------------------------------------------------------


def test_restatement_replaces_the_figure_and_on_time_is_the_first_filing(
    session: Session,
) -> None:
    w = Scenario(session)
    alpha = w.supplier("Alpha")
    w.spend(alpha, Q3, "50000.00")
    # Filed 2025-10-20, before the default deadline 2025-09-30 + 30 days = 2025-10-30 23:59:59.
    first = w.file(alpha, Q3, "100.00", when=at("2025-10-20"))
    before = w.report(Q3)
    assert before["total"]["tco2e"] == "100.000000"
    assert before["total"]["contentIds"] == [first]
    # The restatement, 16 days after the deadline, corrects the figure to 110.00 t.
    second = w.restate(alpha, Q3, "110.00", when=at("2025-11-15"))
    assert second != first

    report = w.rollup(Q3)
    body = w.report(Q3)
    assert body["total"]["tco2e"] == "110.000000"
    assert body["total"]["byMethod"] == {"hybrid": "110.000000"}
    assert body["total"]["contentIds"] == [second]
    q = line(body, alpha, Q3)
    assert (q["tco2e"], q["contentIds"], q["onTime"]) == ("110.000000", [second], True)
    assert first not in dumped(body)
    # On time by the first filing: no late supplier, and the on-time share is whole.
    assert body["status"]["late"] == []
    assert body["responsibilityExtension"]["onTime"]["count"] == 1
    (row,) = [ln.row for ln in report.rollup.lines]
    assert row.disclosure is not None
    assert (row.disclosure.version, row.disclosure.filed_on_time) == (2, True)


def test_late_first_filing_stays_late_after_a_restatement(session: Session) -> None:
    w = Scenario(session)
    alpha = w.supplier("Alpha")
    # First filed 2025-11-02, after 2025-10-30 23:59:59; restated later still.
    w.file(alpha, Q3, "100.00", when=at("2025-11-02"))
    second = w.restate(alpha, Q3, "95.00", when=at("2025-11-20"))
    body = w.report(Q3)
    assert line(body, alpha, Q3)["onTime"] is False
    assert who(body, "late") == [("Alpha", Q3)]
    assert body["total"]["contentIds"] == [second]


# --- 3. no consent -------------------------------------------------------------------------


def _private_supplier(w: Scenario, name: str, allocated: str, spend: str, **kw: Any) -> Supplier:
    """A supplier that files a rich disclosure (assured, validated target, 80 % renewable,
    tier-2 figures) and has spend in sector pcb."""
    s = w.supplier(name, **kw)
    w.sector(s, "pcb")
    w.spend(s, Q3, spend)
    w.file(
        s,
        Q3,
        allocated,
        verification="limited",
        target="validated",
        renewable="80.00",
        tier2_reporting="42.0",
    )
    return s


def test_withheld_or_withdrawn_consent_leaves_only_a_spend_estimate(session: Session) -> None:
    w = Scenario(session)
    w.factor_table("pcb,0.5")
    gamma = _private_supplier(w, "Gamma", "87.65", "40000.00", consent=False)
    delta = _private_supplier(w, "Delta", "43.21", "60000.00")
    withdraw_consent(session, delta.relationship, actor_user_id=None)

    body = w.report(Q3)
    text = dumped(body)
    # Gamma 40,000 x 0.5 / 1000 = 20.000000 t; Delta 60,000 x 0.5 / 1000 = 30.000000 t.
    assert body["total"]["tco2e"] == "50.000000"
    assert body["total"]["byMethod"] == {"spend_based": "50.000000"}
    assert body["total"]["contentIds"] == []
    assert body["total"]["supplierDataPct"] == "0.00"
    for s, tonnes in ((gamma, "20.000000"), (delta, "30.000000")):
        q = line(body, s, Q3)
        assert (q["method"], q["tco2e"], q["contentIds"]) == ("spend_based", tonnes, [])
        # What was filed (and when) is not the factory's to know.
        assert (q["disclosed"], q["onTime"], q["rejected"]) == (None, None, None)
        assert supplier_entry(body, s)["consent"] is False
        assert s.filed[Q3] not in text
    for figure in ("87.65", "43.21", "42.00"):
        assert figure not in text
    assert who(body, "noConsent") == [("Delta", Q3), ("Gamma", Q3)]
    assert body["status"]["notDisclosed"] == [] and body["status"]["late"] == []
    # Both are assured, with validated targets and 80 % renewables: none of it counts.
    shares = body["responsibilityExtension"]
    for indicator in ("onTime", "assured", "withTargets", "renewableAboveThreshold"):
        assert (shares[indicator]["count"], shares[indicator]["of"]) == (0, 2)
    assert body["tier2"] == {
        "reportingPctBySpend": None,
        "targetsPctBySpend": None,
        "greenFactories": 0,
    }

    # Consent given again: Delta's allocation and content id are back (the control).
    give_consent(session, delta.relationship, actor_user_id=None)
    again = w.report(Q3)
    assert line(again, delta, Q3)["contentIds"] == [delta.filed[Q3]]
    # 20 (Gamma, estimate) + 43.21 (Delta, hybrid) = 63.21 t
    assert again["total"]["tco2e"] == "63.210000"
    assert again["responsibilityExtension"]["assured"]["count"] == 1
    assert again["tier2"]["reportingPctBySpend"] == "42.00"


def test_purchases_of_a_supplier_without_consent_are_not_priced(session: Session) -> None:
    w = Scenario(session)
    gamma = w.supplier("Gamma", consent=False)
    pf = footprint(gamma.org, Q3, product=BRACKET, unit="kilogram", kg_per_unit="2.5")
    w.file(gamma, Q3, "75.00", footprints=[pf])
    w.purchase(gamma, Q3, BRACKET, "1000", "kilogram")
    body = w.report(Q3)
    # The priced purchases do not even reach the engine.
    (row,) = [ln.row for ln in w.rollup(Q3).rollup.lines]
    assert (row.consent, row.purchases, row.disclosure) == (False, None, None)
    q = line(body, gamma, Q3)
    # No table, no spend: nothing usable without consent.
    assert (q["method"], q["tco2e"], q["contentIds"]) == ("missing", "0.000000", [])
    assert body["responsibilityExtension"]["withFootprints"]["count"] == 0


# --- 4. not disclosed ----------------------------------------------------------------------


def test_suppliers_that_did_not_file_are_estimated_from_spend_or_missing(
    session: Session,
) -> None:
    w = Scenario(session)
    w.factor_table("pcb,0.5 glass,1.05")
    beta = w.supplier("Beta")
    epsilon = w.supplier("Epsilon")
    zeta = w.supplier("Zeta")
    w.sector(beta, "pcb")
    w.sector(zeta, "glass")
    w.spend(beta, Q3, "100000.00")
    w.spend(epsilon, Q3, "30000.00")  # no sector chosen
    w.periods(Q3)  # Zeta: a sector, but no spend recorded

    body = w.report(Q3)
    # Beta: 100,000 CNY x 0.5 kg/CNY / 1000 = 50.000000 t.
    b = line(body, beta, Q3)
    assert (b["method"], b["tco2e"], b["estimateNote"]) == ("spend_based", "50.000000", None)
    assert (b["disclosed"], b["onTime"], b["contentIds"]) == (False, False, [])
    # Epsilon: spend but no sector: missing, and the note says why.
    e = line(body, epsilon, Q3)
    assert (e["method"], e["tco2e"], e["spend"]) == ("missing", "0.000000", "30000.00")
    assert e["estimateNote"] == {"en": NO_SECTOR.en, "zh": NO_SECTOR.zh}
    z = line(body, zeta, Q3)
    assert (z["method"], z["spend"]) == ("missing", None)
    assert body["total"]["tco2e"] == "50.000000"
    assert body["total"]["byMethod"] == {"missing": "0.000000", "spend_based": "50.000000"}
    assert body["total"]["linesByMethod"] == {"missing": 2, "spend_based": 1}
    assert body["total"]["byAssurance"] == {"estimate": "50.000000", "missing": "0.000000"}
    # No supplier data at all: 0 % of emissions and of spend (130,000 CNY).
    assert (body["total"]["supplierDataPct"], body["total"]["coverageBySpendPct"]) == (
        "0.00",
        "0.00",
    )
    assert body["total"]["spend"] == "130000.00"
    assert who(body, "notDisclosed") == [("Beta", Q3), ("Epsilon", Q3), ("Zeta", Q3)]
    assert body["settings"]["spendFactorTable"] == f"Test EEIO {w.factory.uscc} v1"

    # Without a chosen table nothing can be estimated, and the note says so.
    w.configure(spend_factor_table_id=None)
    bare = w.report(Q3)
    b = line(bare, beta, Q3)
    assert (b["method"], b["estimateNote"]) == ("missing", {"en": NO_TABLE.en, "zh": NO_TABLE.zh})
    assert bare["total"]["tco2e"] == "0.000000"
    assert bare["settings"]["spendFactorTable"] is None


def test_a_sector_must_be_in_the_chosen_table(session: Session) -> None:
    w = Scenario(session)
    w.factor_table("pcb,0.5")
    beta = w.supplier("Beta")
    with pytest.raises(InvalidInput, match="has no sector steel"):
        w.sector(beta, "steel")
    assert beta.relationship.spend_sector_code is None


# --- 5. currencies -------------------------------------------------------------------------


def test_spend_in_usd_is_converted_and_repriced_for_a_cny_table(session: Session) -> None:
    w = Scenario(session)
    w.factor_table("steel,1.2", currency="CNY", price_year=2023)  # kgCO2e per CNY of 2023
    w.rates("USD,CNY,2025,7.2\n")  # 1 USD = 7.2 CNY, 2025 average
    w.indices("CNY,2023,100\nCNY,2025,104\n")  # prices rose 4 % from 2023 to 2025
    eta = w.supplier("Eta")
    theta = w.supplier("Theta")
    iota = w.supplier("Iota")
    for s in (eta, iota):
        w.sector(s, "steel")
    w.spend(eta, Q3, "10000.00", "USD")
    w.spend(theta, Q3, "28000.00", "CNY")
    w.spend(iota, Q3, "5000.00", "EUR")  # no EUR rate imported
    w.file(theta, Q3, "12.00")

    body = w.report(Q3)
    # Eta: 10,000 USD x 7.2 = 72,000 CNY at 2025 prices
    #      x 100 / 104 = 69,230.769230... CNY at 2023 prices
    #      x 1.2 kg/CNY = 83,076.923076... kg / 1000 = 83.076923 t (rounded to the gram).
    e = line(body, eta, Q3)
    assert (e["method"], e["tco2e"], e["spend"]) == ("spend_based", "83.076923", "72000.00")
    # Iota: EUR cannot be converted: no estimate, the reason given, no spend counted.
    i = line(body, iota, Q3)
    assert (i["method"], i["spend"]) == ("missing", None)
    no_rate = NO_RATE.format(c="EUR", q="CNY", y=2025)
    assert i["estimateNote"] == {"en": no_rate.en, "zh": no_rate.zh}
    # Total 83.076923 + 12.00 (Theta, hybrid) = 95.076923 t; spend 72,000 + 28,000 = 100,000
    # CNY, of which Theta's 28,000 has supplier data: 28.00 %.
    assert body["total"]["tco2e"] == "95.076923"
    assert body["total"]["spend"] == "100000.00"
    assert body["total"]["coverageBySpendPct"] == "28.00"
    assert body["settings"]["reportingCurrency"] == "CNY"

    # Reporting in USD: the CNY spend is converted with the inverse rate, the estimate (in the
    # table's currency) does not change, nor does the coverage share.
    w.configure(reporting_currency="USD")
    usd = w.report(Q3)
    assert line(usd, eta, Q3)["spend"] == "10000.00"
    # 28,000 CNY / 7.2 = 3,888.888... USD
    assert line(usd, theta, Q3)["spend"] == "3888.89"
    # 10,000 + 3,888.888... = 13,888.888... USD; 3,888.89 / 13,888.89 = 28.00 %
    assert usd["total"]["spend"] == "13888.89"
    assert usd["total"]["coverageBySpendPct"] == "28.00"
    assert line(usd, eta, Q3)["tco2e"] == "83.076923"
    assert usd["settings"]["reportingCurrency"] == "USD"


def test_missing_price_index_means_no_estimate(session: Session) -> None:
    w = Scenario(session)
    w.factor_table("steel,1.2", currency="CNY", price_year=2023)
    w.indices("CNY,2023,100\n")  # no 2025 index
    eta = w.supplier("Eta")
    w.sector(eta, "steel")
    w.spend(eta, Q3, "1000.00")
    e = line(w.report(Q3), eta, Q3)
    assert e["method"] == "missing"
    assert e["estimateNote"]["en"] == "No price index for CNY in 2025 and 2023."


# --- 6. rejected ---------------------------------------------------------------------------


def test_a_refused_filing_without_an_accepted_one_shows_as_rejected(session: Session) -> None:
    w = Scenario(session)
    kappa = w.supplier("Kappa")
    lam = w.supplier("Lambda")
    mu = w.supplier("Mu")
    w.periods("2025-Q2", Q3)
    # Kappa's allocation is doubled: 2 x 30.00 = 60.00 is not 120 x 250,000 / 1,000,000 = 30.
    broken = disclosure_subject(Q3, w.factory, D("30.00"))
    broken["allocations"][0]["allocatedTco2e"] = "60.00"
    assert w.file_refused(kappa, broken, at("2025-10-12")) == "rule-violation"
    # Lambda was refused once, then filed correctly.
    lam_broken = disclosure_subject(Q3, w.factory, D("20.00"))
    lam_broken["allocations"][0]["allocatedTco2e"] = "40.00"
    w.file_refused(lam, lam_broken, at("2025-10-12"))
    accepted = w.file(lam, Q3, "20.00", when=at("2025-10-13"))
    # Mu was refused for another quarter only.
    mu_broken = disclosure_subject("2025-Q2", w.factory, D("10.00"))
    mu_broken["allocations"][0]["allocatedTco2e"] = "11.00"
    w.file_refused(mu, mu_broken, at("2025-07-20"))

    body = w.report(Q3)
    assert who(body, "rejected") == [("Kappa", Q3)]
    assert who(body, "notDisclosed") == [("Mu", Q3)]
    k = line(body, kappa, Q3)
    assert (k["rejected"], k["disclosed"], k["method"]) == (True, False, "missing")
    lam_line = line(body, lam, Q3)
    assert (lam_line["rejected"], lam_line["method"], lam_line["contentIds"]) == (
        False,
        "hybrid",
        [accepted],
    )
    assert line(body, mu, Q3)["rejected"] is False
    # In Q2 it is Mu that was refused.
    q2 = w.report("2025-Q2")
    assert who(q2, "rejected") == [("Mu", "2025-Q2")]


def test_a_rejected_event_recorded_directly_counts_too(session: Session) -> None:
    from esgx_platform.audit.services import record_event

    w = Scenario(session)
    kappa = w.supplier("Kappa")
    w.periods(Q3)
    record_event(
        session,
        action="disclosure.rejected",
        organization_id=kappa.org.id,
        details={"problem": "schema-invalid", "via": "test", "period": Q3},
    )
    # An event of another action naming the quarter does not count.
    nu = w.supplier("Nu")
    record_event(
        session,
        action="key.rejected",
        organization_id=nu.org.id,
        details={"problem": "key-conflict", "period": Q3},
    )
    body = w.report(Q3)
    assert who(body, "rejected") == [("Kappa", Q3)]
    assert who(body, "notDisclosed") == [("Nu", Q3)]


# --- 7. relationship dates -----------------------------------------------------------------


def test_relationships_count_only_in_periods_they_overlap(session: Session) -> None:
    w = Scenario(session)
    quarters = [f"2025-Q{n}" for n in range(1, 5)]
    w.periods(*quarters)
    pi = w.supplier("Pi")  # throughout
    nu = w.supplier("Nu")  # ends on the last day of Q2
    xi = w.supplier("Xi", started_on=date(2025, 10, 1))  # starts on the first day of Q4
    omicron = w.supplier("Omicron", started_on=date(2023, 1, 1))  # ended before 2025
    chi = w.supplier("Chi", started_on=date(2025, 8, 15))  # starts mid-Q3
    psi = w.supplier("Psi")  # ends mid-Q2
    w.file(nu, "2025-Q1", "10.00")
    w.file(nu, "2025-Q2", "20.00")
    # No service ends a relationship yet: the column directly.
    nu.relationship.ended_on = date(2025, 6, 30)
    omicron.relationship.ended_on = date(2024, 12, 31)
    psi.relationship.ended_on = date(2025, 5, 15)
    session.flush()

    def names(period: str) -> list[str]:
        return sorted(s["name"]["en"] for s in w.report(period)["suppliers"])

    assert names("2025-Q1") == ["Nu", "Pi", "Psi"]
    assert names("2025-Q2") == ["Nu", "Pi", "Psi"]
    assert names("2025-Q3") == ["Chi", "Pi"]
    assert names("2025-Q4") == ["Chi", "Pi", "Xi"]
    year = w.report("2025")
    assert "Omicron" not in dumped(year) and str(omicron.org.id) not in dumped(year)
    quarters_of = {
        s["name"]["en"]: [q["quarter"] for q in s["quarters"]] for s in year["suppliers"]
    }
    assert quarters_of == {
        "Pi": quarters,
        "Nu": ["2025-Q1", "2025-Q2"],
        "Xi": ["2025-Q4"],
        "Chi": ["2025-Q3", "2025-Q4"],
        "Psi": ["2025-Q1", "2025-Q2"],
    }
    # Nu's filed quarters still count: 10.00 + 20.00 = 30.00 t.
    assert year["total"]["tco2e"] == "30.000000"
    assert supplier_entry(year, nu)["tco2e"] == "30.000000"
    assert who(year, "notDisclosed") == sorted(
        [("Pi", q) for q in quarters]
        + [("Xi", "2025-Q4"), ("Chi", "2025-Q3"), ("Chi", "2025-Q4")]
        + [("Psi", "2025-Q1"), ("Psi", "2025-Q2")]
    )
    assert xi.org.id and pi.org.id and chi.org.id


# --- 10. late ------------------------------------------------------------------------------


def test_late_is_judged_by_the_factorys_deadline(session: Session) -> None:
    w = Scenario(session)
    rho = w.supplier("Rho")
    sigma = w.supplier("Sigma")
    tau = w.supplier("Tau")
    upsilon = w.supplier("Upsilon")
    for s, spend in ((rho, "300000.00"), (sigma, "100000.00"), (tau, "0"), (upsilon, "0")):
        w.spend(s, Q3, spend)
    w.file(rho, Q3, "30.00", when=at("2025-10-15"))
    w.file(sigma, Q3, "10.00", when=at("2025-10-05"))
    # The default deadline: 2025-09-30 + 30 days, end of day = 2025-10-30 23:59:59 UTC.
    w.file(tau, Q3, "1.00", when=at("2025-10-30", "23:59:59"))
    w.file(upsilon, Q3, "1.00", when=at("2025-10-31", "00:00:00"))

    body = w.report(Q3)
    assert body["settings"]["deadlineDays"] == 30
    assert who(body, "late") == [("Upsilon", Q3)]
    assert line(body, tau, Q3)["onTime"] is True
    assert line(body, upsilon, Q3)["onTime"] is False
    # Late figures are still used: 30 + 10 + 1 + 1 = 42 t.
    assert body["total"]["tco2e"] == "42.000000"

    # Ten days: 2025-09-30 + 10 = 2025-10-10 23:59:59; Sigma (10-05) alone is on time.
    w.configure(deadline_days=10)
    short = w.report(Q3)
    assert short["settings"]["deadlineDays"] == 10
    assert who(short, "late") == [("Rho", Q3), ("Tau", Q3), ("Upsilon", Q3)]
    assert (line(short, rho, Q3)["onTime"], line(short, sigma, Q3)["onTime"]) == (False, True)
    on_time = short["responsibilityExtension"]["onTime"]
    # 1 of 4 by count = 25 %; by spend 100,000 / 400,000 = 25 %; by emissions 10 / 42 = 23.81 %
    assert (on_time["count"], on_time["of"]) == (1, 4)
    assert (on_time["byCountPct"], on_time["bySpendPct"], on_time["byEmissionsPct"]) == (
        "25.00",
        "25.00",
        "23.81",
    )
    assert short["total"]["tco2e"] == "42.000000"
    assert Quarter.parse(Q3).default_deadline(10) == at("2025-10-10", "23:59:59")


# --- 11. supplier-specific -----------------------------------------------------------------


def _footprint_supplier(w: Scenario) -> Supplier:
    """Phi files 75.00 t allocated and footprints of two products: a bracket at 2.5 kgCO2e
    per kilogram and a widget at 0.8 kgCO2e per piece."""
    phi = w.supplier("Phi")
    w.spend(phi, Q3, "500000.00")
    prints = [
        footprint(phi.org, Q3, product=BRACKET, unit="kilogram", kg_per_unit="2.5"),
        footprint(phi.org, Q3, product=WIDGET, unit="piece", kg_per_unit="0.8"),
    ]
    w.file(phi, Q3, "75.00", footprints=prints)
    return phi


def test_purchases_priced_with_footprints_are_supplier_specific(session: Session) -> None:
    w = Scenario(session)
    phi = _footprint_supplier(w)
    w.purchase(phi, Q3, BRACKET, "12000", "kilogram")
    widgets = w.purchase(phi, Q3, WIDGET, "500", "piece")

    body = w.report(Q3)
    # 12,000 kg x 2.5 kgCO2e/kg / 1000 = 30.0 t, plus 500 pieces x 0.8 / 1000 = 0.4 t: 30.4 t.
    q = line(body, phi, Q3)
    assert (q["method"], q["tco2e"]) == ("supplier_specific", "30.400000")
    assert q["contentIds"] == [phi.filed[Q3]]
    assert body["total"]["byMethod"] == {"supplier_specific": "30.400000"}
    assert body["total"]["supplierDataPct"] == "100.00"
    assert body["responsibilityExtension"]["withFootprints"]["count"] == 1
    (row,) = [ln.row for ln in w.rollup(Q3).rollup.lines]
    assert row.purchases is not None and row.purchases.complete

    # A purchase in a unit no footprint declares cannot be priced: the allocation is used.
    widgets.unit = "kilogram"
    session.flush()
    fallback = line(w.report(Q3), phi, Q3)
    assert (fallback["method"], fallback["tco2e"]) == ("hybrid", "75.000000")
    assert fallback["contentIds"] == [phi.filed[Q3]]


def test_a_product_without_a_footprint_falls_back_to_hybrid(session: Session) -> None:
    w = Scenario(session)
    phi = _footprint_supplier(w)
    w.purchase(phi, Q3, BRACKET, "12000", "kilogram")
    w.purchase(phi, Q3, "urn:pact:esgx.test:product-id:unknown", "3", "piece")
    q = line(w.report(Q3), phi, Q3)
    assert (q["method"], q["tco2e"]) == ("hybrid", "75.000000")


def test_a_superseding_footprint_prices_the_purchases(session: Session) -> None:
    w = Scenario(session)
    phi = _footprint_supplier(w)
    w.purchase(phi, Q3, BRACKET, "12000", "kilogram")
    w.purchase(phi, Q3, WIDGET, "500", "piece")
    old = footprint(phi.org, Q3, product=BRACKET, unit="kilogram", kg_per_unit="2.5")
    new = footprint(phi.org, Q3, product=BRACKET, unit="kilogram", kg_per_unit="2.0")
    new["id"] = "7b0c6f0e-2f43-4a52-8c3b-2f7b8f5d9a10"
    new["precedingPfIds"] = [old["id"]]
    widget = footprint(phi.org, Q3, product=WIDGET, unit="piece", kg_per_unit="0.8")
    w.restate(phi, Q3, "75.00", when=at("2025-11-01"), footprints=[new, widget])
    q = line(w.report(Q3), phi, Q3)
    # 12,000 x 2.0 / 1000 = 24.0 t (the superseded 2.5 is not used) + 0.4 t = 24.4 t.
    assert (q["method"], q["tco2e"]) == ("supplier_specific", "24.400000")
    assert q["contentIds"] == [phi.filed[Q3]]


def test_footprints_filed_in_an_earlier_quarter_are_supplier_data(session: Session) -> None:
    """Regression: a footprint figure in a quarter the supplier filed no disclosure for was
    tallied as an estimate (byAssurance "estimate", 0 % supplier data) with no content id."""
    w = Scenario(session)
    phi = w.supplier("Phi")
    bracket = footprint(phi.org, "2025-Q2", product=BRACKET, unit="kilogram", kg_per_unit="2.5")
    q2 = w.file(phi, "2025-Q2", "75.00", footprints=[bracket])
    w.spend(phi, Q3, "1000.00")
    w.purchase(phi, Q3, BRACKET, "12000", "kilogram")

    body = w.report(Q3)
    # 12,000 kg x 2.5 / 1000 = 30 t, from the footprint the Q2 disclosure carried.
    q = line(body, phi, Q3)
    assert (q["method"], q["tco2e"], q["contentIds"]) == ("supplier_specific", "30.000000", [q2])
    assert body["total"]["contentIds"] == [q2]
    assert body["total"]["supplierDataPct"] == "100.00"
    assert body["total"]["coverageBySpendPct"] == "100.00"
    # No Q3 disclosure, so no assurance statement: "none", not an estimate.
    assert body["total"]["byAssurance"] == {"none": "30.000000"}
    # ... and the quarter itself was still not disclosed.
    assert who(body, "notDisclosed") == [("Phi", Q3)]

    # When Q3 is filed too, the figure rests on both disclosures.
    q3 = w.file(phi, Q3, "70.00", verification="limited")
    both = w.report(Q3)
    assert line(both, phi, Q3)["contentIds"] == sorted([q2, q3])
    assert both["total"]["byAssurance"] == {"limited": "30.000000"}


def test_a_stand_alone_footprint_credential_is_the_figures_source(session: Session) -> None:
    w = Scenario(session)
    phi = w.supplier("Phi")
    widget = footprint(phi.org, "2025-Q2", product=WIDGET, unit="piece", kg_per_unit="0.8")
    cid = w.file_footprint(phi, widget, at("2025-07-10"))
    w.purchase(phi, Q3, WIDGET, "500", "piece")
    body = w.report(Q3)
    # 500 pieces x 0.8 kg / 1000 = 0.4 t
    q = line(body, phi, Q3)
    assert (q["method"], q["tco2e"], q["contentIds"]) == ("supplier_specific", "0.400000", [cid])
    assert body["total"]["supplierDataPct"] == "100.00"


def test_method_choice_matches_the_engine_for_every_line(session: Session) -> None:
    """Sanity of the stream itself: one line per relationship-quarter, ordered, typed."""
    w = Scenario(session)
    w.factor_table("pcb,0.5")
    alpha = w.supplier("Alpha")
    beta = w.supplier("Beta")
    w.sector(beta, "pcb")
    for q in ("2025-Q1", "2025-Q2"):
        w.spend(alpha, q, "1000.00")
        w.spend(beta, q, "2000.00")
        w.file(alpha, q, "3.00")
    report = w.rollup("2025")
    assert report.quarters == ["2025-Q1", "2025-Q2"]
    methods = sorted((ln.row.supplier_en, ln.row.quarter, ln.method) for ln in report.rollup.lines)
    assert methods == [
        ("Alpha", "2025-Q1", Method.HYBRID),
        ("Alpha", "2025-Q2", Method.HYBRID),
        ("Beta", "2025-Q1", Method.SPEND_BASED),
        ("Beta", "2025-Q2", Method.SPEND_BASED),
    ]
    # 2 x 3.00 + 2 x (2,000 x 0.5 / 1000 = 1.0) = 8.0 t
    assert report.rollup.total.tco2e == D("8")
