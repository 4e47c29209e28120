"""`esgx scheduler`: one process per deployment (never inside `create_app`), running the
declared jobs with APScheduler while it holds the leadership (see leadership.py).

The job store lives in the platform database (APScheduler's own `apscheduler_jobs` table), so a
new leader carries on from the next run times the previous one stored: a missed run is caught up
once (coalesced) within the misfire grace time instead of waiting for the next tick.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler

from esgx_platform.config import Settings
from esgx_platform.db import Database, make_engine
from esgx_platform.errors import ConfigurationError
from esgx_platform.i18n import Text
from esgx_platform.jobs.base import JobContext, JobSpec
from esgx_platform.jobs.leadership import FileLeadership, Leadership, leadership_for
from esgx_platform.jobs.registry import find_job, jobs_for
from esgx_platform.jobs.runner import close_abandoned_runs, run_job
from esgx_platform.migrate import JOB_STORE_TABLE, current_revision, head_revision
from esgx_platform.notifications.mail import mail_backend

log = logging.getLogger(__name__)
FIRE = "esgx_platform.jobs.scheduler:fire"  # by reference: the job store pickles references
MISFIRE_GRACE_SECONDS = 3600


@dataclass(frozen=True)
class _Runtime:
    ctx: JobContext
    jobs: tuple[JobSpec, ...]
    instance: str
    leadership: Leadership


_runtime: _Runtime | None = None  # this process's, set while it leads


def fire(job_id: str) -> None:
    """What APScheduler calls: run the declared job and record the run."""
    runtime = _runtime
    # Checked before every run, not only by the heartbeat: a leader whose lock connection died
    # a moment ago must not start a run the new leader may be starting too.
    if runtime is None or not runtime.leadership.alive():
        log.warning("not leading: job %s not started", job_id)
        return
    run_job(runtime.ctx, find_job(runtime.jobs, job_id), instance=runtime.instance)


def serve_scheduler(settings: Settings, *, instance: str) -> None:
    """Run until stopped: lead when possible, follow otherwise. Raises ConfigurationError
    when the schema is behind, SchedulerAlreadyRunning on SQLite when another one runs."""
    global _runtime
    database = Database(settings.database_url)
    leadership = leadership_for(settings)
    try:
        _require_current_schema(database)
        ctx = JobContext(database, settings, mail_backend(settings))
        _runtime = _Runtime(ctx, jobs_for(settings), instance, leadership)
        while True:
            _wait_for_leadership(leadership, settings.scheduler_retry_seconds, instance)
            _lead(_runtime, leadership, settings)
    finally:
        _runtime = None
        leadership.release()
        database.dispose()


def _require_current_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        current = current_revision(connection)
    if current != head_revision():
        raise ConfigurationError(
            Text(
                "The database is at revision {c}, the code expects {h}: run `esgx db upgrade`.",
                "数据库版本为 {c}，代码需要 {h}：请先运行 `esgx db upgrade`。",
            ).format(c=current, h=head_revision())
        )


def _wait_for_leadership(leadership: Leadership, retry_seconds: int, instance: str) -> None:
    if leadership.acquire():
        log.info("scheduler %s leads", instance)
        return
    if isinstance(leadership, FileLeadership):
        raise leadership.refusal()
    log.info("scheduler %s follows: another one leads; trying every %d s", instance, retry_seconds)
    while not leadership.acquire():
        time.sleep(retry_seconds)
    log.info("scheduler %s takes over as leader", instance)


def _lead(runtime: _Runtime, leadership: Leadership, settings: Settings) -> None:
    """Schedule the jobs and block until the leadership is lost (then return) or the
    process is stopped (SystemExit from the signal handler, KeyboardInterrupt)."""
    closed = close_abandoned_runs(runtime.ctx.database, instance=runtime.instance)
    if closed:
        log.warning("closed %d runs left open by a scheduler that died", closed)
    store_engine = make_engine(settings.database_url)
    store = SQLAlchemyJobStore(engine=store_engine, tablename=JOB_STORE_TABLE)
    scheduler = BlockingScheduler(
        jobstores={"default": store, "leadership": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(4), "leadership": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=UTC,
    )
    _sync_jobs(scheduler, store, runtime.jobs)

    def check_leadership() -> None:
        if not leadership.alive():
            log.error("scheduler %s lost the leadership; stopping its jobs", runtime.instance)
            scheduler.shutdown(wait=False)

    scheduler.add_job(
        check_leadership,
        "interval",
        seconds=settings.scheduler_retry_seconds,
        id="leadership",
        jobstore="leadership",
        executor="leadership",
    )
    try:
        scheduler.start()
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        store_engine.dispose()


def _sync_jobs(
    scheduler: BlockingScheduler, store: SQLAlchemyJobStore, jobs: tuple[JobSpec, ...]
) -> None:
    """Make the stored jobs the declared ones. A stored job with an unchanged trigger keeps
    its stored next run time (so a missed run is caught up); the rest are replaced, and jobs
    no longer declared are removed."""
    store.start(scheduler, "default")  # the scheduler starts it again later; that is harmless
    stored = {job.id: (job.func_ref, str(job.trigger)) for job in store.get_all_jobs()}
    for job_id in set(stored) - {job.id for job in jobs}:
        store.remove_job(job_id)
    for job in jobs:
        trigger = job.trigger.build()
        if stored.get(job.id) == (FIRE, str(trigger)):
            continue
        scheduler.add_job(
            FIRE,
            trigger,
            args=[job.id],
            id=job.id,
            name=job.description.en,
            replace_existing=True,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
