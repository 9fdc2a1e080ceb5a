"""What the `candles:` channels read of analytics, the stored bar of a moment, is the same
whether analytics runs in the hub's process (its read) or as a service of its own (its
candles route, over HTTP: here the real app through ASGI)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
from trading_platform import set_mark

from astratrade.analytics.adapters.candle_writer import CandleWriter
from astratrade.analytics.domain.candles import Interval
from astratrade.entrypoints.app import create_app
from astratrade.entrypoints.realtime.candle_reads import HttpCandleReads, LocalCandleReads
from astratrade.platform import Platform
from astratrade.shared.clock import ManualClock

MINUTE = datetime(2026, 3, 2, 9, 1, tzinfo=UTC)  # the fixtures' clock starts at 09:00:30


async def test_the_stored_bar_reads_the_same_here_and_over_http(
    platform: Platform, clock: ManualClock
) -> None:
    for second, mark in [(1, "60000"), (20, "60100.5"), (40, "59900")]:
        clock.set(MINUTE + timedelta(seconds=second))
        await set_mark(platform, "BTC-USD", mark)
    await platform.port(CandleWriter).flush()

    local = LocalCandleReads(platform.read_db)
    remote = HttpCandleReads("http://analytics", "key", 5.0)
    await remote.close()
    remote._client = httpx.AsyncClient(  # the analytics service's app, in process
        transport=httpx.ASGITransport(app=create_app(platform, metrics=False)),
        base_url="http://analytics",
    )
    try:
        for interval in (Interval.MINUTE, Interval.HOUR):
            open_time = interval.open_time(MINUTE)
            here = await local.stored("BTC-USD", interval, open_time)
            there = await remote.stored("BTC-USD", interval, open_time)
            assert here is not None
            assert there == here
            ohlc = (here.open, here.high, here.low, here.close)
            assert ohlc == (Decimal(60000), Decimal("60100.5"), Decimal(59900), Decimal(59900))
        assert await remote.stored("BTC-USD", Interval.MINUTE, MINUTE + timedelta(hours=2)) is None
        assert await local.stored("BTC-USD", Interval.MINUTE, MINUTE + timedelta(hours=2)) is None
    finally:
        await remote.close()
