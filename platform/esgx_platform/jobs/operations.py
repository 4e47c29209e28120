"""What operators see and do with the jobs: each declared job with its last run, the latest
runs, and running one now through the same runner as `esgx jobs run-once`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from esgx_platform.config import Settings
from esgx_platform.db import Database
from esgx_platform.jobs.base import JobContext, JobSpec
from esgx_platform.jobs.models import JobRun
from esgx_platform.jobs.registry import find_job, jobs_for
from esgx_platform.jobs.runner import last_runs, recent_runs, run_job
from esgx_platform.notifications.mail import mail_backend

RECENT_RUNS = 50


@dataclass(frozen=True)
class JobRow:
    spec: JobSpec
    last: JobRun | None


@dataclass(frozen=True)
class JobsOverview:
    jobs: list[JobRow]
    runs: list[JobRun]  # newest first


def jobs_overview(
    session: Session, settings: Settings, *, limit: int = RECENT_RUNS
) -> JobsOverview:
    """The declared jobs (with this deployment's triggers) and their last run, and the latest
    runs of any job; raises NotFound when ESGX_JOB_INTERVALS names an unknown job."""
    declared = jobs_for(settings)
    last = last_runs(session, [job.id for job in declared])
    return JobsOverview(
        jobs=[JobRow(job, last.get(job.id)) for job in declared],
        runs=recent_runs(session, limit=limit),
    )


def run_now(database: Database, settings: Settings, job_id: str, *, instance: str) -> JobRun:
    """Run one job once, recorded like a scheduled run (its failure is recorded, not raised);
    raises NotFound for an unknown job and ConfigurationError for unusable mail settings.

    Two runs of a job at the same moment (this one and the scheduler's) are safe: every
    effect that must happen once is guarded by a unique row (docs/scheduler.md)."""
    job = find_job(jobs_for(settings), job_id)
    ctx = JobContext(database, settings, mail_backend(settings))
    return run_job(ctx, job, instance=instance)


def error_headline(error: str | None) -> str | None:
    """The line of a run's error worth showing first: a traceback's last line (the exception
    and its message), else the first line (a platform error's bilingual message)."""
    if not error:
        return None
    lines = [line for line in error.strip().splitlines() if line.strip()]
    if not lines:
        return None
    return lines[-1].strip() if lines[0].startswith("Traceback") else lines[0].strip()
