"""The fence on PostgreSQL: a write with a token that is no longer the shard's is refused,
and a takeover cannot slip between a fenced write and its commit.

The statements are driven one at a time here (replica "a" and replica "b" are just names),
so each interleaving is exact."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.migrations import migrate
from astratrade.infrastructure.shard_leases import LeaseLost, ShardLeases, fence, statements

pytestmark = pytest.mark.postgres

SHORT = 0.3  # seconds: a lease that lapses within the test
LONG = 60.0
STALL_LIMIT_MS = 10_000


class Shards:
    """One scope's lease rows, and a table the "writers" write to."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.scope = f"test-{uuid.uuid4().hex[:8]}"
        self.writes = Table(
            f"fence_writes_{uuid.uuid4().hex[:8]}",
            MetaData(),
            Column("n", Integer, primary_key=True),
            Column("what", String(40)),
        )

    async def acquire(self, me: str, ttl: float, shards: int = 1) -> dict[int, int]:
        async with self.engine.begin() as conn:
            return await statements.acquire(
                conn, self.scope, me, ttl, shards=shards, held={}, wanted=shards
            )

    async def write(self, conn: AsyncConnection, shard: int, token: int, what: str) -> None:
        """A writer's transaction: the fence, then its write."""

        def work(sync: Connection) -> None:
            fence(sync, self.scope, shard, token, stall_limit_ms=STALL_LIMIT_MS)
            sync.execute(insert(self.writes).values(what=what))

        await conn.run_sync(work)

    async def written(self) -> list[str]:
        async with self.engine.connect() as conn:
            rows = await conn.scalars(select(self.writes.c.what).order_by(self.writes.c.n))
            return list(rows)


@pytest.fixture
async def shards(postgres_url: str) -> AsyncIterator[Shards]:
    engine = create_engine(postgres_url)
    try:
        await migrate(engine)
        made = Shards(engine)
        async with engine.begin() as conn:
            await statements.ensure_rows(conn, made.scope, 4)
            await conn.run_sync(made.writes.create)
        yield made
    finally:
        await engine.dispose()


async def test_a_write_with_the_current_token_commits_and_with_an_old_one_is_refused(
    shards: Shards,
) -> None:
    first = await shards.acquire("a", SHORT)
    async with shards.engine.begin() as conn:
        await shards.write(conn, 0, first[0], "a before")
    await asyncio.sleep(SHORT + 0.1)
    second = await shards.acquire("b", LONG)
    assert second[0] == first[0] + 1

    with pytest.raises(LeaseLost, match=f"token {first[0]} is fenced off"):
        async with shards.engine.begin() as conn:
            await shards.write(conn, 0, first[0], "a after b took over")
    async with shards.engine.begin() as conn:
        await shards.write(conn, 0, second[0], "b")

    assert await shards.written() == ["a before", "b"]


async def test_a_takeover_waits_for_a_commit_in_flight_and_then_sees_its_write(
    shards: Shards,
) -> None:
    token = (await shards.acquire("a", SHORT))[0]
    async with shards.engine.connect() as writer:
        await writer.begin()
        await shards.write(writer, 0, token, "a, committed late")
        await asyncio.sleep(SHORT + 0.1)  # the lease lapses while the commit is in flight

        assert await shards.acquire("b", LONG) == {}  # the fenced row is skipped
        await writer.commit()

    taken = await shards.acquire("b", LONG)
    assert taken == {0: token + 1}
    assert await shards.written() == ["a, committed late"]  # what b loads includes it


async def test_a_release_waits_for_the_holders_commit_in_flight(shards: Shards) -> None:
    token = (await shards.acquire("a", LONG))[0]
    async with shards.engine.connect() as writer:
        await writer.begin()
        await shards.write(writer, 0, token, "a")

        async def release() -> None:
            async with shards.engine.begin() as conn:
                await statements.release(conn, shards.scope, "a", {0: token})

        releasing = asyncio.create_task(release())
        await asyncio.sleep(0.3)
        assert not releasing.done()
        await writer.commit()
        await asyncio.wait_for(releasing, 5)

    assert await shards.acquire("b", LONG) == {0: token + 1}


async def test_a_writer_stalled_inside_its_fenced_transaction_loses_it_and_the_shard_frees(
    shards: Shards,
) -> None:
    token = (await shards.acquire("a", SHORT))[0]
    async with shards.engine.connect() as writer:
        await writer.begin()
        await writer.run_sync(lambda sync: fence(sync, shards.scope, 0, token, stall_limit_ms=200))
        await asyncio.sleep(SHORT + 0.5)  # paused: PostgreSQL ends the session at 200 ms
        with pytest.raises(DBAPIError, match="connection is closed"):
            await writer.commit()

    assert await shards.acquire("b", LONG) == {0: token + 1}


async def test_fence_refuses_a_shard_that_has_no_lease(shards: Shards) -> None:
    with pytest.raises(LeaseLost, match="no such shard"):
        async with shards.engine.begin() as conn:
            await shards.write(conn, 99, 1, "nowhere")


async def test_a_replica_refuses_its_own_writes_once_it_reported_the_shard_lost(
    shards: Shards,
) -> None:
    leases = ShardLeases(shards.engine, scope=shards.scope, shards=4, replica="a")
    await leases.start()
    token = leases.held()[2]
    async with shards.engine.begin() as conn:
        await conn.run_sync(lambda sync: leases.fence(sync, 2, token))
    await leases.stop()

    with pytest.raises(LeaseLost, match="this replica no longer holds it"):
        async with shards.engine.begin() as conn:
            await conn.run_sync(lambda sync: leases.fence(sync, 2, token))
