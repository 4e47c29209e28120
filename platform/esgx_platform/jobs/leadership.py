"""Which scheduler runs the jobs: exactly one leader per database.

PostgreSQL: a session-level advisory lock held on a dedicated connection. Followers try again
every few seconds; when the leader dies its connection closes, the server releases the lock and
a follower takes it. The server is told to probe the connection with TCP keepalives, so a
leader whose machine vanishes without closing the socket is noticed within about half a minute.

SQLite: an exclusive `flock` on a lock file beside the database file. There is no take-over:
a second scheduler for the same file refuses to start (SchedulerAlreadyRunning). The kernel
releases the lock when the process dies, even by SIGKILL, so a stale file never blocks.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from esgx_platform.config import Settings
from esgx_platform.db import make_engine
from esgx_platform.errors import Conflict
from esgx_platform.i18n import Text

log = logging.getLogger(__name__)
# "esgxschd" as a 64-bit integer: advisory lock keys are per database, this one is ours.
LOCK_KEY = int.from_bytes(b"esgxschd", "big")
EXIT_ALREADY_RUNNING = 3


class SchedulerAlreadyRunning(Conflict):
    type_slug = "scheduler-already-running"


class Leadership(Protocol):
    def acquire(self) -> bool:
        """Try once to become the leader; True when this process leads now."""

    def alive(self) -> bool:
        """Whether this process still leads (checked every few seconds while leading)."""

    def release(self) -> None: ...


class PostgresLeadership:
    def __init__(self, url: str) -> None:
        # NullPool: the lock lives and dies with one real connection, never a pooled one.
        self.engine = make_engine(url, poolclass=NullPool)
        self.connection: Connection | None = None
        # The check runs from the heartbeat and from job threads; a Connection is not shared.
        self.guard = threading.Lock()

    def acquire(self) -> bool:
        try:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            for name, value in (("idle", 10), ("interval", 5), ("count", 3)):
                connection.exec_driver_sql(f"SET tcp_keepalives_{name} = {value}")
            got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY})
            if got.scalar():
                self.connection = connection
                return True
            connection.close()
        except DBAPIError as exc:  # the database is unreachable: stay a follower and retry
            log.warning("cannot reach the database to take the scheduler lock: %s", exc)
        return False

    def alive(self) -> bool:
        with self.guard:
            if self.connection is None:
                return False
            try:
                self.connection.exec_driver_sql("SELECT 1")
            except DBAPIError as exc:
                log.error("lost the scheduler lock's connection: %s", exc)
                self.connection = None
                return False
            return True

    def release(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(DBAPIError):  # a dead connection holds no lock anyway
                self.connection.close()  # closing the session releases its advisory locks
            self.connection = None
        self.engine.dispose()


class FileLeadership:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return True

    def alive(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None

    def refusal(self) -> SchedulerAlreadyRunning:
        return SchedulerAlreadyRunning(
            Text(
                "Another esgx scheduler is already running on this SQLite database "
                "(it holds {path}). On SQLite only one scheduler may run: stop the other one "
                "first, or use PostgreSQL for several.",
                "已有另一个 esgx 调度器在使用此 SQLite 数据库（它持有 {path}）。SQLite 上只能运行"
                "一个调度器：请先停止另一个，或改用 PostgreSQL 以运行多个。",
            ).format(path=str(self.path))
        )


def leadership_for(settings: Settings) -> PostgresLeadership | FileLeadership:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresLeadership(settings.database_url)
    if url.database in (None, "", ":memory:"):
        return FileLeadership(settings.instance_dir / "scheduler.lock")
    return FileLeadership(Path(f"{url.database}.scheduler-lock"))
