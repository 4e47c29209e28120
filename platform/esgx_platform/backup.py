"""Backups and restores of the platform's database, and the log check that proves a restore.

SQLite is copied with its online backup API (one consistent snapshot while the platform goes
on writing; the copy is a standalone file, no WAL beside it). PostgreSQL is dumped with
`pg_dump --format=custom` and restored with `pg_restore` in one transaction. A restore refuses
a target that holds tables unless forced; after it, `check_database` verifies the restored log
against its newest signed checkpoint (ledger/integrity.py). A PostgreSQL archive is checked in a
scratch database made beside the configured one and dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from esgx_platform.errors import EsgxError
from esgx_platform.i18n import Text
from esgx_platform.ledger.integrity import LogCheck, check_log

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
PG_BIN = Path("/usr/bin")


class BackupError(EsgxError):
    type_slug = "backup"
    title = Text("Backup or restore refused", "备份或恢复被拒绝")
    status = 400


@dataclass(frozen=True)
class Copied:
    """A backup written or restored: where, of which kind, how big, how long it took."""

    path: Path
    kind: str  # "sqlite" | "postgresql"
    size: int
    seconds: float


def _refuse(en: str, zh: str, **values: object) -> BackupError:
    return BackupError(Text(en, zh).format(**values))


def _kind(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise _refuse("A backup needs a database file.", "备份需要一个数据库文件。")
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        return "postgresql"
    raise _refuse("Unsupported database {d}.", "不支持的数据库 {d}。", d=url.get_backend_name())


def backup_kind(path: Path) -> str:
    """What a backup file holds, by its first bytes; BackupError for anything else."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise _refuse(
        "{p} is not an esgx backup (neither a SQLite file nor a pg_dump archive).",
        "{p} 不是 esgx 备份（既不是 SQLite 文件，也不是 pg_dump 归档）。",
        p=path,
    )


def backup(database_url: str, target: Path, *, force: bool = False) -> Copied:
    """Write a consistent copy of the database to `target` (replaced only with `force`)."""
    url = make_url(database_url)
    kind = _kind(url)
    if target.exists() and not force:
        raise _refuse(
            "{p} exists; choose another file or pass --force to replace it.",
            "{p} 已存在；请换一个文件名，或加 --force 覆盖。",
            p=target,
        )
    started = time.monotonic()
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        if kind == "sqlite":
            _sqlite_backup(Path(str(url.database)), partial)
        else:
            _pg("pg_dump", ["--format=custom", "--no-owner", "--no-privileges"], url, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return Copied(target, kind, target.stat().st_size, time.monotonic() - started)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise _refuse("There is no database at {p}.", "{p} 处没有数据库。", p=source)
    with _sqlite(source) as src, _sqlite(target) as dst:
        src.backup(dst)  # one step: a single read transaction, so one consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # a standalone file, no -wal beside it


@contextmanager
def _sqlite(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    connection = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def restore(source: Path, database_url: str, *, force: bool = False) -> Copied:
    """Restore a backup into the database at `database_url`; BackupError when the kinds
    differ, or when the target holds tables and `force` was not given."""
    url = make_url(database_url)
    kind = _kind(url)
    found = backup_kind(source)
    if found != kind:
        raise _refuse(
            "{p} is a {b} backup; the target database is {t}.",
            "{p} 是 {b} 备份，而目标数据库是 {t}。",
            p=source,
            b=found,
            t=kind,
        )
    if _tables(url) and not force:
        raise _refuse(
            "The target database is not empty; pass --force to overwrite it.",
            "目标数据库不为空；如要覆盖，请加 --force。",
        )
    started = time.monotonic()
    if kind == "sqlite":
        _sqlite_restore(source, Path(str(url.database)))
    else:
        _pg_reset(url)
        _pg("pg_restore", ["--no-owner", "--no-privileges", "--single-transaction"], url, source)
    return Copied(source, kind, source.stat().st_size, time.monotonic() - started)


def _sqlite_restore(source: Path, target: Path) -> None:
    try:
        with _sqlite(source, read_only=True) as src, _sqlite(target) as dst:
            src.backup(dst)  # page by page, under the target's write lock
    except sqlite3.OperationalError as exc:
        raise _refuse(
            "The target database is in use ({e}): stop the platform, then restore.",
            "目标数据库正在使用中（{e}）：请先停止平台，再恢复。",
            e=str(exc),
        ) from None


def _tables(url: URL) -> list[str]:
    if url.get_backend_name() == "sqlite" and not Path(str(url.database)).exists():
        return []
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()


def _pg_reset(url: URL) -> None:
    """An empty `public` schema, as a new database has (what --force overwrites)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _pg(program: str, options: list[str], url: URL, path: Path) -> None:
    """Run pg_dump (writing `path`) or pg_restore (reading it) against the database at `url`;
    the password goes in the environment, never on the command line."""
    env = {**os.environ, "PGPASSWORD": url.password or "", "PGCONNECT_TIMEOUT": "10"}
    if "sslmode" in url.query:
        env["PGSSLMODE"] = str(url.query["sslmode"])
    connection = [
        f"--host={url.host or 'localhost'}",
        f"--port={url.port or 5432}",
        f"--username={url.username or 'postgres'}",
        f"--dbname={url.database}",
    ]
    files = [f"--file={path}"] if program == "pg_dump" else ["--exit-on-error", str(path)]
    binary = PG_BIN / program
    done = subprocess.run(  # noqa: S603 - a fixed program; arguments from the settings
        [str(binary) if binary.exists() else program, *options, *connection, *files],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise _refuse("{c} failed: {e}", "{c} 失败：{e}", c=program, e=done.stderr.strip()[-2000:])


def check_database(database_url: str, *, trusted_keys: tuple[str, ...] = ()) -> LogCheck:
    """Check the log of the database at `database_url` (ledger.integrity.check_log)."""
    import esgx_platform.models  # noqa: F401 - every mapper registered before querying

    # A plain engine, not the platform's: only reads, no journal mode or other settings.
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return check_log(session, trusted_keys=trusted_keys)
    finally:
        engine.dispose()


def verify_backup(
    source: Path, database_url: str, *, trusted_keys: tuple[str, ...] = ()
) -> LogCheck:
    """Check the log inside a backup file. A SQLite file is read where it is; a PostgreSQL
    archive is restored into a scratch database on the configured server, then dropped."""
    if backup_kind(source) == "sqlite":
        with tempfile.TemporaryDirectory() as scratch:  # the backup itself stays untouched
            copy = Path(scratch) / "backup.sqlite3"
            shutil.copyfile(source, copy)
            return check_database(f"sqlite:///{copy}", trusted_keys=trusted_keys)
    server = make_url(database_url)
    if server.get_backend_name() != "postgresql":
        raise _refuse(
            "Checking a PostgreSQL archive needs ESGX_DATABASE_URL to name a PostgreSQL server.",
            "检查 PostgreSQL 归档需要 ESGX_DATABASE_URL 指向一个 PostgreSQL 服务器。",
        )
    with scratch_database(server) as scratch:
        restore(source, scratch)
        return check_database(scratch, trusted_keys=trusted_keys)


@contextmanager
def scratch_database(server: URL) -> Iterator[str]:
    """A new, empty database on the server at `server`, dropped on leaving."""
    name = f"esgx_verify_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
