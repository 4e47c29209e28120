"""The ranking worked by hand: points, weights, penalties, order, bands and trend."""

from __future__ import annotations

import uuid
from decimal import Decimal

from esgx_platform.scoring.engine import Ranking, Scorecard, rank
from esgx_platform.scoring.facts import Previous, QuarterFacts
from esgx_platform.scoring.report import ranking_json, scorecard_json
from tests.platform.scoring.support import (
    ZERO_PENALTIES,
    config,
    figures,
    inputs,
    ok,
    rule,
    supplier,
)

D = Decimal
INTENSITY_AND_RENEWABLES = (
    rule("intensityRevenue", "50", "percentile"),
    rule("renewableShare", "50", worst="0", best="100"),
)


def card(ranking: Ranking, name: str) -> Scorecard:
    (found,) = [c for c in ranking.scorecards if c.supplier.name_en == name]
    return found


def points(c: Scorecard, metric: str) -> Decimal:
    (found,) = [x for x in c.components if x.rule.metric == metric]
    return found.scored.points


def five_suppliers() -> Ranking:
    """Category 1: A 100 t/million with 40 % renewable, B 200 and 0 %, C 200 and 100 %,
    D 400 and 10 %; category 2: E 1,000 and 50 %."""
    return rank(
        inputs(
            supplier("A", ok(renewable_mwh="40")),
            supplier("B", ok(scope1="180")),
            supplier("C", ok(scope1="180", renewable_mwh="100")),
            supplier("D", ok(scope1="380", renewable_mwh="10")),
            supplier("E", ok(scope1="980", renewable_mwh="50"), category=2),
        ),
        config(*INTENSITY_AND_RENEWABLES),
    )


def test_percentile_within_the_category_and_absolute_thresholds() -> None:
    r = five_suppliers()
    # Intensity (less is better), percentile within category 1: A 100 is best (100 points),
    # B and C tie at 200 (ranks 2 and 3 averaged: 50), D 400 is worst (0). E is alone in
    # category 2: a neutral 50.
    assert {n: points(card(r, n), "intensityRevenue") for n in "ABCDE"} == {
        "A": D("100.00"),
        "B": D("50.00"),
        "C": D("50.00"),
        "D": D("0.00"),
        "E": D("50.00"),
    }
    # Renewables, absolute 0 % → 0 and 100 % → 100 points: the share itself.
    assert [points(card(r, n), "renewableShare") for n in "ABCDE"] == [
        D("40.00"),
        D("0.00"),
        D("100.00"),
        D("10.00"),
        D("50.00"),
    ]
    # Totals: each points × weight / 100. A: 100 × 0.5 + 40 × 0.5 = 70; B: 25 + 0 = 25;
    # C: 25 + 50 = 75; D: 0 + 5 = 5; E: 25 + 25 = 50.
    assert [(c.supplier.name_en, c.total) for c in r.scorecards] == [
        ("C", D("75.00")),
        ("A", D("70.00")),
        ("E", D("50.00")),
        ("B", D("25.00")),
        ("D", D("5.00")),
    ]
    # Five suppliers, bands cut at cumulative 20/70/90/100 % of 5 = 1, 3.5 → 4, 4.5 → 5, 5.
    assert r.band_counts() == {"green": 1, "blue": 3, "orange": 1, "red": 0}
    assert [c.rank for c in r.scorecards] == [1, 2, 3, 4, 5]


def test_every_component_is_explained() -> None:
    c = card(five_suppliers(), "C")
    body = scorecard_json(c)
    intensity, renewables = body["components"]
    assert intensity == {
        "metric": "intensityRevenue",
        "name": {"en": "Emission intensity per revenue", "zh": "单位营业收入排放强度"},
        "unit": "tCO2e/million",
        "value": "200.00",
        "label": None,
        "detail": intensity["detail"],
        "method": "percentile",
        "score": "50.00",
        "weight": "50",
        "contribution": "25.0000",
        "reason": {
            "en": "Percentile within Scope 3 category 1 (suppliers with a value; ties "
            "averaged): 50.00 points.",
            "zh": "在范围三类别 1 内的百分位（仅含有数值的供应商；并列取平均）：50.00 分。",
        },
        "group": "1",
        "groupSize": 4,
    }
    assert "200.00 tCO2e per million" in intensity["detail"]["en"]
    assert renewables["reason"]["en"] == (
        "Linear between 0 (0 points) and 100 (100 points), clamped: 100.00 points."
    )
    assert (body["scoreBeforePenalties"], body["penaltyPoints"], body["totalScore"]) == (
        "75.0000",
        "0.00",
        "75.00",
    )


