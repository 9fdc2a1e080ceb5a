"""The boards' Redis index answers as the SQL read model does, and refills from it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import pytest
from test_progression_flow import protected_round_trip
from trading_platform import new_trader

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.gamification import views
from astratrade.gamification.adapters.board_index import BoardIndex
from astratrade.gamification.projections import week_of
from astratrade.infrastructure.migrations import migrate
from astratrade.platform import Platform
from astratrade.shared.clock import ManualClock
from astratrade.users.adapters.passwords import Argon2Hasher

pytestmark = pytest.mark.redis
T = TypeVar("T")


@pytest.fixture
async def platform(
    database_url: str, redis_url: str, redis_prefix: str, clock: ManualClock
) -> AsyncIterator[Platform]:
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        price_feed="manual",
        clock="manual",
        jwt_secret="x" * 32,
    )
    running = bootstrap(settings, clock=clock, hasher=Argon2Hasher(time_cost=1, memory_cost=8))
    await running.start()
    yield running
    await running.stop()


async def test_redis_answers_as_sql_and_refills_from_it(platform: Platform) -> None:
    index = platform.port(BoardIndex)
    assert index is not None
    users = {}
    for name in ("amy", "bob", "cat", "dan"):
        users[name], account = await new_trader(platform, name)
        await protected_round_trip(platform, users[name], account)
        await platform.backbone.drain()
    xp = views.Board("xp", "all", "all")
    from_sql = await views.top(platform.read_db, xp, 10)
    assert [s.username for s in from_sql] == ["amy", "bob", "cat", "dan"]  # ties: first first
    assert await views.top(platform.read_db, xp, 10, index) == from_sql
    assert await views.top(platform.read_db, xp, 2, index) == from_sql[:2]
    around = await views.around(platform.read_db, xp, users["cat"], 1, index)
    assert around == await views.around(platform.read_db, xp, users["cat"], 1)
    assert [s.rank for s in around] == [2, 3, 4]
    assert await views.around(platform.read_db, xp, "nobody", 1, index) == []
    roi = views.Board("roi", week_of(platform.clock.now()), "practice")
    assert await views.top(platform.read_db, roi, 10, index) == []
    assert await views.around(platform.read_db, roi, users["cat"], 1, index) == []

    # Redis lost it all: the board is read from SQL meanwhile, and fills itself from SQL,
    # the same to the last field.
    for key in index.redis.keys(xp):
        await index.redis._redis.delete(key)
    assert await index.redis.top(xp, 10) is None  # Redis knows it has no whole copy
    assert await views.top(platform.read_db, xp, 10, index) == from_sql
    assert await eventually(lambda: index.redis.top(xp, 10)) == from_sql
    assert await views.around(platform.read_db, xp, users["cat"], 1, index) == around
    async with platform.read_db.connect() as conn:
        # Four traders on three boards: xp all-time and weekly, and the weekly practice ROI
        # (where, with one close each, none ranks yet).
        assert await index.load(conn) == 12
    assert await views.top(platform.read_db, xp, 10, index) == from_sql


async def test_without_redis_the_boards_answer_from_sql(
    database_url: str, clock: ManualClock
) -> None:
    """A Redis that is not there (a closed port): the platform starts, the index answers
    nothing, the views read SQL, and a refresh does not fail the projection."""
    settings = Settings(
        database_url=database_url,
        redis_url="redis://127.0.0.1:1/0",
        price_feed="manual",
        clock="manual",
        jwt_secret="x" * 32,
    )
    platform = bootstrap(settings, clock=clock, hasher=Argon2Hasher(time_cost=1, memory_cost=8))
    index = platform.port(BoardIndex)
    assert index is not None
    await migrate(platform.db)
    await index.start()
    try:
        xp = views.Board("xp", "all", "all")
        assert await index.top(xp, 10) is None
        assert await views.top(platform.read_db, xp, 10, index) == []
        assert await views.around(platform.read_db, xp, "nobody", 1, index) == []
        async with platform.read_db.connect() as conn:
            await index.refresh(conn, "nobody")
    finally:
        await platform.stop()


async def eventually(read: Callable[[], Awaitable[T]], seconds: float = 5.0) -> T:
    """The first value that is not None, read every 20 ms."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (found := await read()) is None:
        assert asyncio.get_running_loop().time() < deadline, "not within the time"
        await asyncio.sleep(0.02)
    return found
