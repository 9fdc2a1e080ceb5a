"""Database engine and the one MetaData every context's tables are declared on.

On PostgreSQL each context's tables live in a schema named after it, and the event
backbone's (outbox, event log, tracking: every service writes its own events there and
reads its own tracking) in `events`, owned by no context, with the shard leases. SQLite
has no schemas: its engines translate those names away and every table keeps its plain
(context-prefixed) name."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, MetaData, event, make_url
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from astratrade.config import CONTEXTS

EVENTS_SCHEMA = "events"
SCHEMAS = (*CONTEXTS, EVENTS_SCHEMA)
SCHEMALESS: dict[str | None, str | None] = dict.fromkeys(SCHEMAS)

metadata = MetaData(
    naming_convention={
        # The table's name, not its schema-qualified label: index names stay as they were
        # before the tables moved into schemas (and are unique on SQLite, which has one).
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def async_url(url: str) -> str:
    """Accept plain driver-less URLs from the environment and pick the async driver."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def create_engine(
    url: str, *, read_only: bool = False, pool_size: int = 10, max_overflow: int = 10
) -> AsyncEngine:
    """An engine for commands, or with read_only for views (on SQLite those never take the
    write lock, so in WAL mode they read beside a writer instead of queueing behind it)."""
    url = async_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, read_only=read_only)
    # Custom plans: asyncpg prepares every statement, and a generic plan PostgreSQL settles on
    # while a table is small (a sequential scan) stays when it grows. The outbox and tracking
    # lookups went from under 1 ms to 40 ms a batch that way.
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        connect_args={"server_settings": {"plan_cache_mode": "force_custom_plan"}},
    )


def _sqlite_engine(url: str, *, read_only: bool) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30})
    configure_sqlite(engine.sync_engine, read_only=read_only)
    return engine


BUSY_TIMEOUT_MS = 30_000  # how long a writer waits for SQLite's write lock before it fails


def configure_sqlite(engine: Engine, *, read_only: bool, short_waits: bool = False) -> None:
    """WAL, and writers that take the write lock up front (BEGIN IMMEDIATE): concurrent
    writers then queue on busy_timeout instead of failing with "database is locked" on a
    lock upgrade. Readers use plain BEGIN and never block a writer. Schema names are
    translated away: SQLite has none.

    `short_waits` (the single writer's thread): the write lock is waited for here, in steps
    of at most a millisecond. SQLite's busy handler sleeps 1, 2, 5, ... 100 ms a try, so a
    writer that found the lock taken by another connection (a unit of work on the async
    engine) slept on long after it was free, with every order queued behind it."""

    engine.update_execution_options(schema_translate_map=SCHEMALESS)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy's "begin" below starts transactions, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={0 if short_waits else BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if short_waits:
            _begin_immediate_in_short_waits(connection)
        else:
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _begin_immediate_in_short_waits(connection: Any) -> None:
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.000_05
    while True:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.001)


def inline_reads(engine: AsyncEngine) -> Engine | None:
    """A synchronous read-only engine on the same SQLite file as `engine`, for a read small
    enough to run on the event loop itself: a lookup by primary key costs ~200 us of CPU
    there against ~1,000 us through aiosqlite (a thread hop for each step: the connection's
    checkout, BEGIN, the query, the fetch, the rollback; measured under uvloop). In WAL mode
    a reader never waits for a writer. None for PostgreSQL (its driver is asynchronous)
    and for an in-memory database (another connection would open another database)."""
    url = engine.url
    memory = url.database in (None, "", ":memory:") or "memory" in str(url.query)
    if url.get_backend_name() != "sqlite" or memory:
        return None
    reads = create_sync_engine(url.set(drivername="sqlite"), connect_args={"timeout": 30})
    configure_sqlite(reads, read_only=True)
    return reads


def shown_url(url: str) -> str:
    """A database URL fit for a message: the password masked."""
    return make_url(async_url(url)).render_as_string(hide_password=True)


async def create_database_if_missing(url: str) -> bool:
    """Create a PostgreSQL URL's database when the server is there but the database is not
    (a developer's first `up --distributed`). True when it was created."""
    target = make_url(async_url(url))
    if not target.drivername.startswith("postgresql") or not target.database:
        return False
    engine = create_async_engine(target, poolclass=NullPool)
    try:
        async with engine.connect():
            return False
    except DBAPIError as error:
        if "does not exist" not in str(error.orig):
            raise
    finally:
        await engine.dispose()
    admin = create_async_engine(
        target.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as conn:
            name = target.database.replace('"', '""')
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        await admin.dispose()
    return True
