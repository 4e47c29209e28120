"""`esgx backup` and `esgx restore` on the suite's database kind (SQLite or PostgreSQL): a
round trip whose restored log matches its signed checkpoint, a refusal to overwrite a database
that is not empty (in both languages), tampered backups and forged checkpoints detected, and
backups taken while the platform writes that are each a consistent snapshot."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from esgx_platform.backup import backup, scratch_database
from esgx_platform.cli import main
from esgx_platform.db import Database
from esgx_platform.intake.models import StoredDisclosure
from esgx_platform.ledger.checkpoints import publish_checkpoint
from esgx_platform.ledger.log import append
from esgx_platform.ledger.models import LogRecord
from signing import verifier_key
from tests.platform.rollups.world import SIGNER, Scenario

MATCHES = "match the signed checkpoint"


@pytest.fixture
def source(isolated_database: Database) -> Database:
    """A platform database with a log: a key registration, two filings, a checkpoint."""
    with isolated_database.transaction() as session:
        scenario = Scenario(session)
        alpha = scenario.supplier("Alpha")
        scenario.file(alpha, "2025-Q2", "10.00")
        scenario.file(alpha, "2025-Q3", "12.00")
        publish_checkpoint(session, box=SIGNER.box, origin=SIGNER.origin)
    return isolated_database


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's kind, dropped afterwards."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    with scratch_database(make_url(database_url)) as url:
        yield url


def url_of(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def esgx(url: str, tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {
        "ESGX_DATABASE_URL": url,
        "ESGX_ENV": "test",
        "ESGX_SECRET_KEY": "backup-test-secret-" + "x" * 32,
        "ESGX_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    result = CliRunner().invoke(main, list(args), env=env)
    crashed = result.exception and not isinstance(result.exception, SystemExit)
    assert not crashed, repr(result.exception)
    return result.exit_code, result.output


def counts(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            disclosures = connection.scalar(select(func.count()).select_from(StoredDisclosure))
            entries = connection.scalar(select(func.count()).select_from(LogRecord))
        return disclosures or 0, entries or 0
    finally:
        engine.dispose()


def test_a_backup_restores_and_its_log_matches_the_checkpoint(
    source: Database, empty_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "esgx.backup"
    code, out = esgx(url_of(source), tmp_path, "backup", str(file))
    assert code == 0, out
    assert "backup written to" in out and "备份已写入" in out
    code, out = esgx(url_of(source), tmp_path, "backup", "--verify", str(file))
    assert code == 0 and "entries match the signed checkpoint of size 3" in out, out
    code, out = esgx(empty_url, tmp_path, "restore", str(file))
    assert code == 0 and MATCHES in out and "已签名检查点相符" in out, out
    assert counts(empty_url) == counts(url_of(source)) == (2, 3)
    key = verifier_key(name=SIGNER.origin, key=_log_private_key(source))
    code, out = esgx(empty_url, tmp_path, "backup", "--verify", str(file), "--log-key", key)
    assert code == 0 and key in out, out


def _log_private_key(db: Database) -> ed25519.Ed25519PrivateKey:
    from esgx_platform.ledger.checkpoints import _private, active_log_key

    with db.transaction(write=False) as session:
        stored = active_log_key(session)
        assert stored is not None
        return _private(stored, SIGNER.box)


def test_a_restore_refuses_a_database_that_is_not_empty(source: Database, tmp_path: Path) -> None:
    file = tmp_path / "esgx.backup"
    assert esgx(url_of(source), tmp_path, "backup", str(file))[0] == 0
    code, out = esgx(url_of(source), tmp_path, "restore", str(file))
    assert code == 1
    assert "The target database is not empty; pass --force to overwrite it." in out
    assert "目标数据库不为空；如要覆盖，请加 --force。" in out
    code, out = esgx(url_of(source), tmp_path, "backup", str(file))  # nor a backup file
    assert code == 1 and "--force" in out and "已存在" in out
    source.dispose()  # the platform is stopped for a restore
    code, out = esgx(url_of(source), tmp_path, "restore", "--force", str(file))
    assert code == 0 and MATCHES in out, out
    assert counts(url_of(source)) == (2, 3)


def test_a_tampered_backup_is_detected(source: Database, empty_url: str, tmp_path: Path) -> None:
    """One logged byte changed (the append-only trigger dropped first, as an attacker with
    the file would): the backup no longer verifies, and a restore of it exits 1."""
    good, bad = tmp_path / "good.backup", tmp_path / "bad.backup"
    backup(url_of(source), good)
    code, _ = esgx(empty_url, tmp_path, "restore", str(good))
    assert code == 0
    _tamper(empty_url, "UPDATE log_entries SET body = body || 'x' WHERE \"index\" = 1")
    backup(empty_url, bad)
    code, out = esgx(url_of(source), tmp_path, "backup", "--verify", str(bad))
    assert code == 1
    assert "The root of the first 3 entries is not the signed checkpoint's" in out
    assert "前 3 个条目的根哈希与已签名检查点不符" in out


def test_a_forged_checkpoint_or_an_untrusted_key_is_detected(
    source: Database, empty_url: str, tmp_path: Path
) -> None:
    file, forged = tmp_path / "esgx.backup", tmp_path / "forged.backup"
    backup(url_of(source), file)
    stranger = verifier_key(name=SIGNER.origin, key=_another_key())
    code, out = esgx(
        url_of(source), tmp_path, "backup", "--verify", str(file), "--log-key", stranger
    )
    assert code == 1 and "not among the trusted keys" in out, out
    assert esgx(empty_url, tmp_path, "restore", str(file))[0] == 0
    _tamper(empty_url, "UPDATE log_checkpoints SET note = replace(note, '\n3\n', '\n2\n')")
    backup(empty_url, forged)
    code, out = esgx(url_of(source), tmp_path, "backup", "--verify", str(forged))
    assert code == 1 and "signature does not verify" in out, out


def _another_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def _tamper(url: str, statement: str) -> None:
    """Run an UPDATE on an append-only table, its triggers out of the way."""
    engine = create_engine(url)
    table = statement.split()[1]
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
            else:
                connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            connection.execute(text(statement))
    finally:
        engine.dispose()


def test_backups_taken_while_the_platform_writes_are_consistent(
    source: Database, tmp_path: Path
) -> None:
    """A writer appends entries and signs checkpoints while backups are taken: each backup
    is one snapshot whose log matches its newest checkpoint."""
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set() and n < 400:
            with source.transaction() as session:
                append(session, kind="test", body=f"entry {n}".encode(), logged_at=_now())
                if n % 3 == 0:
                    publish_checkpoint(session, box=SIGNER.box, origin=SIGNER.origin)
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    files = []
    try:
        for i in range(4):
            files.append(backup(url_of(source), tmp_path / f"during-{i}.backup").path)
    finally:
        stop.set()
        writer.join()
    for file in files:
        code, out = esgx(url_of(source), tmp_path, "backup", "--verify", str(file))
        assert code == 0 and MATCHES in out, out


def _now() -> datetime:
    return datetime.now(UTC)
