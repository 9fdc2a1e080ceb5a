"""The single writer: a unit of work's writes run as one transaction, in one step.

On SQLite one thread owns the write connection and runs each transaction whole: one hop
from the event loop instead of one per statement, and writers queue in order instead of
sleeping in SQLite's busy handler. On PostgreSQL the async engine runs it directly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

from sqlalchemy import Connection, create_engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.db import configure_sqlite

T = TypeVar("T")


class Writer(Protocol):
    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run `work` inside one committed transaction; roll back if it raises."""
        ...

    async def close(self) -> None: ...


class SqliteWriter:
    def __init__(self, url: str) -> None:
        sync_url = make_url(url).set(drivername="sqlite")
        self._engine = create_engine(sync_url, pool_size=1, max_overflow=0)
        configure_sqlite(self._engine, read_only=False)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")

    async def run(self, work: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._transaction, work)

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        with self._engine.begin() as conn:
            return work(conn)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._engine.dispose)
        self._thread.shutdown(wait=True)


class AsyncEngineWriter:
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
