"""Replicas sharing shards on PostgreSQL: balanced, rebalanced when one joins or leaves,
every shard's token rising with each new holder, and a lease given up by the replica's
own clock before the database would hand it to another.

Each replica here is a ShardLeases on an engine of its own, in this process, with a short
lease (1.5 s) to keep the tests quick; tests/fault/test_shard_takeover.py runs real
processes with the default lease, paused and killed."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.migrations import migrate
from astratrade.infrastructure.shard_leases import ShardLeases, shard_leases

pytestmark = pytest.mark.postgres

TTL = 1.5  # renewals every 0.5 s, given up after 1.25 s without one
SHARDS = 4


class Replica:
    """A ShardLeases and what it reported, in order."""

    def __init__(
        self,
        name: str,
        engine: AsyncEngine,
        scope: str,
        log: list[tuple[int, int]],
        ttl: float,
        address: str | None = None,
    ):
        self.name = name
        self.acquired: list[tuple[int, int]] = []
        self.lost: list[int] = []
        self._log = log
        self.leases = ShardLeases(
            engine,
            scope=scope,
            shards=SHARDS,
            replica=name,
            ttl_seconds=ttl,
            on_acquired=self._on_acquired,
            on_lost=self.lost.append,
            address=address,
        )

    def _on_acquired(self, shard: int, token: int) -> None:
        self.acquired.append((shard, token))
        self._log.append((shard, token))


class Cluster:
    def __init__(self, url: str, stack: AsyncExitStack) -> None:
        self.url = url
        self.scope = f"test-{uuid.uuid4().hex[:8]}"
        self.acquisitions: list[tuple[int, int]] = []  # every replica's, in order
        self._stack = stack
        self.engine = self._engine()

    def _engine(self) -> AsyncEngine:
        engine = create_engine(self.url)
        self._stack.push_async_callback(engine.dispose)
        return engine

    async def start(self, name: str, ttl: float = TTL, address: str | None = None) -> Replica:
        replica = Replica(name, self._engine(), self.scope, self.acquisitions, ttl, address)
        await replica.leases.start()
        self._stack.push_async_callback(replica.leases.stop)
        return replica

    async def holders(self) -> dict[int, str]:
        """Who holds each unexpired lease, by the database."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(shard_leases.c.shard, shard_leases.c.holder).where(
                    shard_leases.c.scope == self.scope,
                    shard_leases.c.expires_at > text("now()"),
                )
            )
            return dict(rows.all())


@pytest.fixture
async def cluster(postgres_url: str) -> AsyncIterator[Cluster]:
    async with AsyncExitStack() as stack:
        running = Cluster(postgres_url, stack)
        await migrate(running.engine)
        yield running


