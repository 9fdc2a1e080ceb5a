"""The boards' Redis index as the API reads it: it answers while Redis holds a whole copy of
the board, and says so by answering None otherwise, so the caller reads SQL, the truth.

Redis unreachable: every board is read from SQL; Redis is tried again with backoff (0.1 s
doubling to 5 s, one log line an attempt), and once it answers every board is loaded again
from SQL (changes may have been missed meanwhile) before the index answers again. Redis
restarted empty without this process noticing, or a board new this week: that board is read
from SQL while it is filled, in the background."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.gamification.adapters.redis_boards import RedisBoards
from astratrade.gamification.adapters.standings import Board, Standing
from astratrade.infrastructure.reconnect import UNREACHABLE, Reconnect

logger = logging.getLogger(__name__)


class BoardIndex:
    def __init__(self, boards: RedisBoards, read_db: AsyncEngine) -> None:
        self.redis = boards  # the Redis side alone
        self._db = read_db
        self._reconnect = Reconnect("board-index")
        self._whole = False  # loaded since Redis was last unreachable: reads may use it
        self._tasks: dict[str, asyncio.Task[None]] = {}  # "load" or a board being filled

    async def start(self) -> None:
        """Load every board; Redis unreachable, boards are read from SQL until it is back."""
        try:
            await self._load()
        except UNREACHABLE as error:
            self._lost(error)

    async def top(self, board: Board, limit: int) -> list[Standing] | None:
        return await self._read(board, lambda: self.redis.top(board, limit))

    async def around(self, board: Board, user_id: str, neighbours: int) -> list[Standing] | None:
        return await self._read(board, lambda: self.redis.around(board, user_id, neighbours))

    async def refresh(self, conn: AsyncConnection, user_id: str) -> None:
        """Put the user's standings; never fails the projection that calls it (SQL has the
        change, and a load after the outage puts it)."""
        if self._reconnect.down:
            return
        try:
            await self.redis.refresh(conn, user_id)
        except UNREACHABLE as error:
            self._lost(error)

    async def load(self, conn: AsyncConnection) -> int:
        """Refill every board from SQL through `conn` (after a rebuild); return the rows."""
        loaded = await self.redis.load(conn)
        self._whole = True
        return loaded

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in list(self._tasks.values()):
            with suppress(asyncio.CancelledError):
                await task
        await self.redis.close()

    async def _read(
        self, board: Board, read: Callable[[], Awaitable[list[Standing] | None]]
    ) -> list[Standing] | None:
        if not self._whole:
            return None
        try:
            found = await read()
        except UNREACHABLE as error:
            self._lost(error)
            return None
        if found is None:
            self._in_background(_board_key(board), lambda: self._fill(board))
        return found

    async def _load(self) -> None:
        await self.redis.clear()
        # Redis answers: changes are put from here on (a fill never overwrites them).
        self._reconnect.succeeded()
        async with self._db.connect() as conn:
            rows = await self.redis.fill_all(conn)
        self._whole = True
        logger.info("board index loaded from SQL: %d rows", rows)

    async def _fill(self, board: Board) -> None:
        try:
            async with self._db.connect() as conn:
                await self.redis.fill(conn, board)
        except UNREACHABLE as error:
            self._lost(error)

    def _lost(self, error: BaseException) -> None:
        """Redis failed us: read SQL until Redis answers and every board is loaded again."""
        self._whole = False
        if "load" not in self._tasks:
            self._reconnect.failed(error)
            self._in_background("load", self._load_when_back)

    async def _load_when_back(self) -> None:
        while True:
            await asyncio.sleep(self._reconnect.due_in())
            try:
                await self._load()
            except UNREACHABLE as error:
                self._reconnect.failed(error)
                continue
            return

    def _in_background(self, name: str, work: Callable[[], Awaitable[Any]]) -> None:
        if name in self._tasks:
            return

        async def run() -> None:
            try:
                await work()
            except Exception:  # the index is a cache: SQL keeps answering
                logger.exception("board index: %s failed", name)
            finally:
                self._tasks.pop(name, None)

        self._tasks[name] = asyncio.create_task(run(), name=f"board-index {name}")


def _board_key(board: Board) -> str:
    return f"fill {board.board}.{board.period}.{board.mode}"
