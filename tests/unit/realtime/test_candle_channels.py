"""The `candles:<market>:<interval>` channels without a network: their names, the bound on
how many a client watches, the forming bar pushed only when it changed and someone watches,
and a snapshot that joins the stored part of a bar the hub saw only the end of."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.entrypoints.realtime.candle_feed import (
    MAX_CANDLE_CHANNELS,
    CandleFeed,
    TooManyChannels,
    candle_channel,
    may_watch_more,
)
from astratrade.entrypoints.realtime.hub import Connection, Hub
from astratrade.shared.errors import NotFound
from astratrade.trading.domain.prices import Quote


class Client:
    """A connection that keeps what it is sent."""

    def __init__(self, hub: Hub) -> None:
        self.received: list[dict[str, Any]] = []
        self.connection = Connection(self._send, "u", None)
        hub.join(self.connection)
        self.task = asyncio.create_task(self.connection.pump())

    async def _send(self, text: str) -> None:
        self.received.append(json.loads(text))

    def events(self) -> list[dict[str, Any]]:
        return [m for m in self.received if m["type"] == "event"]


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


MARKETS = ("BTC-USD", "ETH-USD")
T0 = datetime(2026, 3, 2, 10, 7, 30, tzinfo=UTC)


def quote(mark: str, at: datetime = T0, market: str = "BTC-USD") -> Quote:
    return Quote(market, Decimal(mark), Decimal(mark), at)


@pytest.mark.parametrize("interval", [i.value for i in Interval])
def test_every_interval_of_a_listed_market_is_a_channel(interval: str) -> None:
    assert candle_channel(f"candles:ETH-USD:{interval}", MARKETS) == ("ETH-USD", interval)


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("candles:NOPE-USD:1m", "'NOPE-USD'"),
        ("candles:BTC-USD:2m", "'2m'"),
        ("candles:BTC-USD:", "''"),
        ("candles:BTC-USD", "'candles:BTC-USD'"),
        ("candles::1m", "'candles::1m'"),
        ("candles", "'candles'"),
    ],
)
def test_an_unknown_market_or_interval_is_not_found_and_named(name: str, named: str) -> None:
    with pytest.raises(NotFound) as found:
        candle_channel(name, MARKETS)
    assert named in found.value.message


def test_a_bad_interval_is_told_the_intervals_there_are() -> None:
    with pytest.raises(NotFound, match="1m, 5m, 15m, 1h, 4h, 1d"):
        candle_channel("candles:BTC-USD:1w", MARKETS)


def test_a_client_watches_a_bounded_number_of_candle_channels() -> None:
    held = {f"candles:M{n}:1m" for n in range(MAX_CANDLE_CHANNELS)} | {"prices:BTC-USD"}
    may_watch_more(held, "candles:M0:1m")  # subscribing again is no more
    may_watch_more(held - {"candles:M0:1m"}, "candles:M0:1m")
    with pytest.raises(TooManyChannels, match=str(MAX_CANDLE_CHANNELS)):
        may_watch_more(held, "candles:BTC-USD:5m")


class StoredBars:
    """Analytics' stored bars, as its read answers them."""

    def __init__(self, *bars: Candle) -> None:
        self.bars = {(b.market, b.interval, b.open_time): b for b in bars}
        self.reads = 0

    async def stored(self, market: str, interval: Interval, open_time: datetime) -> Candle | None:
        self.reads += 1
        return self.bars.get((market, interval, open_time))


async def test_the_forming_bar_is_pushed_when_it_changes_to_those_watching() -> None:
    hub = Hub()
    feed = CandleFeed(hub, None, lambda: T0)
    client = Client(hub)
    name = "candles:BTC-USD:1m"
    await hub.subscribe(
        client.connection, name, None, lambda: feed.snapshot("BTC-USD", Interval.MINUTE)
    )
    for batch in (
        [quote("100"), quote("7", market="ETH-USD")],
        [quote("104", T0 + timedelta(seconds=10))],
        [quote("104", T0 + timedelta(seconds=11))],  # changes nothing: not pushed
        [quote("98", T0 + timedelta(seconds=20))],
        [quote("99", T0 + timedelta(seconds=40))],  # the next minute's bar
    ):
        feed.quotes(batch)
        await settle()  # pushes are conflated: a client behind gets only the latest
    assert client.received[0]["snapshot"] is None  # no mark yet
    pushed = [m["data"] for m in client.events()]
    assert [m["channel"] for m in client.events()] == [name] * 4
    ohlc = [(p["open"], p["high"], p["low"], p["close"]) for p in pushed]
    assert ohlc == [
        ("100", "100", "100", "100"),
        ("100", "104", "100", "104"),
        ("100", "104", "98", "98"),
        ("99", "99", "99", "99"),
    ]
    assert pushed[0]["open_time"] == "2026-03-02T10:07:00+00:00"
    assert pushed[-1]["open_time"] == "2026-03-02T10:08:00+00:00"
    assert not hub.watched_now("candles:ETH-USD:1m")


async def test_a_snapshot_joins_the_part_of_the_bar_stored_before_the_hub_saw_it() -> None:
    hour = Interval.HOUR.open_time(T0)
    earlier = Candle("BTC-USD", Interval.HOUR, hour, *map(Decimal, ("90", "120", "80", "95")))
    stored = StoredBars(earlier)
    hub = Hub()
    feed = CandleFeed(hub, stored, lambda: T0)
    feed.quotes([quote("100")])
    await settle()
    client = Client(hub)
    name = "candles:BTC-USD:1h"
    await hub.subscribe(
        client.connection, name, None, lambda: feed.snapshot("BTC-USD", Interval.HOUR)
    )
    feed.quotes([quote("70", T0 + timedelta(seconds=5))])
    await settle()
    feed.quotes([quote("75", T0 + timedelta(hours=1))])  # the next hour: the hub saw it open
    await settle()
    snapshot = client.received[0]["snapshot"]
    assert (snapshot["open"], snapshot["high"], snapshot["low"], snapshot["close"]) == (
        "90",
        "120",
        "80",
        "100",
    )
    pushed = [m["data"] for m in client.events()]
    assert [(p["open"], p["high"], p["low"], p["close"]) for p in pushed] == [
        ("90", "120", "70", "70"),
        ("75", "75", "75", "75"),
    ]
    assert stored.reads == 1


async def test_with_no_mark_seen_the_snapshot_is_the_stored_bar_of_now() -> None:
    minute = Interval.MINUTE.open_time(T0)
    bar = Candle("BTC-USD", Interval.MINUTE, minute, *map(Decimal, ("5", "6", "4", "5.5")))
    feed = CandleFeed(Hub(), StoredBars(bar), lambda: T0)
    found = await feed.snapshot("BTC-USD", Interval.MINUTE)
    assert found is not None
    assert (found["open"], found["close"], found["open_time"]) == (
        Decimal("5"),
        Decimal("5.5"),
        minute.isoformat(),
    )
    assert await feed.snapshot("ETH-USD", Interval.MINUTE) is None
    await asyncio.sleep(0)


def test_the_hubs_bars_keep_nothing_for_a_flush_it_never_makes() -> None:
    feed = CandleFeed(Hub(), None, lambda: T0)
    for n in range(200):  # across minutes: closed bars would pile up if noted
        feed.quotes([quote(str(100 + n % 7), T0 + timedelta(seconds=20 * n))])
    assert feed._bars.flush() == []
    assert feed.bar("BTC-USD", Interval.MINUTE) is not None
