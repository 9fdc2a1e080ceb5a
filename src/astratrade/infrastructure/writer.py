"""The single writer: a unit of work's writes run as one transaction, in one step.

On SQLite one thread owns the write connection and runs each transaction whole: one hop
from the event loop instead of one per statement, and writers queue in order instead of
sleeping in SQLite's busy handler. On PostgreSQL the async engine runs it directly."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, create_engine, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.db import configure_sqlite

T = TypeVar("T")


class Writer(Protocol):
    # Its transactions run one at a time (SQLite's one write connection): a long one delays
    # every write queued behind it, an order's commit included.
    exclusive: bool

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run `work` inside one committed transaction; roll back if it raises."""
        ...

    async def close(self) -> None: ...


class SqliteWriter:
    exclusive = True

    def __init__(self, url: str) -> None:
        sync_url = make_url(url).set(drivername="sqlite")
        self.engine = create_engine(sync_url, pool_size=1, max_overflow=0)
        configure_sqlite(self.engine, read_only=False, short_waits=True)
        event.listen(self.engine, "connect", _no_checkpoint_on_commit)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._checkpointer = Checkpointer(sync_url.database or "")

    async def run(self, work: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._transaction, work)

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        with self.engine.begin() as conn:
            return work(conn)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self.engine.dispose)
        self._thread.shutdown(wait=True)
        self._checkpointer.stop()


def _no_checkpoint_on_commit(dbapi_connection: Any, _record: Any) -> None:
    # The commit that crosses SQLite's auto-checkpoint threshold would copy the WAL into the
    # database and fsync, stalling every order queued behind it; Checkpointer does it aside.
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


class Checkpointer:
    """Folds the WAL into the database every second from a connection of its own.

    PASSIVE checkpoints never block the writer or readers, so commits stay short."""

    def __init__(self, path: str, interval_seconds: float = 1.0) -> None:
        self._path = path
        self._interval = interval_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, timeout=30, check_same_thread=False)
        try:
            while not self._stopped.wait(self._interval):
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()


class AsyncEngineWriter:
    exclusive = False  # a transaction per pooled connection, side by side

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def run(self, work: Callable[[Connection], T]) -> T:
        async with self._engine.begin() as conn:
            return await conn.run_sync(work)

    async def close(self) -> None:
        """The engine belongs to the platform, which disposes of it."""


def writer_for(url: str, engine: AsyncEngine) -> Writer:
    if make_url(url).get_backend_name() == "sqlite":
        return SqliteWriter(url)
    return AsyncEngineWriter(engine)
