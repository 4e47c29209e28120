"""`esgx scheduler` and `esgx jobs`: the scheduler process, and the jobs listed or run once."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING

import click

from esgx_platform.cli_support import both, current_database, fail, settings
from esgx_platform.errors import EsgxError

if TYPE_CHECKING:
    from esgx_platform.jobs.base import JobSpec
    from esgx_platform.jobs.models import JobRun


def _stop(signum: int, frame: FrameType | None) -> None:
    # Unwinds the main thread out of the scheduler's loop; `_lead` then waits for running
    # jobs and releases the leadership on the way out.
    raise SystemExit(0)


@click.command(
    help="Run the scheduled jobs (reminders, checkpoints, mail, housekeeping) in this process. "
    "Several may run against PostgreSQL: one leads, the others wait to take over. On SQLite a "
    "second one refuses to start (exit code 3). See docs/scheduler.md."
)
def scheduler() -> None:
    from esgx_platform.jobs.leadership import EXIT_ALREADY_RUNNING, SchedulerAlreadyRunning
    from esgx_platform.jobs.runner import instance_name
    from esgx_platform.jobs.scheduler import serve_scheduler

    current = settings()
    current_database().dispose()  # refuse to start on a schema behind the code
    logging.basicConfig(
        level=current.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    signal.signal(signal.SIGTERM, _stop)
    instance = instance_name("scheduler")
    click.echo(f"esgx scheduler {instance} starting", err=True)
    try:
        serve_scheduler(current, instance=instance)
    except SchedulerAlreadyRunning as exc:
        click.echo(f"Error: {both(exc.detail)}", err=True)
        sys.exit(EXIT_ALREADY_RUNNING)
    except EsgxError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        pass
    click.echo(f"esgx scheduler {instance} stopped", err=True)


@click.group(help="Scheduled jobs: list them with their last run, run one now.")
def jobs() -> None:
    pass


@jobs.command("list", help="Every job: its trigger, what it does and its last run.")
def jobs_list() -> None:
    from esgx_platform.jobs.runner import last_runs

    declared = _declared()
    opened = current_database()
    try:
        with opened.transaction(write=False) as session:
            last = last_runs(session, [job.id for job in declared])
    finally:
        opened.dispose()
    for job in declared:
        click.echo(f"{job.id:14} {both(job.trigger.describe()):36} {_last(last.get(job.id))}")
        click.echo(f"{'':14} {job.description.en}")
        click.echo(f"{'':14} {job.description.zh}")


@jobs.command("run-once", help="Run one job now, as the scheduler would, and record the run.")
@click.argument("job_id")
@click.option(
    "--now",
    "now_text",
    metavar="WHEN",
    help="Time travel (development and demos; refused with ESGX_ENV=production): run as if "
    "the clock read WHEN, an ISO date (midnight UTC) or date and time (UTC unless it says). "
    "Everything the run writes carries that time: the run, reminders, inbox rows and mail.",
)
def jobs_run_once(job_id: str, now_text: str | None) -> None:
    from esgx_platform.db import clock_at
    from esgx_platform.jobs.base import JobContext
    from esgx_platform.jobs.registry import find_job
    from esgx_platform.jobs.runner import instance_name, run_job
    from esgx_platform.notifications.mail import mail_backend

    current = settings()
    moment = _time_travel(now_text, production=current.is_production)
    try:
        job = find_job(_declared(), job_id)
        mailer = mail_backend(current)
    except EsgxError as exc:
        raise fail(exc) from None
    instance = instance_name("cli")
    travel = contextlib.nullcontext() if moment is None else clock_at(moment)
    if moment is not None:
        instance = f"{instance} clock={moment:%Y-%m-%dT%H:%M:%SZ}"  # labelled in `jobs runs`
        click.echo(
            f"time travel: running {job.id} as if it were {moment:%Y-%m-%d %H:%M} UTC", err=True
        )
    opened = current_database()
    try:
        with travel:
            run = run_job(JobContext(opened, current, mailer), job, instance=instance)
    finally:
        opened.dispose()
    click.echo(f"{job.id}: {run.outcome}" + (f" ({run.summary})" if run.summary else ""))
    if run.outcome == "failed":
        raise click.ClickException(run.error or "failed")


def _time_travel(text: str | None, *, production: bool) -> datetime | None:
    """The --now moment, aware UTC; refused in production, where mail would go to real people
    dated in the future and reminders would be spent before their day."""
    if text is None:
        return None
    if production:
        raise click.UsageError(
            "--now (time travel) is for development and demos, not ESGX_ENV=production. / "
            "--now（时间旅行）仅用于开发和演示，不能在 ESGX_ENV=production 下使用。"
        )
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO date or date and time (2027-01-16, 2027-01-16T09:00). / "
            f"{text!r} 不是 ISO 日期或日期时间（2027-01-16、2027-01-16T09:00）。",
            param_hint="--now",
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@jobs.command("runs", help="The most recent job runs, newest first.")
@click.option("--job", "job_id", help="Only this job's runs.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
def jobs_runs(job_id: str | None, limit: int) -> None:
    from esgx_platform.jobs.runner import recent_runs

    opened = current_database()
    try:
        with opened.transaction(write=False) as session:
            runs = recent_runs(session, limit=limit, job_id=job_id)
    finally:
        opened.dispose()
    for run in runs:
        ended = f"{run.ended_at:%H:%M:%S}Z" if run.ended_at else "--"
        error = run.error.strip().splitlines()[-1] if run.error else ""
        click.echo(
            f"{run.started_at:%Y-%m-%d %H:%M:%S}Z {ended:9} {run.job_id:14} {run.outcome:8} "
            f"{run.instance}  {run.summary or ''} {error}".rstrip()
        )


def _declared() -> tuple[JobSpec, ...]:
    from esgx_platform.jobs.registry import jobs_for

    try:
        return jobs_for(settings())
    except EsgxError as exc:
        raise fail(exc) from None


def _last(run: JobRun | None) -> str:
    if run is None:
        return "never run"
    summary = f" ({run.summary})" if run.summary else ""
    return f"last run {run.started_at:%Y-%m-%d %H:%M:%S}Z {run.outcome}{summary}"
