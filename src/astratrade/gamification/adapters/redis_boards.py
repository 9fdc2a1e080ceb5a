"""Boards as Redis sorted sets: the fast index of the SQL read model, which stays the truth.

Each board is a sorted set of members "<inverted time reached>:<user id>" scored by the
board's score, so equal scores rank whoever got there first higher under ZREVRANGE; a
hash maps each user to their member and another holds what a standing shows. The keys of
one board share a hash tag, so each Lua script touches one Redis Cluster slot. A board is
refilled from SQL at start and after a rebuild (`load`), or alone (`fill`) when Redis has no
whole copy of it: each board filled whole carries a key that says so, so a Redis that
restarted empty (or a board new this week) is never taken for an empty board."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from astratrade.gamification.adapters.standings import Board, Standing
from astratrade.gamification.adapters.tables import board_scores, players

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = 10**16  # microseconds since the epoch stay below this until the year 2286

# ARGV[6] = '1': a fill from SQL, which never overwrites what a later change put meanwhile.
_PUT = """
local old = redis.call('HGET', KEYS[2], ARGV[1])
if ARGV[6] == '1' and (old or ARGV[5] ~= '1') then return end
if old then redis.call('ZREM', KEYS[1], old) end
if ARGV[5] == '1' then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
else
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
end
"""

# -> {first rank - 1, standings' info}, nil when the user is not on the board, or -1 when
# Redis has no whole copy of the board.
_AROUND = """
if redis.call('EXISTS', KEYS[4]) == 0 then return -1 end
local first, last = 0, tonumber(ARGV[2]) - 1
if ARGV[1] ~= '' then
  local member = redis.call('HGET', KEYS[2], ARGV[1])
  if not member then return nil end
  local rank = redis.call('ZREVRANK', KEYS[1], member)
  first = math.max(rank - tonumber(ARGV[2]), 0)
  last = rank + tonumber(ARGV[2])
end
local members = redis.call('ZREVRANGE', KEYS[1], first, last)
if #members == 0 then return {first, {}} end
local ids = {}
for i, m in ipairs(members) do ids[i] = string.sub(m, 18) end
return {first, redis.call('HMGET', KEYS[3], unpack(ids))}
"""


class RedisBoards:
    def __init__(self, redis: Any, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._put = redis.register_script(_PUT)
        self._around = redis.register_script(_AROUND)

    def keys(self, board: Board) -> list[str]:
        base = f"{self._prefix}astratrade.board.{{{board.board}.{board.period}.{board.mode}}}"
        return [base, f"{base}.members", f"{base}.shown", f"{base}.whole"]

    async def top(self, board: Board, limit: int) -> list[Standing] | None:
        """None when Redis has no whole copy of the board (`fill` it, read SQL)."""
        return await self._standings(board, "", limit)

    async def around(self, board: Board, user_id: str, neighbours: int) -> list[Standing] | None:
        return await self._standings(board, user_id, neighbours)

    async def _standings(self, board: Board, user_id: str, count: int) -> list[Standing] | None:
        reply = await self._around(keys=self.keys(board), args=[user_id, count])
        if reply == -1:
            return None
        if reply is None:
            return []
        first, shown = reply
        return [_standing(int(first) + i + 1, entry) for i, entry in enumerate(shown)]

    async def refresh(self, conn: AsyncConnection, user_id: str) -> None:
        """Put the user's current standings on every board they have a row on."""
        rows = await conn.execute(_rows().where(board_scores.c.user_id == user_id))
        await self._put_rows(rows.all(), fill=False)

    async def load(self, conn: AsyncConnection) -> int:
        """Refill every board from SQL (after a start, a rebuild or an outage); return the
        rows."""
        await self.clear()
        return await self.fill_all(conn)

    async def clear(self) -> None:
        async for key in self._redis.scan_iter(match=f"{self._prefix}astratrade.board.*"):
            await self._redis.delete(key)

    async def fill_all(self, conn: AsyncConnection) -> int:
        """Fill every board from SQL and mark it whole; return the rows. Changes put since
        `clear` stand: they are newer than what is read here."""
        result = await conn.stream(_rows())
        loaded, boards = 0, set()
        async for chunk in result.partitions(2000):
            boards |= await self._put_rows(chunk, fill=True)
            loaded += len(chunk)
        for board in boards:
            await self._redis.set(self.keys(board)[3], "1")
        return loaded

    async def fill(self, conn: AsyncConnection, board: Board) -> int:
        """Fill one board from SQL, then mark it whole; return the rows."""
        c = board_scores.c
        rows = await conn.execute(
            _rows().where(c.board == board.board, c.period == board.period, c.mode == board.mode)
        )
        found = rows.all()
        await self._put_rows(found, fill=True)
        await self._redis.set(self.keys(board)[3], "1")
        return len(found)

    async def close(self) -> None:
        await self._redis.aclose()

    async def _put_rows(self, rows: Sequence[Any], *, fill: bool) -> set[Board]:
        """Put each row on its board (a fill only where the user is not yet); return the
        boards."""
        boards: set[Board] = set()
        pipeline = self._redis.pipeline(transaction=False)
        for row in rows:
            board = Board(row.board, row.period, row.mode)
            boards.add(board)
            shown = json.dumps(
                [row.user_id, row.username or "", str(row.score), row.reached_at.isoformat()]
            )
            args = [
                row.user_id,
                _member(row.user_id, row.reached_at),
                str(row.score),
                shown,
                "1" if row.ranked else "0",
                "1" if fill else "0",
            ]
            await self._put(keys=self.keys(board)[:3], args=args, client=pipeline)
        await pipeline.execute()
        return boards


def _rows() -> Select[Any]:
    return select(board_scores, players.c.username).join(
        players, players.c.user_id == board_scores.c.user_id, isouter=True
    )


def _member(user_id: str, reached_at: datetime) -> str:
    micros = (reached_at - _EPOCH) // timedelta(microseconds=1)
    return f"{_LATEST - micros:016d}:{user_id}"


def _standing(rank: int, shown: str) -> Standing:
    user_id, username, score, reached_at = json.loads(shown)
    return Standing(rank, user_id, username, Decimal(score), datetime.fromisoformat(reached_at))
