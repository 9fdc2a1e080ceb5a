"""The prices every trading replica trades at, over Redis: what one replica applies (a
feed's batch, an admin's price, a move of the manual clock) every other applies too, once;
a replica that starts late begins from the latest quote of each market; and a replica that
cannot publish still applies the batch itself and says the others missed it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from astratrade.infrastructure import streams
from astratrade.shared.clock import ManualClock
from astratrade.shared.errors import Unavailable
from astratrade.trading.adapters.price_stream import SharedPrices, feed_while, prices_stream
from astratrade.trading.domain.prices import Quote

pytestmark = pytest.mark.redis
START = datetime(2026, 3, 1, tzinfo=UTC)


def quote(market: str, mark: str, at: datetime = START) -> Quote:
    return Quote(market, Decimal(mark), Decimal(mark), at)


class Replica:
    """One replica's side: the quotes it applied, its clock and its timed jobs."""

    def __init__(self, redis: Any, key: str, name: str) -> None:
        self.applied: list[list[Quote]] = []
        self.clock = ManualClock(START)
        self.time_moves = 0
        self.prices = SharedPrices(
            self._apply, self.clock, self._time_moved, redis=redis, key=key, origin=name
        )

    async def _apply(self, quotes: list[Quote]) -> None:
        self.applied.append(quotes)

    async def _time_moved(self) -> None:
        self.time_moves += 1


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Any]:
    client = streams.connect(redis_url)
    yield client
    await client.aclose()


async def until(condition: Any, within: float = 5) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - another task fills what is read
            await asyncio.sleep(0.02)


async def test_what_one_replica_applies_every_other_applies_once(
    redis: Any, redis_prefix: str
) -> None:
    key = prices_stream(redis_prefix)
    first, second = Replica(redis, key, "r-1"), Replica(redis, key, "r-2")
    following = [asyncio.create_task(r.prices.follow()) for r in (first, second)]
    try:
        await asyncio.sleep(0.2)  # both caught up with an empty stream
        batch = [quote("BTC-USD", "50000"), quote("ETH-USD", "3000")]
        await first.prices.apply(batch)
        assert first.applied == [batch], "applied where it was decided, before the answer"
        await until(lambda: second.applied == [batch])

        first.clock.set(START + timedelta(hours=2))
        await first.prices.clock_moved()
        await until(lambda: second.clock.now() == START + timedelta(hours=2))
        assert second.time_moves == 1, "the timed jobs ran where the clock moved"

        await second.prices.apply([quote("BTC-USD", "51000")])
        await until(lambda: len(first.applied) == 2)
        await asyncio.sleep(0.3)
        assert first.applied[1] == [quote("BTC-USD", "51000")]
        assert len(second.applied) == 2, "nobody applies its own batch twice"
    finally:
        for task in following:
            task.cancel()
        await asyncio.gather(*following, return_exceptions=True)


async def test_a_replica_that_starts_late_begins_from_the_latest_prices(
    redis: Any, redis_prefix: str
) -> None:
    key = prices_stream(redis_prefix)
    first = Replica(redis, key, "r-1")
    await first.prices.apply([quote("BTC-USD", "50000"), quote("ETH-USD", "3000")])
    await first.prices.apply([quote("BTC-USD", "50500")])
    first.clock.set(START + timedelta(minutes=5))
    await first.prices.clock_moved()

    late = Replica(redis, key, "r-3")
    following = asyncio.create_task(late.prices.follow())
    try:
        await until(lambda: late.applied != [])
        assert sorted(late.applied[0], key=lambda q: q.market) == [
            quote("BTC-USD", "50500"),
            quote("ETH-USD", "3000"),
        ]
        assert late.clock.now() == START + timedelta(minutes=5)
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)


async def test_without_redis_the_batch_applies_here_and_the_caller_hears_the_rest_missed_it(
    redis_prefix: str,
) -> None:
    unreachable = streams.connect("redis://127.0.0.1:1/0")
    alone = Replica(unreachable, prices_stream(redis_prefix), "r-1")
    try:
        with pytest.raises(Unavailable):
            await alone.prices.apply([quote("BTC-USD", "50000")])
        assert alone.applied == [[quote("BTC-USD", "50000")]]
    finally:
        await unreachable.aclose()


async def test_the_feed_runs_only_while_its_shard_is_held() -> None:
    held = {"now": False}
    batches: list[list[Quote]] = []
    resumed: list[bool] = []

    class EverySoOften:
        async def run(self, sink: Any) -> None:
            while True:
                await sink([quote("BTC-USD", "50000")])
                await asyncio.sleep(0.01)

    async def sink(quotes: list[Quote]) -> None:
        batches.append(quotes)

    running = asyncio.create_task(
        feed_while(lambda: held["now"], EverySoOften(), sink, lambda: resumed.append(True))
    )
    try:
        await asyncio.sleep(0.3)
        assert batches == []
        held["now"] = True
        await until(lambda: len(batches) > 3)
        assert resumed == [True], "resumed from the quotes followed until then"
        held["now"] = False
        await asyncio.sleep(0.3)
        stopped_at = len(batches)
        await asyncio.sleep(0.3)
        assert len(batches) == stopped_at, "a replica that lost shard 0 stops the feed"
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_live_feeds_stale_markets_reach_every_replica_and_a_late_one(
    redis: Any, redis_prefix: str
) -> None:
    key = prices_stream(redis_prefix)
    told: dict[str, list[frozenset[str]]] = {"r-2": [], "r-3": []}

    def replica(name: str) -> SharedPrices:
        async def ignore(_: Any = None) -> None:
            return None

        return SharedPrices(
            ignore,
            ManualClock(START),
            ignore,
            redis=redis,
            key=key,
            origin=name,
            stale_changed=told.setdefault(name, []).append,
        )

    feeding, following = replica("r-1"), replica("r-2")
    task = asyncio.create_task(following.follow())
    try:
        await asyncio.sleep(0.2)  # caught up with an empty stream
        await feeding.stale(frozenset({"BTC-USD", "ETH-USD"}))
        await until(lambda: told["r-2"] == [frozenset({"BTC-USD", "ETH-USD"})])
        await feeding.stale(frozenset())
        await until(lambda: told["r-2"][-1] == frozenset())
        await feeding.stale(frozenset({"SOL-USD"}))
        late = replica("r-3")
        late_task = asyncio.create_task(late.follow())
        await until(lambda: told["r-3"] == [frozenset({"SOL-USD"})])  # the latest word only
        late_task.cancel()
        assert told["r-1"] == [], "the feed's own replica heard it from its feed"
    finally:
        task.cancel()