def test_bands_of_ten_suppliers_are_two_five_two_one() -> None:
    # Renewable shares 10 %, 20 %, … 100 %: the totals are the shares, S10 first.
    suppliers = [supplier(f"S{k:02d}", ok(renewable_mwh=str(10 * k))) for k in range(1, 11)]
    r = rank(inputs(*suppliers), config(rule("renewableShare", "100", worst="0", best="100")))
    assert [c.supplier.name_en for c in r.scorecards] == [f"S{k:02d}" for k in range(10, 0, -1)]
    # Cumulative 20 / 70 / 90 / 100 % of 10 = positions 2, 7, 9, 10.
    assert [c.band.id for c in r.scorecards if c.band] == (
        ["green"] * 2 + ["blue"] * 5 + ["orange"] * 2 + ["red"]
    )
    assert r.band_counts() == {"green": 2, "blue": 5, "orange": 2, "red": 1}


def test_score_bands() -> None:
    bands = {
        "method": "score",
        "bands": [
            {"id": "good", "name": {"en": "Good", "zh": "好"}, "minScore": "60"},
            {"id": "fair", "name": {"en": "Fair", "zh": "中"}, "minScore": "30"},
            {"id": "poor", "name": {"en": "Poor", "zh": "差"}, "minScore": "0"},
        ],
    }
    r = rank(
        inputs(*(supplier(f"S{k}", ok(renewable_mwh=str(k))) for k in (0, 29, 30, 60, 90))),
        config(rule("renewableShare", "100", worst="0", best="100"), bands=bands),
    )
    assert [(c.total, c.band.id if c.band else None) for c in r.scorecards] == [
        (D("90.00"), "good"),
        (D("60.00"), "good"),
        (D("30.00"), "fair"),
        (D("29.00"), "poor"),
        (D("0.00"), "poor"),
    ]


def test_missing_late_and_unverified_data_are_penalized_and_shown_never_dropped() -> None:
    penalties = {
        "notDisclosed": "20",
        "rejected": "20",
        "noConsent": "20",
        "late": "10",
        "unassured": "5",
    }
    steady = supplier(
        "Steady",
        *(ok(f"2025-Q{q}", verification="limited", renewable_mwh="50") for q in (1, 2, 3, 4)),
    )
    patchy = supplier(
        "Patchy",
        ok("2025-Q1", renewable_mwh="50"),
        QuarterFacts("2025-Q2", "late", figures("late", renewable_mwh="50")),
        QuarterFacts("2025-Q3", "notDisclosed", None),
        QuarterFacts("2025-Q4", "rejected", None),
    )
    hidden = supplier(
        "Hidden", *(QuarterFacts(f"2025-Q{q}", "noConsent", None) for q in (1, 2, 3, 4))
    )
    r = rank(
        inputs(steady, patchy, hidden, period="2025"),
        config(rule("renewableShare", "100", worst="0", best="100"), penalties=penalties),
    )
    # Everyone is ranked: nobody is dropped for missing data.
    assert [c.supplier.name_en for c in r.scorecards] == ["Steady", "Patchy", "Hidden"]
    p = card(r, "Patchy")
    # Pro rata over its 4 quarters: not disclosed 20 × 1/4 = 5.00, rejected 20 × 1/4 = 5.00,
    # late 10 × 1/4 = 2.50, unassured (Q1 and Q2 have no assurance) 5 × 2/4 = 2.50.
    assert [(x.kind.value, x.quarters, x.points) for x in p.penalties] == [
        ("notDisclosed", ("2025-Q3",), D("5.00")),
        ("rejected", ("2025-Q4",), D("5.00")),
        ("late", ("2025-Q2",), D("2.50")),
        ("unassured", ("2025-Q1", "2025-Q2"), D("2.50")),
    ]
    # 50 points before penalties (50 % renewable over its visible quarters) − 15 = 35.
    assert (p.before_penalties, p.penalty_points, p.total) == (D("50.0000"), D("15.00"), D("35.00"))
    assert p.missing_data
    late = next(x for x in p.penalties if x.kind.value == "late")
    assert late.reason.en == (
        "First filed after the factory's deadline in 2025-Q2: 2.50 points off (10 for the whole "
        "period × 1/4 quarters)."
    )
    assert "扣 2.50 分" in late.reason.zh
    # No consent: no value for anything, 0 points, the penalty shown; the total floors at 0.
    h = scorecard_json(card(r, "Hidden"))
    assert h["rank"] == 3 and h["totalScore"] == "0.00" and h["missingData"] is True
    assert h["penalties"][0]["kind"] == "noConsent" and h["penalties"][0]["points"] == "20.00"
    (component,) = h["components"]
    assert component["value"] is None and component["score"] == "0.00"
    assert component["reason"]["en"].startswith("No value (no data-sharing consent")


