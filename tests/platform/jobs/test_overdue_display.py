"""Overdue suppliers show as such where the web layer lists them: the roll-up's filing status
and drill-down, and the ranking (API and procurement's page), from the same statuses the
scoring already penalizes (overdue = not disclosed after the factory's deadline)."""

from __future__ import annotations

from dataclasses import dataclass

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.db import clock_at
from tests.platform.factories import make_user, sign_in
from tests.platform.jobs.world import day
from tests.platform.rollups.world import Scenario, Supplier


@dataclass
class Overdue:
    scenario: Scenario
    filer: Supplier
    silent: Supplier
    analyst: User
    procurement: User


def _world(session: Session) -> Overdue:
    scenario = Scenario(session, "Overdue Plant")
    filer, silent = scenario.supplier("Filer Co."), scenario.supplier("Silent Co.")
    scenario.periods("2025-Q3")
    scenario.file(filer, "2025-Q3", "10", when=day("2025-10-10"))
    analyst = make_user(session, scenario.factory, Role.FACTORY_ANALYST)
    procurement = make_user(session, scenario.factory, Role.PROCUREMENT)
    session.commit()
    return Overdue(scenario, filer, silent, analyst, procurement)


def test_the_rollup_marks_overdue_suppliers(client: FlaskClient, session: Session) -> None:
    world = _world(session)
    sign_in(client, world.analyst)
    base = f"/factories/{world.scenario.factory.id}/rollup"
    with clock_at(day("2025-10-20")):  # before the deadline: not yet due, not overdue
        page = client.get(f"{base}?period=2025-Q3").text
    assert "Silent Co." in page and "overdue" not in page
    with clock_at(day("2025-11-05")):
        page = client.get(f"{base}?period=2025-Q3").text
        drill = client.get(f"{base}/suppliers/{world.silent.org.id}?period=2025-Q3").text
        filer = client.get(f"{base}/suppliers/{world.filer.org.id}?period=2025-Q3").text
    assert '<strong class="overdue">overdue: 2025-Q3</strong>' in page
    assert page.count("overdue: ") == 1  # the supplier that filed is not
    assert '<strong class="overdue">overdue</strong>' in drill
    assert "overdue" not in filer


def test_the_ranking_flags_overdue_quarters(client: FlaskClient, session: Session) -> None:
    world = _world(session)
    sign_in(client, world.procurement)
    url = f"/api/v1/factories/{world.scenario.factory.id}/rankings/2025-Q3?trend=false"
    with clock_at(day("2025-10-20")):
        early = client.get(url).get_json()
    with clock_at(day("2025-11-05")):
        late = client.get(url).get_json()
    flags = {s["name"]["en"]: s["overdueQuarters"] for s in early["suppliers"]}
    assert flags == {"Filer Co.": [], "Silent Co.": []}
    flags = {s["name"]["en"]: s["overdueQuarters"] for s in late["suppliers"]}
    assert flags == {"Filer Co.": [], "Silent Co.": ["2025-Q3"]}
    silent = next(s for s in late["suppliers"] if s["name"]["en"] == "Silent Co.")
    # The scoring itself is untouched: the quarter was already `notDisclosed` and penalized.
    assert silent["quarters"][0]["status"] == "notDisclosed"
    assert [p["kind"] for p in silent["penalties"]] == ["notDisclosed"]


def test_procurements_ranking_page_shows_the_badge(client: FlaskClient, session: Session) -> None:
    world = _world(session)
    sign_in(client, world.procurement)
    url = f"/factories/{world.scenario.factory.id}/ranking?period=2025-Q3"
    with clock_at(day("2025-10-20")):
        assert "overdue" not in client.get(url).text
    with clock_at(day("2025-11-05")):
        page = client.get(url).text
    assert page.count('<span class="tag overdue">overdue: 2025-Q3</span>') == 1
