"""The refresh job: roll-up and ranking snapshots after new verified data, debounced."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.db import clock_at
from esgx_platform.jobs.base import JobContext
from esgx_platform.jobs.refresh import refresh_derived
from esgx_platform.rollups.snapshots import RollupSnapshot, rollup_snapshots
from esgx_platform.scoring.records import RankingSnapshot
from tests.platform.factories import make_org, make_user, sign_in
from tests.platform.intake.helpers import Filer, example_subject, make_filer

T0 = datetime(2025, 10, 20, 9, 0, tzinfo=UTC)


def _quarter(key: str) -> dict[str, Any]:
    subject = example_subject()
    subject.update(period=key, allocations=[], offsets=[])
    return subject


def _file(filer: Filer, at: datetime, subject: dict[str, Any]) -> None:
    with clock_at(at):
        response = filer.submit(subject)
    assert response.status_code == 201, response.get_json()


def _run(ctx: JobContext, at: datetime) -> str:
    with clock_at(at):
        result = refresh_derived(ctx)
    return f"{result.outcome}: {result.summary}"


def _snapshots(session: Session, filer: Filer) -> tuple[list[RollupSnapshot], int]:
    session.expire_all()
    rankings = session.scalars(
        select(RankingSnapshot).where(RankingSnapshot.organization_id == filer.factory.id)
    ).all()
    return rollup_snapshots(session, filer.factory.id, "2025"), len(rankings)


def test_snapshots_follow_new_data_once_it_has_been_quiet(
    client: FlaskClient, session: Session, job_ctx: JobContext
) -> None:
    filer = make_filer(session, client)
    _file(filer, T0, example_subject())  # 2025-Q3
    assert _run(job_ctx, T0 + timedelta(minutes=3)).startswith("skipped: 0 roll-ups")
    assert _snapshots(session, filer) == ([], 0)
    assert _run(job_ctx, T0 + timedelta(minutes=10)) == (
        "ok: 1 roll-ups and rankings refreshed, 0 waiting for quiet"
    )
    rollups, rankings = _snapshots(session, filer)
    assert (len(rollups), rankings) == (1, 1)
    first = rollups[0]
    assert first.report["period"] == "2025"
    assert "suppliers" not in first.report  # the drill-down stays out of a snapshot
    assert first.total_tco2e == Decimal(first.report["total"]["tco2e"])
    # Nothing new: nothing to do.
    assert _run(job_ctx, T0 + timedelta(hours=1)).startswith("skipped: 0 roll-ups")
    assert len(_snapshots(session, filer)[0]) == 1


def test_a_burst_of_filings_gives_one_recomputation(
    client: FlaskClient, session: Session, job_ctx: JobContext
) -> None:
    filer = make_filer(session, client)
    _file(filer, T0, example_subject())
    _run(job_ctx, T0 + timedelta(minutes=10))
    start = T0 + timedelta(days=1)
    _file(filer, start, _quarter("2025-Q1"))
    _file(filer, start + timedelta(minutes=6), _quarter("2025-Q2"))
    # 10 minutes after the first, 4 after the last: still waiting for quiet.
    assert _run(job_ctx, start + timedelta(minutes=10)).endswith("1 waiting for quiet")
    assert _run(job_ctx, start + timedelta(minutes=16)).startswith("ok: 1 roll-ups")
    rollups, rankings = _snapshots(session, filer)
    assert (len(rollups), rankings) == (2, 2)
    assert rollups[1].log_size > rollups[0].log_size


def test_a_steady_stream_is_refreshed_after_the_longest_wait(
    client: FlaskClient, session: Session, job_ctx: JobContext
) -> None:
    filer = make_filer(session, client)
    ctx = replace(job_ctx, settings=job_ctx.settings.with_overrides(refresh_max_wait_minutes=20))
    for n, subject in enumerate((_quarter("2025-Q1"), _quarter("2025-Q2"), example_subject())):
        _file(filer, T0 + timedelta(minutes=8 * n), subject)  # at 0, 8 and 16 minutes
    # 12 minutes in: the last filing came 4 minutes before, the first 12: wait.
    assert _run(ctx, T0 + timedelta(minutes=12)).endswith("1 waiting for quiet")
    # 20 minutes in: never quiet for 10 minutes, but the first came 20 minutes ago.
    assert _run(ctx, T0 + timedelta(minutes=20)).startswith("ok: 1 roll-ups")


def test_each_year_with_new_data_is_refreshed(
    client: FlaskClient, session: Session, job_ctx: JobContext
) -> None:
    filer = make_filer(session, client)
    _file(filer, T0, example_subject())
    _file(filer, T0, _quarter("2024-Q4"))
    assert _run(job_ctx, T0 + timedelta(minutes=10)).startswith("ok: 2 roll-ups")
    session.expire_all()
    periods = sorted(s.period for s in session.scalars(select(RollupSnapshot)))
    assert periods == ["2024", "2025"]


def test_the_factory_reads_its_snapshots_and_nobody_else_does(
    client: FlaskClient, session: Session, job_ctx: JobContext
) -> None:
    filer = make_filer(session, client)
    _file(filer, T0, example_subject())
    _run(job_ctx, T0 + timedelta(minutes=10))
    path = f"/api/v1/factories/{filer.factory.id}/rollups/2025/snapshots"
    analyst = client.application.test_client()
    sign_in(analyst, filer.analyst)
    body = analyst.get(path).get_json()
    assert body["period"] == "2025"
    (only,) = body["data"]
    assert only["report"]["period"] == "2025"
    assert Decimal(only["totalTco2e"]) == Decimal(only["report"]["total"]["tco2e"])
    assert (
        analyst.get(f"/api/v1/factories/{filer.factory.id}/rollups/20x5/snapshots").status_code
        == 422
    )
    outsider = client.application.test_client()
    sign_in(
        outsider,
        make_user(session, make_org(session, "lead_factory", "Other"), Role.FACTORY_ANALYST),
    )
    assert outsider.get(path).status_code == 404
    assert client.get(path).status_code in (403, 404)  # the supplier itself


def test_the_roll_up_page_draws_the_snapshots_as_a_line(
    client: FlaskClient, session: Session, job_ctx: JobContext
) -> None:
    filer = make_filer(session, client)
    analyst = client.application.test_client()
    sign_in(analyst, filer.analyst)
    page = f"/factories/{filer.factory.id}/rollup?period=2025"
    _file(filer, T0, _quarter("2025-Q1"))
    _run(job_ctx, T0 + timedelta(minutes=10))
    assert "chart-history-caption" not in analyst.get(page).text  # one point is not a line
    _file(filer, T0 + timedelta(hours=1), example_subject())
    _run(job_ctx, T0 + timedelta(hours=1, minutes=10))
    shown = analyst.get(page).text
    assert "chart-history-caption" in shown
    assert "Scope 3 total 10-20 10:10" in shown  # the second point, labelled by its time
    totals = [s.total_tco2e for s in rollup_snapshots(session, filer.factory.id, "2025")]
    assert len(totals) == 2 and totals[1] > totals[0]  # the second quarter's figures came in
