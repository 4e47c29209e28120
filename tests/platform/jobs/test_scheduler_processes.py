"""Real `esgx scheduler` processes: on SQLite a second one refuses to start; on PostgreSQL two
run, one leads, and when the leader is killed (SIGKILL, possibly mid-run) the other takes over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from esgx_platform.db import Database
from esgx_platform.jobs.models import JobRun
from esgx_platform.jobs.registry import JOBS

ESGX = [sys.executable, "-m", "esgx_platform.cli"]


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ESGX_DATABASE_URL": url,
        "ESGX_INSTANCE_DIR": str(tmp_path / "instance"),
        "ESGX_MAIL_BACKEND": "file",
        # Jobs every second and a one-second leadership check, so the test takes seconds.
        "ESGX_JOB_INTERVALS": "checkpoint=1,mail-outbox=1",
        "ESGX_SCHEDULER_RETRY_SECONDS": "1",
    }


@contextmanager
def scheduler(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen([*ESGX, "scheduler"], env=env, stdout=out, stderr=out)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def runs(db: Database) -> list[JobRun]:
    with db.sessions() as session:
        return list(session.scalars(select(JobRun).order_by(JobRun.started_at)))


def ran(db: Database, pid: int) -> list[JobRun]:
    return [r for r in runs(db) if r.instance.endswith(f":{pid}")]


def stop(process: subprocess.Popen[bytes]) -> int:
    process.terminate()
    return process.wait(timeout=30)


def test_a_second_scheduler_on_sqlite_refuses_to_start(tmp_path: Path) -> None:
    database_file = tmp_path / "scheduler.sqlite3"
    env = _env(tmp_path, f"sqlite:///{database_file}")
    subprocess.run([*ESGX, "db", "upgrade"], env=env, check=True, capture_output=True)
    db = Database(env["ESGX_DATABASE_URL"])
    try:
        with scheduler(env, tmp_path / "first.log") as first:
            wait_for(lambda: bool(ran(db, first.pid)), "the first scheduler's runs")
            second = subprocess.run(
                [*ESGX, "scheduler"], env=env, capture_output=True, text=True, timeout=60
            )
            assert second.returncode == 3, second.stderr
            assert "Another esgx scheduler is already running" in second.stderr
            assert "已有另一个 esgx 调度器" in second.stderr
            assert f"{database_file}.scheduler-lock" in second.stderr
            assert stop(first) == 0
        with db.engine.connect() as connection:
            stored = connection.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all()
        assert len(stored) == len(JOBS) and "reminders" in stored
    finally:
        db.dispose()
    # APScheduler's own table is in the platform database and is not drift.
    check = subprocess.run([*ESGX, "db", "check"], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def instances_since(db: Database, moment: datetime) -> set[str]:
    return {r.instance for r in runs(db) if r.started_at > moment}


def cut_lock_connection(db: Database) -> datetime:
    """End the leader's lock connection from the server side, as a network failure would."""
    with db.engine.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'")
        )
    return datetime.now(UTC)


@pytest.mark.postgres_only
def test_two_schedulers_on_postgresql_one_leads_the_other_takes_over(
    isolated_database: Database, tmp_path: Path
) -> None:
    if isolated_database.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: set ESGX_TEST_DATABASE_URL")
    db = isolated_database
    env = _env(tmp_path, db.engine.url.render_as_string(hide_password=False))
    with scheduler(env, tmp_path / "a.log") as a, scheduler(env, tmp_path / "b.log") as b:
        by_pid = {a.pid: a, b.pid: b}
        wait_for(lambda: bool(ran(db, a.pid) or ran(db, b.pid)), "a leader's runs")
        time.sleep(4)  # the follower has tried for the lock several times by now
        (leader,) = {r.instance for r in runs(db)}
        assert {r.job_id for r in runs(db)} >= {"checkpoint", "mail-outbox"}

        # The leader's lock connection dies but its process lives: it stops running jobs, and
        # whichever scheduler takes the lock next (either may) is the only one running them.
        cut = cut_lock_connection(db)
        wait_for(lambda: bool(instances_since(db, cut + timedelta(seconds=1))), "a new leader")
        time.sleep(3)
        (leader,) = instances_since(db, cut + timedelta(seconds=1))
        assert a.poll() is None and b.poll() is None

        # The leader is killed, possibly mid-run: the other one takes over.
        killed = by_pid.pop(int(leader.rsplit(":", 1)[1]))
        (other,) = by_pid.values()
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        gone = datetime.now(UTC)
        wait_for(lambda: bool(instances_since(db, gone)), "the take-over", timeout=30)
        time.sleep(2)
        assert instances_since(db, gone) == {r.instance for r in ran(db, other.pid)}
        # A run the kill interrupted was closed by the new leader: none is left open.
        assert all(r.ended_at is not None for r in ran(db, killed.pid))
        assert stop(other) == 0
    logs = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
    assert "follows: another one leads" in logs and "lost the leadership" in logs
    assert "takes over as leader" in logs