def test_ties_are_broken_deterministically() -> None:
    one_rule = config(
        rule("renewableShare", "100", worst="0", best="100"),
        penalties={**ZERO_PENALTIES, "late": "10"},
    )
    # Equal totals (50): fewer penalty points first. Late: 60 − 10 = 50; Prompt: 50 − 0.
    late = supplier("Late", QuarterFacts("2025-Q1", "late", figures("l", renewable_mwh="60")))
    prompt = supplier("Prompt", ok(renewable_mwh="50"))
    # Equal totals and penalties: lower intensity first (Zeta 100 t/million before Alpha 200).
    zeta = supplier("Zeta", ok(renewable_mwh="50"))
    alpha = supplier("Alpha", ok(renewable_mwh="50", scope1="180"))
    # All equal: by name, then by supplier id.
    twin_b = supplier("Twin", ok(renewable_mwh="40"), supplier_id=_uuid("b"))
    twin_a = supplier("Twin", ok(renewable_mwh="40"), supplier_id=_uuid("a"))
    other = supplier("Alpha", ok(renewable_mwh="40", scope1="180"), supplier_id=_uuid("c"))
    given = (twin_b, late, alpha, twin_a, prompt, zeta, other)
    r = rank(inputs(*given), one_rule)
    order = [(c.supplier.name_en, str(c.supplier.supplier_id)[-1], c.total) for c in r.scorecards]
    assert order[:4] == [
        ("Prompt", order[0][1], D("50.00")),
        ("Zeta", order[1][1], D("50.00")),
        ("Alpha", order[2][1], D("50.00")),
        ("Late", order[3][1], D("50.00")),
    ]
    # 40-point trio: Twin and Twin have the lowest intensity (100) before Alpha (200); the
    # twins by supplier id (…a before …b).
    assert [(n, i) for n, i, _ in order[4:]] == [
        ("Twin", "a"),
        ("Twin", "b"),
        ("Alpha", order[6][1]),
    ]
    # The same inputs in another order rank the same.
    again = rank(inputs(*reversed(given)), one_rule)
    assert [c.supplier.supplier_id for c in again.scorecards] == [
        c.supplier.supplier_id for c in r.scorecards
    ]


def _uuid(last: str) -> uuid.UUID:
    return uuid.UUID(f"00000000-0000-4000-8000-00000000000{last}")


def test_trend_against_the_previous_period() -> None:
    a, b = supplier("A", ok(renewable_mwh="80")), supplier("B", ok(renewable_mwh="10"))
    previous = {
        a.relationship_id: Previous("2024-Q4", D("62.50"), "blue", 2),
        b.relationship_id: Previous("2024-Q4", D("30.00"), "green", 1),
    }
    bands = {
        "method": "percentile",
        "bands": [
            {"id": "green", "name": {"en": "Green", "zh": "绿色"}, "share": "50"},
            {"id": "blue", "name": {"en": "Blue", "zh": "蓝色"}, "share": "50"},
        ],
    }
    r = rank(
        inputs(a, b, previous=previous),
        config(rule("renewableShare", "100", worst="0", best="100"), bands=bands),
    )
    ta, tb = card(r, "A").trend, card(r, "B").trend
    assert ta is not None and tb is not None
    # A: 80 now against 62.50, blue → green; B: 10 against 30, green → blue.
    assert (ta.score_change, ta.band_change) == (D("17.50"), "up")
    assert (tb.score_change, tb.band_change) == (D("-20.00"), "down")
    body = ranking_json(r, version=3)
    assert body["previousPeriod"] == "2024-Q4"
    assert body["suppliers"][0]["trend"] == {
        "previousPeriod": "2024-Q4",
        "previousScore": "62.50",
        "previousBand": "blue",
        "scoreChange": "17.50",
        "bandChange": "up",
        "previousRank": 2,
    }


def test_a_suppliers_own_view_shows_nothing_of_others() -> None:
    c = card(five_suppliers(), "B")
    own = scorecard_json(c, own_view=True)
    assert "rank" not in own and "spend" not in own and "intensityPerRevenue" not in own
    assert all("groupSize" not in x for x in own["components"])
    assert own["band"]["id"] == "blue" and own["totalScore"] == "25.00"
