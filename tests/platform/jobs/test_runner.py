"""Running jobs: every run recorded (start, end, outcome, error), runs left open by a dead
scheduler closed by the next leader, and the declared jobs with the settings' triggers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.config import Settings
from esgx_platform.db import clock_at
from esgx_platform.errors import ConfigurationError, InvalidInput, NotFound
from esgx_platform.i18n import Text
from esgx_platform.jobs.base import Cron, Every, JobContext, JobResult, JobSpec
from esgx_platform.jobs.models import JobRun
from esgx_platform.jobs.registry import JOBS, find_job, jobs_for
from esgx_platform.jobs.runner import close_abandoned_runs, last_runs, run_job
from tests.platform.jobs.world import day

DESCRIPTION = Text("A test job.", "测试任务。")


def _boom(ctx: JobContext) -> JobResult:
    raise RuntimeError("boom")


def _refused(ctx: JobContext) -> JobResult:
    raise InvalidInput(Text("Refused.", "已拒绝。"))


def test_a_run_is_recorded_from_start_to_end(session: Session, job_ctx: JobContext) -> None:
    job = JobSpec("ok-job", lambda ctx: JobResult.ok("did it"), Every(60), DESCRIPTION)
    with clock_at(day("2025-10-16")):
        run = run_job(job_ctx, job, instance="cli:test:1")
    stored = session.get_one(JobRun, run.id)
    assert (stored.job_id, stored.outcome, stored.summary, stored.error) == (
        "ok-job", "ok", "did it", None,
    )  # fmt: skip
    assert stored.started_at == stored.ended_at == day("2025-10-16")
    assert stored.instance == "cli:test:1"
    assert last_runs(session, ["ok-job", "never"]) == {"ok-job": stored}


def test_a_failure_is_recorded_with_its_error(session: Session, job_ctx: JobContext) -> None:
    run = run_job(job_ctx, JobSpec("boom", _boom, Every(60), DESCRIPTION), instance="cli:t:1")
    assert run.outcome == "failed" and run.ended_at is not None
    assert run.error is not None and "RuntimeError: boom" in run.error
    refused = run_job(job_ctx, JobSpec("no", _refused, Every(60), DESCRIPTION), instance="cli:t:1")
    assert refused.error == "Refused. / 已拒绝。"


def test_a_new_leader_closes_the_runs_a_dead_scheduler_left_open(
    session: Session, job_ctx: JobContext
) -> None:
    started = day("2025-10-16")
    rows = {
        name: JobRun(job_id="reminders", started_at=started, outcome="running", instance=name)
        for name in ("scheduler:host:1", "cli:host:2", "scheduler:host:3")
    }
    session.add_all(rows.values())
    session.commit()
    assert close_abandoned_runs(job_ctx.database, instance="scheduler:host:3") == 1
    session.expire_all()
    dead = rows["scheduler:host:1"]
    assert dead.outcome == "failed" and dead.error is not None and "abandoned" in dead.error
    assert rows["cli:host:2"].outcome == rows["scheduler:host:3"].outcome == "running"
    assert session.scalars(select(JobRun).where(JobRun.outcome == "failed")).all() == [dead]


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"ESGX_INSTANCE_DIR": str(tmp_path), **env})


def test_declared_jobs_and_their_triggers(tmp_path: Path) -> None:
    jobs = {job.id: job for job in jobs_for(_settings(tmp_path))}
    assert set(jobs) == {
        "reminders", "overdue-marks", "checkpoint", "mail-outbox", "key-expiry", "housekeeping",
        "pact-requests", "webhooks", "refresh",
    }  # fmt: skip
    assert jobs["webhooks"].trigger == Every(30)
    assert jobs["refresh"].trigger == Every(120)
    assert jobs["checkpoint"].trigger == Every(600)
    assert jobs["reminders"].trigger == Cron(minute=5)
    assert jobs["housekeeping"].trigger.describe() == Text("daily at 03:30 UTC", "每天 UTC 03:30")
    assert all(job.description.en and job.description.zh for job in JOBS)
    tuned = _settings(
        tmp_path, ESGX_CHECKPOINT_MINUTES="5", ESGX_JOB_INTERVALS="reminders=2, mail-outbox=30"
    )
    assert find_job(jobs_for(tuned), "checkpoint").trigger == Every(300)
    assert find_job(jobs_for(tuned), "reminders").trigger.describe().en == "every 2 s"
    assert find_job(jobs_for(tuned), "mail-outbox").trigger.describe().zh == "每 30 秒"
    with pytest.raises(NotFound, match="No job 'nope'"):
        jobs_for(_settings(tmp_path, ESGX_JOB_INTERVALS="nope=5"))
    with pytest.raises(ConfigurationError, match="ESGX_JOB_INTERVALS"):
        _settings(tmp_path, ESGX_JOB_INTERVALS="reminders")


def test_mail_and_link_settings(tmp_path: Path) -> None:
    assert _settings(tmp_path).base_url == "http://127.0.0.1:8000"
    named = _settings(tmp_path, ESGX_SERVER_NAME="esgx.example.cn")
    assert named.base_url == "http://esgx.example.cn"
    explicit = _settings(tmp_path, ESGX_BASE_URL="https://esgx.example.cn/")
    assert explicit.base_url == "https://esgx.example.cn"
    for name, value in (
        ("ESGX_BASE_URL", "esgx.example.cn"),
        ("ESGX_MAIL_BACKEND", "pigeon"),
        ("ESGX_MAIL_SECURITY", "tls"),
    ):
        with pytest.raises(ConfigurationError, match=name):
            _settings(tmp_path, **{name: value})
    production = _settings(
        tmp_path,
        ESGX_ENV="production",
        ESGX_SECRET_KEY="k" * 40,
        ESGX_ENCRYPTION_KEYS="A" * 43 + "=",
    )
    assert production.mail_backend == "smtp"  # never a console in production unless asked
