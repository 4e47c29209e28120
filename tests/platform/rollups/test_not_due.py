"""A supplier-quarter without an accepted filing before its deadline is `notDue`, not
`notDisclosed`: the status itself, the roll-up's JSON (its own `notDue` list) and the "filed on
time" indicator, with the clock moved either side of 2025-Q3's deadline."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.db import clock_at
from esgx_platform.rollups.engine import Line, choose, filed_on_time, status_of
from esgx_platform.rollups.report import report_json
from esgx_platform.web.report_schemas import Rollup
from tests.platform.factories import make_user, sign_in
from tests.platform.not_due_world import AFTER, BEFORE, not_due_world
from tests.platform.rollups.test_engine import facts, row

Q2, Q3 = "2025-Q2", "2025-Q3"


def test_the_status_before_and_after_the_deadline() -> None:
    assert status_of(row("A", due=False)) == "notDue"
    assert status_of(row("A", due=True)) == "notDisclosed"
    # A refused submission: the supplier may still file before the deadline.
    assert status_of(row("A", due=False, rejected=True)) == "notDue"
    assert status_of(row("A", due=True, rejected=True)) == "rejected"
    # Filed early (before the deadline): on time at once.
    assert status_of(row("A", due=False, disclosure=facts())) is None
    # Without consent the factory may not see whether it filed, due or not.
    assert status_of(row("A", due=False, consent=False)) == "noConsent"


def _lines(*rows: Any) -> list[Line]:
    return [choose(r) for r in rows]


def test_filed_on_time_judges_only_quarters_due_or_filed() -> None:
    q2 = row("A", quarter=Q2, disclosure=facts())
    assert filed_on_time(_lines(q2, row("A", due=False))) is True
    assert filed_on_time(_lines(q2, row("A"))) is False  # Q3 due and missing
    assert filed_on_time(_lines(row("A", due=False))) is None  # nothing to judge yet
    assert filed_on_time(_lines(row("A", due=False, disclosure=facts()))) is True  # early


def _who(body: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    return {k: [(e["name"], e["quarter"]) for e in v] for k, v in body["status"].items()}


def test_the_rollup_lists_suppliers_not_yet_due_under_their_own_heading(
    session: Session,
) -> None:
    world = not_due_world(session)
    with clock_at(BEFORE):
        before = report_json(world.w.rollup("2025"))
    with clock_at(AFTER):
        after = report_json(world.w.rollup("2025"))
    assert _who(before) == {
        "notDisclosed": [],
        "late": [],
        "rejected": [],
        "noConsent": [],
        "notDue": [("Newcomer", Q3), ("Refused", Q3), ("Waiting", Q3)],
    }
    assert _who(after) == {
        "notDisclosed": [("Newcomer", Q3), ("Waiting", Q3)],
        "late": [],
        "rejected": [("Refused", Q3)],
        "noConsent": [],
        "notDue": [],
    }
    # Filed on time: Early (2 of 2), and before the deadline Waiting and Refused too (Q2, the
    # only quarter due); Newcomer has nothing to judge yet, so it is not counted.
    assert before["responsibilityExtension"]["onTime"]["count"] == 3
    assert after["responsibilityExtension"]["onTime"]["count"] == 1
    assert before["responsibilityExtension"]["onTime"]["of"] == 4
    # The figures themselves do not depend on the deadline.
    assert before["total"] == after["total"]


def test_the_rollup_api_answers_the_not_due_list_as_documented(
    app: Flask, session: Session
) -> None:
    world = not_due_world(session)
    analyst = make_user(session, world.w.factory, Role.FACTORY_ANALYST)
    session.commit()
    client = app.test_client()
    sign_in(client, analyst)
    with clock_at(BEFORE):
        body = client.get(f"/api/v1/factories/{world.w.factory.id}/rollups/{Q3}").get_json()
    assert [e["name"] for e in body["status"]["notDue"]] == ["Newcomer", "Refused", "Waiting"]
    assert body["status"]["notDue"][0] == {
        "supplierId": str(world.newcomer.org.id),
        "name": "Newcomer",
        "quarter": Q3,
    }
    assert Rollup().validate(body) == {}
