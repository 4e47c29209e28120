"""Engine and session factory, the declarative base and the column types every model shares."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    Numeric,
    String,
    TypeDecorator,
    Uuid,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

# Stable constraint names, so migrations generated on SQLite and PostgreSQL agree.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_frozen_now: ContextVar[datetime | None] = ContextVar("esgx_frozen_now", default=None)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the only kind of time the platform stores).

    `clock_at` can set it for a block: time-travel tests, and the demo, which files past
    quarters at the times a supplier would have filed them.
    """
    return _frozen_now.get() or datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Make `utcnow()` answer `moment` inside the block (this thread or task only)."""
    if moment.tzinfo is None:
        raise ValueError("clock_at needs an aware datetime")
    token = _frozen_now.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _frozen_now.reset(token)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database returns.

    SQLite has no time zones: values are stored as naive UTC and made aware on the way out.
    Naive datetimes are refused on the way in, since their zone would be a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given; the platform stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


# Reusable column shapes.
UUIDPk = Annotated[uuid.UUID, mapped_column(primary_key=True, default=uuid.uuid4)]
CreatedAt = Annotated[datetime, mapped_column(default=utcnow)]
Tonnes = Annotated[Decimal, mapped_column(Numeric(20, 6))]
Money = Annotated[Decimal, mapped_column(Numeric(20, 2))]
CurrencyCode = Annotated[str, mapped_column(String(3))]


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and real transactions (see below)."""
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; SQLAlchemy's
    # documented recipe turns it off and emits BEGIN itself.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the write lock up front: a deferred transaction that reads and then
        # writes can fail with SQLITE_BUSY at once when another writer got there first.
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write(session: Session) -> None:
    """Declare that this transaction will write: on SQLite it must begin as BEGIN IMMEDIATE.

    Call it before the transaction's first statement; once a transaction has begun it is a
    no-op (PostgreSQL needs nothing: row locks do the serializing there).
    """
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})


def transaction_cache(session: Session) -> dict[Any, Any]:
    """A dict that lives as long as the session's current transaction: facts looked up once
    per transaction (a batch of submissions asks the same questions many times)."""
    transaction = session.get_transaction()
    held = session.info.get("esgx_cache")
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        session.info["esgx_cache"] = held
    cache: dict[Any, Any] = held[1]
    return cache


class Database:
    """An engine plus the session factory bound to it; one per process (or per test run)."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        # Every mapper must be registered before the first flush resolves foreign keys.
        import esgx_platform.models  # noqa: F401

        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        # Sessions for requests whose every statement stands alone (see `statement_reads`):
        # on PostgreSQL no BEGIN and ROLLBACK round trips around them.
        self.statement_reads = sessionmaker(
            bind=self.engine.execution_options(isolation_level="AUTOCOMMIT"),
            expire_on_commit=False,
        )

    @classmethod
    def bound_to(cls, connection: Connection) -> Database:
        """Sessions inside an open transaction on `connection`, each commit a SAVEPOINT.

        Tests use it to run every request inside one outer transaction that is rolled back.
        """
        database = cls.__new__(cls)
        database.engine = connection.engine
        database.sessions = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        database.statement_reads = database.sessions
        return database

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error;
        `write` takes SQLite's write lock up front (see `begin_write`)."""
        with self.sessions() as session:
            if write:
                begin_write(session)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
