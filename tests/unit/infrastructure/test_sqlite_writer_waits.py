"""The single writer waits for SQLite's write lock in short steps: taken by another
connection, the lock is the writer's within a few milliseconds of its release (SQLite's
own busy handler would sleep on up to 100 ms a try); held past the timeout, the writer's
transaction fails with "database is locked" and changes nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from astratrade.infrastructure import db
from astratrade.infrastructure.writer import SqliteWriter


def holding_the_lock(path: Path, seconds: float) -> tuple[threading.Thread, threading.Event]:
    """Another connection holds the write lock for `seconds` (once `taken` is set)."""
    taken = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    return thread, taken


@pytest.fixture
async def writer(tmp_path: Path) -> AsyncIterator[SqliteWriter]:
    """The single writer on a new file with one table, `t`."""
    writer = SqliteWriter(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    await writer.run(lambda conn: conn.execute(text("CREATE TABLE t (n INTEGER)")))
    yield writer
    await writer.close()


async def test_the_writer_has_the_lock_within_milliseconds_of_its_release(
    writer: SqliteWriter, tmp_path: Path
) -> None:
    thread, taken = holding_the_lock(tmp_path / "w.db", 0.45)
    taken.wait()
    released_by = time.monotonic() + 0.45

    def write(conn: Connection) -> float:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        return time.monotonic()

    written_at = await writer.run(write)
    thread.join()
    assert written_at - released_by < 0.05  # SQLite's handler: 64-78 ms late here
    assert written_at >= released_by - 0.01


async def test_a_lock_held_past_the_timeout_fails_the_transaction(
    writer: SqliteWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 100)
    thread, taken = holding_the_lock(tmp_path / "w.db", 0.5)
    taken.wait()
    with pytest.raises(OperationalError, match="locked"):
        await writer.run(lambda conn: conn.execute(text("INSERT INTO t VALUES (1)")))
    thread.join()
    count = await writer.run(lambda conn: conn.execute(text("SELECT count(*) FROM t")).scalar())
    assert count == 0
