"""Quarters not yet due (no accepted filing, the deadline not passed): never penalized, left out
of the period's denominators, worked by hand from plain facts; and, from real filings with the
clock moved, the same quarter before and after its deadline, an early filing, and a stored
ranking that still reproduces exactly."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from esgx_platform.db import clock_at
from esgx_platform.scoring.engine import Ranking, Scorecard, rank
from esgx_platform.scoring.facts import QuarterFacts, inputs_from_json, inputs_json
from esgx_platform.scoring.report import ranking_json
from esgx_platform.scoring.services import compute_ranking
from esgx_platform.scoring.snapshots import recompute, store_snapshot, verify_snapshot
from esgx_platform.scoring.values import VALUES, Context
from tests.platform.not_due_world import AFTER, BEFORE, not_due_world
from tests.platform.scoring.support import config, figures, inputs, ok, rule, supplier

D = Decimal
CTX = Context(year=2025, currency="CNY", deadline_days=30)
NOT_DUE = QuarterFacts("2025-Q4", "notDue", None)
PENALTIES = {
    "notDisclosed": "20",
    "rejected": "20",
    "noConsent": "20",
    "late": "10",
    "unassured": "5",
}


def card(ranking: Ranking, name: str) -> Scorecard:
    return next(c for c in ranking.scorecards if c.supplier.name_en == name)


# --- worked by hand -----------------------------------------------------------------------


def test_a_quarter_not_yet_due_is_left_out_of_timeliness_and_completeness() -> None:
    s = supplier("S", ok("2025-Q1"), QuarterFacts("2025-Q2", "late", figures("q2")), NOT_DUE)
    # On time: Q1 of the 2 quarters judged (Q4 is not yet due) = 50.00 %, not 1 of 3.
    v = VALUES["timeliness"](s, CTX)
    assert v.value == D("50.00")
    assert v.detail.en == (
        "1 of 2 quarter(s) first filed by the factory's deadline (30 days after the quarter): "
        "50.00 %. Not yet due and not filed, so not counted: 2025-Q4."
    )
    assert v.detail.zh.endswith("尚未到期且未提交、不计入：2025-Q4。")
    # Quarters disclosed 2 of 2 = 100 %; no optional sections: (100 + 0) / 2 = 50.00 %.
    v = VALUES["completeness"](s, CTX)
    assert v.value == D("50.00")
    assert "Quarters disclosed 100.00 % (2 of 2)" in v.detail.en


def test_the_same_quarter_once_due_counts_against_the_supplier() -> None:
    s = supplier("S", ok("2025-Q1"), QuarterFacts("2025-Q2", "notDisclosed", None))
    assert VALUES["timeliness"](s, CTX).value == D("50.00")  # 1 of 2
    v = VALUES["completeness"](s, CTX)
    assert v.value == D("25.00")  # quarters 50 %, sections 0 %
    assert "not counted" not in v.detail.en  # the text of a ranking without such quarters


def test_nothing_due_means_no_value_with_the_reason_never_a_division_by_zero() -> None:
    s = supplier("Newcomer", NOT_DUE)
    for metric in ("timeliness", "completeness", "intensityRevenue", "targetStatus", "assurance"):
        v = VALUES[metric](s, CTX)
        assert v.value is None, metric
        assert v.detail.en == "no quarter of the period is due yet and none was filed early"
        assert v.detail.zh == "本期尚无到期的季度，也没有提前提交的披露"


def test_a_quarter_not_yet_due_is_never_penalized_and_others_are_pro_rata_over_those_judged() -> (
    None
):
    waiting = supplier(
        "Waiting",
        ok("2025-Q1"),
        QuarterFacts("2025-Q2", "notDisclosed", None),
        QuarterFacts("2025-Q3", "notDue", None),
    )
    newcomer = supplier("Newcomer", QuarterFacts("2025-Q3", "notDue", None))
    r = rank(
        inputs(waiting, newcomer, period="2025"),
        config(rule("timeliness", "100", worst="0", best="100"), penalties=PENALTIES),
    )
    w = card(r, "Waiting")
    # Over the 2 quarters judged: not disclosed 20 × 1/2 = 10.00; unassured (Q1) 5 × 1/2 = 2.50.
    assert [(p.kind.value, p.quarters, p.points) for p in w.penalties] == [
        ("notDisclosed", ("2025-Q2",), D("10.00")),
        ("unassured", ("2025-Q1",), D("2.50")),
    ]
    assert w.penalties[0].reason.en == (
        "Not disclosed in 2025-Q2: 10.00 points off (20 for the whole period × 1/2 quarters). "
        "Not yet due and not filed, so not counted: 2025-Q3."
    )
    assert w.missing_data  # Q2, not Q3
    # Timeliness 1 of 2 = 50 points; 50 − 12.50 = 37.50.
    assert (w.before_penalties, w.total) == (D("50.0000"), D("37.50"))
    # The newcomer has nothing due: listed, no penalty, no missing data, no value.
    n = card(r, "Newcomer")
    assert (n.penalties, n.missing_data, n.total, n.rank) == ((), False, D("0.00"), 2)
    (timeliness,) = n.components
    assert timeliness.scored.reason.en == (
        "No value (no quarter of the period is due yet and none was filed early): 0 points."
    )
    quarters = ranking_json(r, version=0)["suppliers"][1]["quarters"]
    assert quarters == [{"quarter": "2025-Q3", "status": "notDue", "contentId": None}]


def test_inputs_with_a_quarter_not_yet_due_round_trip_and_reproduce() -> None:
    facts = inputs(supplier("S", ok("2025-Q1"), NOT_DUE), period="2025")
    assert inputs_from_json(inputs_json(facts)) == facts
    body = config(rule("completeness", "100", worst="0", best="100"))
    assert ranking_json(rank(inputs_from_json(inputs_json(facts)), body), version=0) == (
        ranking_json(rank(facts, body), version=0)
    )


# --- from real filings, with the clock moved ------------------------------------------------


def _statuses(ranking: Ranking) -> dict[str, list[str]]:
    return {c.supplier.name_en: [q.status for q in c.supplier.quarters] for c in ranking.scorecards}


def _component(c: Scorecard, metric: str) -> Decimal | None:
    return next(x.value.value for x in c.components if x.rule.metric == metric)


def test_before_the_deadline_not_due_after_it_not_disclosed_and_an_early_filing_counts(
    session: Session,
) -> None:
    w = not_due_world(session).w
    with clock_at(BEFORE):
        before = compute_ranking(session, lead_factory_id=w.factory.id, period="2025").ranking
    with clock_at(AFTER):
        after = compute_ranking(session, lead_factory_id=w.factory.id, period="2025").ranking
    assert _statuses(before) == {
        "Early": ["ok", "ok"],
        "Waiting": ["ok", "notDue"],
        "Refused": ["ok", "notDue"],
        "Newcomer": ["notDue"],
    }
    assert _statuses(after) == {
        "Early": ["ok", "ok"],
        "Waiting": ["ok", "notDisclosed"],
        "Refused": ["ok", "rejected"],
        "Newcomer": ["notDisclosed"],
    }
    # Before: only the unassured Q2 (5 × 1/1); timeliness 1 of 1; nothing missing.
    waiting = card(before, "Waiting")
    assert [(p.kind.value, p.points) for p in waiting.penalties] == [("unassured", D("5.00"))]
    assert (_component(waiting, "timeliness"), waiting.missing_data) == (D("100.00"), False)
    # After: not disclosed 20 × 1/2 = 10.00 and unassured 5 × 1/2 = 2.50; timeliness 1 of 2.
    waiting = card(after, "Waiting")
    assert [(p.kind.value, p.points) for p in waiting.penalties] == [
        ("notDisclosed", D("10.00")),
        ("unassured", D("2.50")),
    ]
    assert (_component(waiting, "timeliness"), waiting.missing_data) == (D("50.00"), True)
    refused = card(after, "Refused")
    assert [(p.kind.value, p.points) for p in refused.penalties] == [
        ("rejected", D("10.00")),
        ("unassured", D("2.50")),
    ]
    # Filed early, Q3 counts at once: 2 of 2 on time, both quarters' figures used.
    for ranking in (before, after):
        early = card(ranking, "Early")
        assert _component(early, "timeliness") == D("100.00")
        assert [(p.kind.value, p.quarters) for p in early.penalties] == [
            ("unassured", ("2025-Q2", "2025-Q3"))
        ]
    # The newcomer: ranked before the deadline with nothing due (no penalty), penalized after.
    newcomer = card(before, "Newcomer")
    assert (newcomer.penalties, _component(newcomer, "timeliness")) == ((), None)
    assert card(after, "Newcomer").penalty_points == D("20.00")
    assert len(before.scorecards) == len(after.scorecards) == 4


def test_a_snapshot_with_quarters_not_yet_due_reproduces_and_later_shows_what_changed(
    session: Session,
) -> None:
    world = not_due_world(session)
    w = world.w
    with clock_at(BEFORE):
        snapshot = store_snapshot(
            session, organization=w.factory, period="2025", actor_user_id=None
        )
        check = verify_snapshot(session, snapshot)
    statuses = {
        sup["name_en"]: [q["status"] for q in sup["quarters"]]
        for sup in snapshot.inputs["suppliers"]
    }
    assert statuses["Newcomer"] == ["notDue"]
    assert recompute(snapshot.inputs, snapshot.config, snapshot.config_version) == snapshot.result
    assert check.ok and check.changed_since == []
    # After the deadline the stored ranking still reproduces; the live one now differs for
    # the three suppliers whose Q3 became due without an accepted filing.
    with clock_at(AFTER):
        later = verify_snapshot(session, snapshot)
    assert later.ok
    changed = {s.relationship.id for s in (world.waiting, world.refused, world.newcomer)}
    assert later.changed_since == sorted(str(rid) for rid in changed)
