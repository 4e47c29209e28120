"""`esgx jobs list`, `esgx jobs run-once` and `esgx jobs runs` through click's runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from esgx_platform.cli import main
from esgx_platform.db import Database
from esgx_platform.jobs.registry import JOBS
from tests.platform.jobs.world import reminded_world


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return {
        "ESGX_DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        "ESGX_INSTANCE_DIR": str(tmp_path / "instance"),
        "ESGX_MAIL_BACKEND": "file",
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def test_jobs_list_run_once_and_runs(cli_env: dict[str, str]) -> None:
    assert run(cli_env, "db", "upgrade")[0] == 0
    code, out = run(cli_env, "jobs", "list")
    assert code == 0, out
    for job_id in ("reminders", "overdue-marks", "checkpoint", "mail-outbox", "key-expiry"):
        assert job_id in out
    assert "every 10 min / 每 10 分钟" in out and "daily at 03:30 UTC / 每天 UTC 03:30" in out
    assert out.count("never run") == len(JOBS)
    assert "透明日志有新增条目时签署检查点。" in out

    assert run(cli_env, "jobs", "run-once", "checkpoint") == (
        0, "checkpoint: ok (checkpoint at size 0)\n",
    )  # fmt: skip
    code, out = run(cli_env, "jobs", "run-once", "checkpoint")
    assert (code, out) == (0, "checkpoint: skipped (log unchanged at size 0)\n")
    code, out = run(cli_env, "jobs", "run-once", "reminders")
    assert code == 0 and out.startswith("reminders: skipped (0 reminders to 0 people;"), out

    code, out = run(cli_env, "jobs", "list")
    assert "last run" in out and "skipped (log unchanged at size 0)" in out
    code, out = run(cli_env, "jobs", "runs", "--job", "checkpoint")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 and all(" cli:" in line for line in lines)
    assert "skipped" in lines[0] and " ok " in lines[1]  # newest first


def test_run_once_of_an_unknown_job(cli_env: dict[str, str]) -> None:
    code, out = run(cli_env, "jobs", "run-once", "nope")
    assert code == 1
    assert "No job 'nope'; the jobs are: reminders," in out and "没有任务 'nope'" in out


def test_run_once_with_time_travel(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert run(cli_env, "db", "upgrade")[0] == 0
    database = Database(cli_env["ESGX_DATABASE_URL"])
    try:
        with database.transaction() as session:
            reminded_world(session)  # 2025-Q3, deadline 30 October 2025
    finally:
        database.dispose()
    code, out = run(cli_env, "jobs", "run-once", "reminders", "--now", "2025-10-16T09:00")
    assert code == 0, out
    assert "time travel: running reminders as if it were 2025-10-16 09:00 UTC" in out
    assert "reminders: ok (3 reminders to 4 people; mail: 4 sent" in out
    mails = sorted((tmp_path / "instance" / "mail").glob("*.eml"))
    assert len(mails) == 4 and all(m.name.startswith("20251016T090000-") for m in mails)
    code, out = run(cli_env, "jobs", "runs", "--job", "reminders")
    assert "2025-10-16 09:00:00Z" in out and "clock=2025-10-16T09:00:00Z" in out
    # The same stage again, now or at that time: nothing is sent twice.
    code, out = run(cli_env, "jobs", "run-once", "reminders", "--now", "2025-10-20")
    assert code == 0 and "reminders: skipped (0 reminders to 0 people;" in out


def test_time_travel_is_refused_in_production_and_checked(cli_env: dict[str, str]) -> None:
    code, out = run(cli_env, "jobs", "run-once", "reminders", "--now", "16/01/2027")
    assert code == 2 and "is not an ISO date" in out
    production = {
        **cli_env,
        "ESGX_ENV": "production",
        "ESGX_SECRET_KEY": "s" * 40,
        "ESGX_ENCRYPTION_KEYS": "A" * 43 + "=",
    }
    code, out = run(production, "jobs", "run-once", "reminders", "--now", "2027-01-16")
    assert code == 2 and "not ESGX_ENV=production" in out
