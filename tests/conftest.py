"""Shared fixtures: a migrated database (SQLite or PostgreSQL), a rolled-back transaction a test.

The database comes from ESGX_TEST_DATABASE_URL (default: a fresh SQLite file). For PostgreSQL a
throw-away database is created next to the one named in the URL and dropped afterwards, so the
suite never touches existing data. Under CI=true an unreachable PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from esgx_platform.app import create_app
from esgx_platform.config import Settings
from esgx_platform.db import Database
from esgx_platform.migrate import upgrade_to_head

TEST_SECRET = "test-secret-key-" + "x" * 32


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Argon2 at minimal cost in tests: the suite hashes hundreds of passwords. The hash format
    and verification path are the production ones; only the work factors differ."""
    from argon2 import PasswordHasher

    from esgx_platform.accounts import passwords

    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("esgx-no-such-account")
    yield
    passwords._hasher = production


def _database_url(tmp_root: Path) -> str:
    return os.environ.get("ESGX_TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'esgx-test.sqlite3'}"


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("ESGX_TEST_DATABASE_URL")
    shown = make_url(url).render_as_string(hide_password=True) if url else "sqlite (a temp file)"
    return f"esgx test database: {shown}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    dialect = getattr(terminalreporter.config, "_esgx_dialect", None)
    if dialect:
        terminalreporter.write_line(f"esgx: the suite ran on {dialect}")


@pytest.fixture(scope="session")
def database_url(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    url = _database_url(tmp_path_factory.mktemp("db"))
    if not url.startswith("postgresql"):
        request.config._esgx_dialect = "sqlite"  # type: ignore[attr-defined]
        yield url
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"esgx_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable under CI=true: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    request.config._esgx_dialect = "postgresql"  # type: ignore[attr-defined]
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    """The test database, its schema built by running the real migrations."""
    db = Database(database_url)
    upgrade_to_head(db.engine)
    yield db
    db.dispose()


@pytest.fixture
def isolated_database(database_url: str, tmp_path: Path) -> Iterator[Database]:
    """A database of its own, migrated, for tests whose transactions must really commit
    (concurrency, crash safety); dropped afterwards."""
    if not database_url.startswith("postgresql"):
        db = Database(f"sqlite:///{tmp_path / 'isolated.sqlite3'}")
        upgrade_to_head(db.engine)
        yield db
        db.dispose()
        return
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    name = f"esgx_iso_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(make_url(database_url).set(database=name).render_as_string(hide_password=False))
    try:
        upgrade_to_head(db.engine)
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def connection(database: Database) -> Iterator[Connection]:
    """One connection whose outer transaction is rolled back after the test."""
    with database.engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


@pytest.fixture
def test_db(connection: Connection) -> Database:
    return Database.bound_to(connection)


@pytest.fixture
def session(test_db: Database) -> Iterator[Session]:
    with test_db.sessions() as s:
        yield s


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings.from_env(
        {
            "ESGX_ENV": "test",
            "ESGX_SECRET_KEY": TEST_SECRET,
            "ESGX_DATABASE_URL": database_url,
            "ESGX_INSTANCE_DIR": str(tmp_path / "instance"),
        }
    )


@pytest.fixture
def app(settings: Settings, test_db: Database) -> Flask:
    return create_app(settings, database=test_db, TESTING=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
