"""Running a job and recording the run: a `job_runs` row inserted at the start and completed
at the end, whoever runs it (the scheduler, `esgx jobs run-once`, a test)."""

from __future__ import annotations

import logging
import os
import socket
import traceback
import uuid
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from esgx_platform.db import Database, utcnow
from esgx_platform.errors import EsgxError
from esgx_platform.jobs.base import JobContext, JobResult, JobSpec
from esgx_platform.jobs.models import JobRun

log = logging.getLogger(__name__)
SCHEDULER_PREFIX = "scheduler:"
ERROR_CHARS = 4000


def instance_name(kind: str) -> str:
    """Who runs jobs here: `scheduler:<host>:<pid>` or `cli:<host>:<pid>`."""
    return f"{kind}:{socket.gethostname()}:{os.getpid()}"


def run_job(ctx: JobContext, job: JobSpec, *, instance: str) -> JobRun:
    """Run `job` once and record it; a failure is recorded (and logged), never raised: the
    scheduler outlives a failing job, and the caller reads the outcome from the row."""
    run_id = _start(ctx.database, job.id, instance)
    try:
        result = job.func(ctx)
    # The run must be closed whatever went wrong, or it would show as running for ever; the
    # traceback is kept on the row and in the log, so nothing is hidden.
    except Exception as exc:
        log.exception("job %s failed", job.id)
        return _finish(ctx.database, run_id, JobResult("failed", ""), _error_text(exc))
    log.info("job %s: %s (%s)", job.id, result.outcome, result.summary)
    return _finish(ctx.database, run_id, result, None)


def _start(database: Database, job_id: str, instance: str) -> uuid.UUID:
    run = JobRun(
        id=uuid.uuid4(), job_id=job_id, started_at=utcnow(), outcome="running", instance=instance
    )
    with database.transaction() as session:
        session.add(run)
    return run.id


def _finish(database: Database, run_id: uuid.UUID, result: JobResult, error: str | None) -> JobRun:
    with database.transaction() as session:
        run = session.get_one(JobRun, run_id)
        run.ended_at = utcnow()
        run.outcome = result.outcome
        run.summary = result.summary[:500] or None
        run.error = error
        return run


def _error_text(exc: Exception) -> str:
    if isinstance(exc, EsgxError):
        return f"{exc.detail.en} / {exc.detail.zh}"
    return "".join(traceback.format_exception(exc))[-ERROR_CHARS:]


def close_abandoned_runs(database: Database, *, instance: str) -> int:
    """Close as failed the runs other schedulers left open: only the leader runs scheduled
    jobs, so a new leader knows those schedulers died mid-run. CLI runs are left alone."""
    with database.transaction() as session:
        statement = (
            update(JobRun)
            .where(
                JobRun.ended_at.is_(None),
                JobRun.instance.startswith(SCHEDULER_PREFIX),
                JobRun.instance != instance,
            )
            .values(
                ended_at=utcnow(),
                outcome="failed",
                error=f"abandoned: its scheduler stopped mid-run; closed by {instance}",
            )
            .execution_options(synchronize_session=False)
        )
        result = cast(CursorResult[Any], session.execute(statement))
        return int(result.rowcount)


def last_runs(session: Session, job_ids: list[str]) -> dict[str, JobRun]:
    """The newest run of each job that has run."""
    found: dict[str, JobRun] = {}
    for job_id in job_ids:
        run = session.scalar(
            select(JobRun)
            .where(JobRun.job_id == job_id)
            .order_by(JobRun.started_at.desc())
            .limit(1)
        )
        if run is not None:
            found[job_id] = run
    return found


def recent_runs(session: Session, *, limit: int = 20, job_id: str | None = None) -> list[JobRun]:
    stmt = select(JobRun).order_by(JobRun.started_at.desc()).limit(limit)
    if job_id is not None:
        stmt = stmt.where(JobRun.job_id == job_id)
    return list(session.scalars(stmt))
