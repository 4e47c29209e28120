"""Years and quarters: a year is exactly the sum of its quarters, and a year (or quarter) is
compared like for like with the same quarters a year earlier."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal as D  # noqa: N817 - the worked examples read better

from sqlalchemy.orm import Session

from esgx_platform.rollups.report import report_json
from esgx_platform.rollups.services import RollupReport
from tests.platform.rollups.world import Scenario

QUARTERS_2025 = [f"2025-Q{n}" for n in range(1, 5)]
QUARTERS_2024 = [f"2024-Q{n}" for n in range(1, 5)]


def _mixed_year(w: Scenario) -> None:
    """Every method in both categories, with spends whose estimates need rounding:

    - Alpha (cat 1), hybrid each quarter: 101.11, 202.22, 303.33, 404.44 t = 1,011.10 t.
    - Beta (cat 4), sector pcb at 0.37 kg/CNY, never files:
        12,345.67 x 0.37 / 1000 = 4.5678979 -> 4.567898
        23,456.78 x 0.37 / 1000 = 8.6790086 -> 8.679009
        34,567.89 x 0.37 / 1000 = 12.7901193 -> 12.790119
        45,678.91 x 0.37 / 1000 = 16.9011967 -> 16.901197     sum 42.938223 t
    - Gamma (cat 1), sector glass at 1.05 kg/CNY, 9,999.99 CNY a quarter, files Q2 only
      (55.55 t): 3 x (9,999.99 x 1.05 / 1000 = 10.4999895 -> 10.499990) = 31.499970 t
      + 55.55 t.
    - Delta (cat 4), no consent, files Q1; glass, 20,000 CNY a quarter: 4 x 21 = 84 t.
    - Epsilon (cat 1), spend 5,000 CNY a quarter but no sector: missing, 0 t.

    Year: 1,011.10 + 42.938223 + 31.499970 + 55.55 + 84 = 1,225.088193 t.
    """
    w.factor_table("pcb,0.37 glass,1.05")
    alpha = w.supplier("Alpha", category=1)
    beta = w.supplier("Beta", category=4)
    gamma = w.supplier("Gamma", category=1)
    delta = w.supplier("Delta", category=4, consent=False)
    epsilon = w.supplier("Epsilon", category=1)
    w.sector(beta, "pcb")
    w.sector(gamma, "glass")
    w.sector(delta, "glass")
    allocations = ["101.11", "202.22", "303.33", "404.44"]
    beta_spend = ["12345.67", "23456.78", "34567.89", "45678.91"]
    for q, allocated, spend in zip(QUARTERS_2025, allocations, beta_spend, strict=True):
        w.spend(alpha, q, "123456.78")
        w.file(alpha, q, allocated)
        w.spend(beta, q, spend)
        w.spend(gamma, q, "9999.99")
        w.spend(delta, q, "20000.00")
        w.spend(epsilon, q, "5000.00")
    w.file(gamma, "2025-Q2", "55.55")
    w.file(delta, "2025-Q1", "66.66")


def test_quarters_add_up_to_the_year_exactly(session: Session) -> None:
    w = Scenario(session)
    _mixed_year(w)
    year = w.rollup("2025")
    quarters = [w.rollup(q) for q in QUARTERS_2025]
    assert year.quarters == QUARTERS_2025

    assert year.rollup.total.tco2e == D("1225.088193")
    assert year.rollup.total.tco2e == sum((q.rollup.total.tco2e for q in quarters), D(0))
    assert year.rollup.total.spend == sum((q.rollup.total.spend for q in quarters), D(0))
    # 4 x (123,456.78 + 9,999.99 + 20,000 + 5,000) + 116,049.25 (Beta's four quarters)
    # = 4 x 158,456.77 + 116,049.25 = 749,876.33 CNY
    assert year.rollup.total.spend == D("749876.33")
    assert set(year.rollup.categories) == {1, 4}
    for category, tally in year.rollup.categories.items():
        parts = [q.rollup.categories[category] for q in quarters]
        assert tally.tco2e == sum((p.tco2e for p in parts), D(0))
        assert tally.spend == sum((p.spend for p in parts), D(0))
        summed: Counter[str] = Counter()
        for p in parts:
            summed.update(p.by_method)
        assert dict(tally.by_method) == dict(summed)
        assert tally.content_ids == set().union(*(p.content_ids for p in parts))
    # Category 1: 1,011.10 + 31.499970 + 55.55 + 0 = 1,098.149970 t;
    # category 4: 42.938223 + 84 = 126.938223 t.
    assert year.rollup.categories[1].tco2e == D("1098.149970")
    assert year.rollup.categories[4].tco2e == D("126.938223")

    # The same in the JSON: the year's figure is the sum of the quarters' printed figures.
    year_body = report_json(year)
    bodies = [report_json(q) for q in quarters]
    assert D(year_body["total"]["tco2e"]) == sum((D(b["total"]["tco2e"]) for b in bodies), D(0))
    for method in ("hybrid", "spend_based", "missing"):
        assert D(year_body["total"]["byMethod"][method]) == sum(
            (D(b["total"]["byMethod"].get(method, "0")) for b in bodies), D(0)
        )
    assert sorted(year_body["total"]["contentIds"]) == sorted(
        cid for b in bodies for cid in b["total"]["contentIds"]
    )
    # Alpha's 4 + Gamma's 1 content ids; Delta's (no consent) is not among them.
    assert len(year_body["total"]["contentIds"]) == 5


def _steady_supplier(w: Scenario, quarters_2024: list[str], quarters_2025: list[str]) -> None:
    """Alpha: 100.00 t on 200,000 CNY each quarter of 2024, 90.00 t on 240,000 CNY in 2025."""
    alpha = w.supplier("Alpha")
    for q in quarters_2024:
        w.spend(alpha, q, "200000.00")
        w.file(alpha, q, "100.00")
    for q in quarters_2025:
        w.spend(alpha, q, "240000.00")
        w.file(alpha, q, "90.00")


def _previous(report: RollupReport) -> dict[str, object]:
    body = report_json(report)
    previous: dict[str, object] = body["previous"]
    return previous


def test_year_on_year_with_the_same_quarters(session: Session) -> None:
    w = Scenario(session)
    _steady_supplier(w, QUARTERS_2024, QUARTERS_2025)
    # 2024: 4 x 100 = 400 t on 800,000 CNY, intensity 400 x 1e6 / 800,000 = 500 t per million;
    # 2025: 4 x 90 = 360 t on 960,000 CNY, intensity 360 x 1e6 / 960,000 = 375 t per million.
    # Change: (360 - 400) / 400 = -10 %; (375 - 500) / 500 = -25 %.
    assert _previous(w.rollup("2025")) == {
        "period": "2024",
        "tco2e": "400.000000",
        "intensityPerMillion": "500.00",
        "tco2eChangePct": "-10.00",
        "intensityChangePct": "-25.00",
    }
    assert w.report("2025")["intensityPerMillion"] == "375.00"
    # A quarter against the same quarter: 100 -> 90 t, 500 -> 90 x 1e6 / 240,000 = 375.
    assert _previous(w.rollup("2025-Q3")) == {
        "period": "2024-Q3",
        "tco2e": "100.000000",
        "intensityPerMillion": "500.00",
        "tco2eChangePct": "-10.00",
        "intensityChangePct": "-25.00",
    }
    # 2024 has no year before it.
    assert w.report("2024")["previous"] is None


def test_no_comparison_when_the_previous_year_lacks_a_quarter(session: Session) -> None:
    w = Scenario(session)
    _steady_supplier(w, QUARTERS_2024[:3], QUARTERS_2025)  # 2024-Q4 never existed
    assert w.report("2025")["previous"] is None
    assert w.report("2025-Q4")["previous"] is None
    # Q3 exists in both: 100 -> 90 t.
    assert _previous(w.rollup("2025-Q3"))["tco2eChangePct"] == "-10.00"


def test_a_partial_year_is_compared_with_the_same_quarters(session: Session) -> None:
    w = Scenario(session)
    _steady_supplier(w, QUARTERS_2024, QUARTERS_2025[:2])  # 2025 has only Q1 and Q2 so far
    report = w.rollup("2025")
    assert report.quarters == ["2025-Q1", "2025-Q2"]
    # Like for like: 2024-Q1 + Q2 = 200 t (not the whole 400 t); 2025: 180 t: -10 %.
    assert _previous(report) == {
        "period": "2024",
        "tco2e": "200.000000",
        "intensityPerMillion": "500.00",
        "tco2eChangePct": "-10.00",
        "intensityChangePct": "-25.00",
    }
