"""The platform started with the `extended` feed against the local Extended stand-in
(tests/extended_exchange.py): prices arrive, a dropped stream reconnects, silence makes
the markets stale (liquidations paused) until prices flow again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path

import pytest

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.platform import Platform
from astratrade.trading.adapters.feeds.staleness import FeedHealth
from astratrade.trading.engine import TradingEngine
from extended_exchange import ExtendedStandIn

D = Decimal
MARKETS = {"BTC-USD", "ETH-USD", "SOL-USD", "STRK-USD"}


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.02)


@pytest.fixture
async def stand_in() -> AsyncIterator[ExtendedStandIn]:
    venue = await ExtendedStandIn(interval_seconds=0.05).start()
    yield venue
    await venue.stop()


@pytest.fixture
async def platform(stand_in: ExtendedStandIn, tmp_path: Path) -> AsyncIterator[Platform]:
    settings = Settings(
        data_dir=tmp_path,
        price_feed="extended",
        extended_stream_url=stand_in.stream_url,
        extended_api_url=stand_in.api_url,
        price_stale_seconds=0.4,
    )
    running = bootstrap(settings)
    await running.start()
    yield running
    await running.stop()


async def test_prices_arrive_survive_a_drop_and_silence_pauses_liquidations(
    stand_in: ExtendedStandIn, platform: Platform
) -> None:
    venue = platform.port(TradingEngine).venue
    health = platform.port(FeedHealth)

    await until(lambda: venue.marks["BTC-USD"] == D("64267.4"))  # on our 0.1 tick
    assert venue.quotes["BTC-USD"].index == D("64286.4")
    assert venue.marks["STRK-USD"] == D("0.51234")
    await until(lambda: health.stale == frozenset())
    assert (venue.stale_markets, health.problem()) == (frozenset(), None)

    await stand_in.drop()
    stand_in.prices["ETH-USD"] = (D("3200.004"), D("3199.996"))
    await until(lambda: stand_in.connections == 2 and venue.marks["ETH-USD"] == D("3200.00"))

    stand_in.silent = True
    await until(lambda: venue.stale_markets == MARKETS)
    assert health.problem() == "error: stale prices for BTC-USD, ETH-USD, SOL-USD, STRK-USD"

    stand_in.silent = False
    await until(lambda: venue.stale_markets == frozenset())
    assert health.problem() is None


@pytest.mark.filterwarnings("ignore:websockets.legacy is deprecated")
@pytest.mark.filterwarnings("ignore:websockets.WebSocketClientProtocol is deprecated")
async def test_the_sdks_own_stream_client_cannot_connect_with_websockets_15(
    stand_in: ExtendedStandIn,
) -> None:
    """Why the feed opens the stream itself (extended_stream.py): the SDK passes
    `extra_headers`, which websockets 15 refuses. If this starts passing, the SDK's
    client may be used again."""
    from x10.clients.stream.stream_client import StreamClient

    base = stand_in.stream_url.rsplit("/v2/rpc", 1)[0] + "/v1"
    with pytest.raises(TypeError, match="extra_headers"):
        await StreamClient(api_url=base).subscribe_to_funding_rates()