async def eventually(check: Callable[[], Awaitable[bool]], within: float, what: str) -> float:
    """Seconds until `check` held; fail after `within`."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > within:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


def counts(holders: dict[int, str]) -> list[int]:
    per = [list(holders.values()).count(name) for name in sorted(set(holders.values()))]
    return sorted(per, reverse=True)


async def test_two_replicas_share_four_shards_two_and_two(cluster: Cluster) -> None:
    a = await cluster.start("a")
    assert a.leases.held().keys() == {0, 1, 2, 3}  # alone at first: every shard
    b = await cluster.start("b")

    async def balanced() -> bool:
        return len(a.leases.held()) == 2 and len(b.leases.held()) == 2

    await eventually(balanced, 5 * TTL, "2 and 2")
    assert a.leases.held().keys().isdisjoint(b.leases.held().keys())
    holders = await cluster.holders()
    assert {s for s, n in holders.items() if n == "a"} == a.leases.held().keys()
    assert {s for s, n in holders.items() if n == "b"} == b.leases.held().keys()
    assert sorted(a.lost) == sorted(b.leases.held())  # a gave b its two


async def test_a_third_replica_joining_gets_a_share_and_one_leaving_gives_its_back(
    cluster: Cluster,
) -> None:
    a, b = await cluster.start("a"), await cluster.start("b")

    async def shares(*expected: int) -> bool:
        holders = await cluster.holders()
        return len(holders) == SHARDS and counts(holders) == list(expected)

    await eventually(lambda: shares(2, 2), 5 * TTL, "2 and 2")
    c = await cluster.start("c")
    await eventually(lambda: shares(2, 1, 1), 5 * TTL, "2, 1 and 1")
    assert len(c.leases.held()) == 1

    await c.leases.stop()  # released at once: the others need not wait for its lease
    seconds = await eventually(lambda: shares(2, 2), 5 * TTL, "2 and 2 again")
    assert seconds < TTL, "the stopped replica's shard waited for its lease to expire"
    assert len(a.leases.held()) + len(b.leases.held()) == SHARDS


async def test_each_new_holder_of_a_shard_gets_a_higher_token(cluster: Cluster) -> None:
    replicas = [await cluster.start(name) for name in ("a", "b", "c")]
    for replica in replicas[:2]:  # hand the shards over twice
        await asyncio.sleep(3 * TTL)
        await replica.leases.stop()
    await asyncio.sleep(3 * TTL)

    assert replicas[2].leases.held().keys() == {0, 1, 2, 3}
    for shard in range(SHARDS):
        tokens = [token for s, token in cluster.acquisitions if s == shard]
        assert len(tokens) >= 2, f"shard {shard} changed hands less than once: {tokens}"
        assert tokens == sorted(set(tokens)), f"shard {shard}: {tokens}"


async def test_renewals_held_up_give_the_leases_up_before_they_expire(cluster: Cluster) -> None:
    ttl = 3.0  # given up half a second before the database would let another replica in
    a = await cluster.start("a", ttl)
    tokens = a.leases.held()
    # Lock every lease row: renewals wait (and time out), as with a database out of reach.
    blocker = await cluster.engine.connect()
    try:
        await blocker.begin()
        await blocker.execute(
            select(shard_leases.c.shard)
            .where(shard_leases.c.scope == cluster.scope)
            .with_for_update()
        )
        # No renewal gets through from here: the leases end in the database at the earliest
        # of these, in this many seconds by the database's clock.
        locked_at = time.monotonic()
        left_in_database = await blocker.scalar(
            select(
                func.extract("epoch", func.min(shard_leases.c.expires_at) - func.clock_timestamp())
            ).where(shard_leases.c.scope == cluster.scope)
        )
        await eventually(lambda: _true(len(a.lost) == SHARDS), ttl, "every lease lost")
        given_up_after = time.monotonic() - locked_at
    finally:
        await blocker.rollback()
        await blocker.close()

    assert given_up_after < float(left_in_database)  # the writer stopped before anyone could
    assert a.leases.held() == {}
    # Back: taken again, each under a new token (the writer reloads the shard's state).
    await eventually(lambda: _true(len(a.leases.held()) == SHARDS), ttl, "taken again")
    assert all(token > tokens[shard] for shard, token in a.leases.held().items())


async def test_the_placement_names_each_shards_live_holder_and_its_address(
    cluster: Cluster,
) -> None:
    a = await cluster.start("a", address="http://10.0.0.1:8000")
    b = await cluster.start("b")  # no address: live, holding shards, not routable

    async def balanced() -> bool:
        return len(a.leases.held()) == 2 and len(b.leases.held()) == 2

    await eventually(balanced, 5 * TTL, "2 and 2")
    placement = await b.leases.placement()  # any replica answers the same
    assert placement.shards == SHARDS
    for shard in range(SHARDS):
        holder = placement.holder(shard)
        assert holder is not None
        expected = ("a", "http://10.0.0.1:8000") if shard in a.leases.held() else ("b", None)
        assert (holder.name, holder.address) == expected
    assert [(r.name, r.address) for r in placement.replicas] == [
        ("a", "http://10.0.0.1:8000"),
        ("b", None),
    ]
    assert placement.addresses() == ["http://10.0.0.1:8000"]

    await a.leases.stop()  # released: nobody holds its shards until b's next round
    right_after = await b.leases.placement()
    assert [r.name for r in right_after.replicas] == ["b"]
    assert all(h is None or h.name == "b" for h in right_after.holders)

    async def b_holds_all() -> bool:
        placed = await b.leases.placement()
        return all(h is not None and h.name == "b" for h in placed.holders)

    await eventually(b_holds_all, 5 * TTL, "b holding every shard")


async def _true(value: bool) -> bool:
    return value
