"""The `extended` price feed: mark and index per market from Extended's public stream.

On every (re)connection the markets endpoint gives each market's current mark and index at
once; then the stream keeps them current. Prices arriving between two batches are kept, the
latest of each market is sent once per batch interval (the venue may push many a second).
A dropped or refused connection is retried with exponential backoff. A market that has had
no price for 10 s is stale (staleness.py): liquidations pause there and `/readyz` says so."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal

import aiohttp
from pydantic import ValidationError
from websockets.exceptions import WebSocketException

from astratrade.shared.clock import Clock
from astratrade.trading.adapters.feeds.extended_stream import (
    StreamRefused,
    VenuePrice,
    fetch_markets,
    stream_prices,
)
from astratrade.trading.adapters.feeds.staleness import STALE_AFTER_SECONDS, FeedHealth, Staleness
from astratrade.trading.domain.markets import Market
from astratrade.trading.domain.prices import Quote
from astratrade.trading.ports import QuoteSink

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 30.0
BATCH_SECONDS = 0.25

# What a lost or refused connection looks like; anything else is a bug and keeps its trace.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    WebSocketException,
    aiohttp.ClientError,
    StreamRefused,
    ValidationError,
    ValueError,
)


def to_tick(price: Decimal, tick: Decimal) -> Decimal:
    """The venue's price on our market's tick (nearest, half-even): the engine fills and
    triggers on tick prices. Never below one tick."""
    units = (price / tick).to_integral_value(rounding=ROUND_HALF_EVEN)
    return max(units * tick, tick).quantize(tick)


class VenuePrices:
    """The latest mark and index of each of our markets, from the venue's prices: mapping
    names, rounding to ticks, and collecting what changed since the last batch."""

    def __init__(self, markets: Sequence[Market], names: Mapping[str, str]) -> None:
        ours = {market.id: market for market in markets}
        unknown = sorted(set(names) - set(ours))
        if unknown:
            raise ValueError(f"the extended feed maps markets we do not list: {unknown}")
        self.markets = {names[m]: ours[m] for m in names}  # by the venue's name
        self._mark: dict[str, Decimal] = {}
        self._index: dict[str, Decimal] = {}
        self._changed: set[str] = set()  # ours, since the last batch

    def take(self, price: VenuePrice) -> str | None:
        """Keep a price; our market's id, or None for a market we do not map."""
        market = self.markets.get(price.market)
        if market is None or not price.price.is_finite() or price.price <= 0:
            return None
        kept = self._mark if price.kind == "mark" else self._index
        kept[market.id] = to_tick(price.price, market.tick)
        self._changed.add(market.id)
        return market.id

    def batch(self, clock: Clock) -> list[Quote]:
        """A quote for each market changed since the last batch that has both prices."""
        now = clock.now()
        ready = sorted(m for m in self._changed if m in self._mark and m in self._index)
        self._changed -= set(ready)
        return [Quote(m, self._mark[m], self._index[m], now) for m in ready]


class ExtendedFeed:
    """Our markets' marks and indexes from Extended, until cancelled."""

    def __init__(
        self,
        markets: Sequence[Market],
        *,
        names: Mapping[str, str],
        stream_url: str,
        api_url: str,
        clock: Clock,
        health: FeedHealth | None = None,
        stale_after_seconds: float = STALE_AFTER_SECONDS,
        batch_seconds: float = BATCH_SECONDS,
        first_retry_seconds: float = FIRST_RETRY_SECONDS,
        max_retry_seconds: float = MAX_RETRY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.prices = VenuePrices(markets, names)
        self._stream_url, self._api_url = stream_url, api_url
        self._clock = clock
        self.health = health or FeedHealth("extended")
        self._staleness = Staleness(
            [m.id for m in self.prices.markets.values()],
            limit_seconds=stale_after_seconds,
            monotonic=monotonic,
        )
        self._batch_seconds = batch_seconds
        self._first_retry, self._max_retry = first_retry_seconds, max_retry_seconds
        self.connections = 0  # how many times the stream was opened (for the logs and tests)

    def seen(self, price: VenuePrice) -> None:
        market = self.prices.take(price)
        if market is not None:
            self._staleness.seen(market)

    async def run(self, sink: QuoteSink) -> None:
        self.health.running = True
        batches = asyncio.create_task(self._send_batches(sink))
        try:
            await self._follow_stream()
        finally:
            batches.cancel()
            await asyncio.gather(batches, return_exceptions=True)
            self.health.stopped()

    async def _follow_stream(self) -> None:
        delay = self._first_retry
        async with aiohttp.ClientSession() as session:
            while True:
                try:
                    await self._snapshot(session)
                    self.connections += 1
                    async for price in stream_prices(self._stream_url):
                        self.seen(price)
                        delay = self._first_retry  # it works again: the next retry is quick
                    problem = "the venue closed the price stream"
                except CONNECTION_ERRORS as error:
                    problem = f"{type(error).__name__}: {error}"
                logger.warning("extended price stream: %s; reconnecting in %.1f s", problem, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_retry)

    async def _snapshot(self, session: aiohttp.ClientSession) -> None:
        """Every market's mark and index from the markets endpoint: prices at once, without
        waiting for the stream's next push. Best effort: the stream follows anyway."""
        try:
            found = await fetch_markets(session, self._api_url)
        except CONNECTION_ERRORS as error:
            logger.warning("extended markets endpoint: %s: %s", type(error).__name__, error)
            return
        for market in found:
            stats, ts = market.market_stats, 0
            self.seen(VenuePrice("mark", market.name, stats.mark_price, ts))
            self.seen(VenuePrice("index", market.name, stats.index_price, ts))

    async def _send_batches(self, sink: QuoteSink) -> None:
        """Each interval: the quotes that changed, then which markets went stale."""
        while True:
            batch = self.prices.batch(self._clock)
            if batch:
                try:
                    await sink(batch)
                except Exception:
                    logger.exception("price sink failed on an extended batch; the feed goes on")
            await self.health.judge(self._staleness.stale())
            await asyncio.sleep(self._batch_seconds)
