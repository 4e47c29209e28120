"""The operators' jobs page: every declared job with its trigger, description (in the reader's
language) and last run; the recent runs with their outcome and error; "run now" through the
runner `esgx jobs run-once` uses, recorded and audited; nobody but operators."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent
from esgx_platform.jobs.models import JobRun
from esgx_platform.jobs.registry import JOBS
from tests.platform.factories import make_world, sign_in

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "maintenance.py", line 12, in housekeeping\n'
    "    raise RuntimeError('disk full')\n"
    "RuntimeError: disk full\n"
)


def _csrf(client: FlaskClient) -> str:
    with client.session_transaction() as sess:
        return str(sess["csrf"])


def test_operators_see_every_job_and_the_recent_runs(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    session.add(
        JobRun(
            job_id="housekeeping",
            started_at=datetime(2026, 11, 24, 3, 30, tzinfo=UTC),
            ended_at=datetime(2026, 11, 24, 3, 30, 2, tzinfo=UTC),
            outcome="failed",
            error=TRACEBACK,
            instance="scheduler:host-a:123",
        )
    )
    session.commit()
    sign_in(client, world.users["operator"])
    assert "/operator/jobs" in client.get("/").text  # linked from the dashboard
    page = client.get("/operator/jobs").text
    for job in JOBS:
        assert f"<code>{job.id}</code>" in page
        assert str(escape(job.description.en)) in page
    assert "every 10 min" in page and "hourly at :05" in page
    assert "2026-11-24 03:30:00 UTC" in page and "2026-11-24 03:30:02 UTC" in page
    assert "RuntimeError: disk full" in page and "Traceback" not in page  # the telling line
    assert "scheduler:host-a:123" in page
    assert page.count("never run") == len(JOBS) - 1

    user = world.users["operator"]
    user.locale = "zh"
    session.commit()
    page = client.get("/operator/jobs").text
    assert "透明日志有新增条目时签署检查点。" in page and "每 10 分钟" in page


def test_run_now_runs_the_job_once_and_records_it(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    operator = world.users["operator"]
    sign_in(client, operator)
    client.get("/operator/jobs")
    assert client.post("/operator/jobs/checkpoint/run").status_code == 403  # no CSRF token
    assert session.scalars(select(JobRun)).all() == []

    response = client.post("/operator/jobs/checkpoint/run", data={"csrf_token": _csrf(client)})
    assert response.status_code == 303
    found = re.search(r"ran=([0-9a-f-]{36})", response.headers["Location"])
    assert found is not None
    run = session.get_one(JobRun, uuid.UUID(found.group(1)))
    assert (run.job_id, run.outcome) == ("checkpoint", "ok")
    assert run.instance.startswith("web:") and run.instance.endswith(operator.email)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "job.run")).one()
    assert event.actor_user_id == operator.id and event.target_id == str(run.id)
    assert event.details == {"job": "checkpoint", "outcome": "ok"}

    page = client.get(response.headers["Location"]).text
    assert 'id="result"' in page and "checkpoint at size" in page
    again = client.post("/operator/jobs/checkpoint/run", data={"csrf_token": _csrf(client)})
    assert again.status_code == 303
    page = client.get(again.headers["Location"]).text
    assert "log unchanged at size" in page and "nothing to do" in page

    unknown = client.post("/operator/jobs/nope/run", data={"csrf_token": _csrf(client)})
    assert unknown.status_code == 404 and "No job" in unknown.text


def test_nobody_else_sees_or_runs_the_jobs(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    assert client.get("/operator/jobs").status_code == 303  # anonymous: sign in first
    for name in ("a_admin", "procurement", "analyst"):
        other = client.application.test_client()
        sign_in(other, world.users[name])
        assert other.get("/operator/jobs").status_code == 403
        token = _csrf(other)
        refused = other.post("/operator/jobs/checkpoint/run", data={"csrf_token": token})
        assert refused.status_code == 403
        assert "/operator/jobs" not in other.get("/").text
    assert session.scalars(select(JobRun)).all() == []
