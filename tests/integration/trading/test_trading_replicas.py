"""Two trading replicas on one PostgreSQL database, two shards: each writes only the
accounts of the shard it leases, a replica that stops hands its shard to the other with
the state intact, and a write under a lease no longer held is refused whole."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from trading_platform import market_order

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.shared.errors import Unavailable
from astratrade.trading import handlers
from astratrade.trading.adapters import tables as t
from astratrade.trading.adapters.held_shards import ShardElsewhere
from astratrade.trading.domain.commands import OpenPracticeAccount
from astratrade.trading.engine import TradingEngine
from astratrade.users.adapters.passwords import Argon2Hasher

pytestmark = pytest.mark.postgres
# Renewed well within it even when two busy cores stall the event loop for a second or two.
LEASE_SECONDS = 4.0


@pytest.fixture
async def replica(fresh_postgres_url, clock):
    """Start a replica: a platform of its own on the shared database."""
    started: list[Any] = []

    async def start(name: str) -> Any:
        settings = Settings(
            database_url=fresh_postgres_url,
            price_feed="manual",
            clock="manual",
            jwt_secret="x" * 32,
            trading_shards=2,
            trading_shard_lease_seconds=LEASE_SECONDS,
            consumer_name=name,
        )
        hasher = Argon2Hasher(time_cost=1, memory_cost=8)
        platform = bootstrap(settings, clock=clock, hasher=hasher)
        await platform.start()
        started.append(platform)
        return platform

    stopped: list[Any] = []
    start.stopped = stopped  # type: ignore[attr-defined]

    yield start
    for platform in reversed(started):
        if platform not in stopped:
            await platform.stop()


async def _until(condition: Any, within: float = 10.0) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < within, "not within the time allowed"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def _open(engine: TradingEngine, owner: str) -> str:
    venue = engine.venue
    command = OpenPracticeAccount(owner_id=owner)
    account = await engine.run(
        lambda uow: handlers.open_practice_account(
            command, uow, venue, Decimal(10_000), engine.clock.now()
        )
    )
    return str(account.id)


async def test_two_replicas_split_the_shards_and_one_takes_over_when_the_other_stops(
    replica,
) -> None:
    first = await replica("replica-a")
    engine_a = first.port(TradingEngine)
    assert sorted(engine_a.held.tokens) == [0, 1]  # alone, it writes every shard
    shards = engine_a.venue.shards
    owners = [f"owner-{n}" for n in range(8)]
    accounts = {owner: await _open(engine_a, owner) for owner in owners}
    for owner, account in accounts.items():
        await first.bus.execute(market_order(owner, account))

    second = await replica("replica-b")
    engine_b = second.port(TradingEngine)
    try:
        await _until(lambda: len(engine_a.held.tokens) == 1 and len(engine_b.held.tokens) == 1)
        (shard_b,) = engine_b.held.tokens
        for owner, account in accounts.items():
            mine, other = (second, first) if shards.of(account) == shard_b else (first, second)
            with pytest.raises(ShardElsewhere):
                await other.bus.execute(market_order(owner, account))
            order = await mine.bus.execute(market_order(owner, account))
            assert order.filled_size == Decimal("0.1")
    finally:
        await second.stop()
        replica.stopped.append(second)

    took = await _until(lambda: sorted(engine_a.held.tokens) == [0, 1])
    assert took < 10  # a stopped replica gives its shard up at once
    for owner, account in accounts.items():
        await first.bus.execute(market_order(owner, account))
        position = await engine_a.run(lambda uow, a=account: uow.accounts.get(a))
        assert position.positions["BTC-USD"].size == Decimal("0.3")  # none lost or doubled
    async with first.read_db.connect() as conn:
        fills = await conn.scalar(select(func.count()).select_from(t.fills))
    assert fills == 3 * len(owners)


async def test_a_write_under_a_lease_no_longer_held_is_refused_whole(replica) -> None:
    first = await replica("replica-a")
    engine = first.port(TradingEngine)
    owner = "owner-fenced"
    account = await _open(engine, owner)
    shard = engine.venue.shards.of(account)
    token = engine.held.tokens[shard]
    # The lease moved on (another replica took it) while this one still thinks it holds it.
    assert engine.leases is not None
    engine.leases.held = lambda: {}  # type: ignore[method-assign]
    async with first.read_db.connect() as conn:
        fills_before = await conn.scalar(select(func.count()).select_from(t.fills))
    with pytest.raises(Unavailable):
        await first.bus.execute(market_order(owner, account))
    async with first.read_db.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(t.fills)) == fills_before
    stored = await engine.run(lambda uow: uow.accounts.get(account))
    assert stored.positions == {}  # memory is what the database holds
    assert engine.held.tokens[shard] == token
    del engine.leases.held  # type: ignore[method-assign]
