"""The prices every trading replica trades at.

Each replica keeps the venue's quotes in memory and fills its own shards' orders at them,
so all of them must see the same quotes. One replica runs the price feed: the holder of
shard 0 (if it dies, the replica that takes shard 0 takes the feed too, from the last
quotes). Whatever a replica decides (a feed's batch, an admin's manual price, a move of
the manual clock) it applies itself and publishes on one Redis stream,
`<prefix>astratrade.trading.prices`; every other replica follows that stream and applies
the same. A replica that starts first applies the latest quote of each market and the
latest clock from it. Embedded (no Redis, one process) they are only applied here."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import datetime
from decimal import Decimal
from typing import Any

from redis.exceptions import RedisError

from astratrade.infrastructure.reconnect import UNREACHABLE, Reconnect
from astratrade.shared.clock import Clock, ManualClock, moment
from astratrade.shared.errors import Unavailable
from astratrade.trading.domain.prices import Quote
from astratrade.trading.ports import PriceFeed, QuoteSink

logger = logging.getLogger(__name__)
MAX_ENTRIES = 10_000  # about the last hours of a one-second feed: enough to catch up from
CATCH_UP_ENTRIES = 1_000  # read back at start for the latest quote of each market
READ_BLOCK_MS = 1_000
FEED_GATE_POLL_SECONDS = 0.2

TimeMoved = Callable[[], Awaitable[None]]  # what runs when the clock moves (timed jobs)


def prices_stream(prefix: str) -> str:
    return f"{prefix}astratrade.trading.prices"


def encode_quotes(quotes: list[Quote]) -> str:
    return json.dumps(
        [[q.market, str(q.mark), str(q.index), q.at.isoformat()] for q in quotes],
        separators=(",", ":"),
    )


def decode_quotes(text: str) -> list[Quote]:
    return [
        Quote(str(market), Decimal(mark), Decimal(index), moment(at))
        for market, mark, index, at in json.loads(text)
    ]


class SharedPrices:
    """Applies quotes and clock moves here and, with a stream, on every other replica."""

    def __init__(
        self,
        apply: QuoteSink,
        clock: Clock,
        time_moved: TimeMoved,
        *,
        redis: Any | None = None,
        key: str = "",
        origin: str = "",
        stale_changed: Callable[[frozenset[str]], None] = lambda _stale: None,
    ) -> None:
        self._apply = apply
        self._stale_changed = stale_changed  # a live feed's stale markets, from the others
        self._clock = clock
        self._time_moved = time_moved
        self._redis: Any = redis  # None: embedded, the only replica
        self._key = key
        self._origin = origin  # this replica's name: its own entries are not applied twice

    @property
    def shared(self) -> bool:
        return self._redis is not None

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    async def apply(self, quotes: list[Quote]) -> None:
        """Apply a batch here (fills, triggers, liquidations) and publish it to the others.
        Applied here even if Redis is away; then Unavailable says the others missed it."""
        try:
            await self._publish({"quotes": encode_quotes(quotes)})
        finally:
            await self._apply(quotes)

    async def clock_moved(self) -> None:
        """The manual clock moved here: move the others' to the same moment."""
        await self._publish({"clock": self._clock.now().isoformat()})

    async def stale(self, markets: frozenset[str]) -> None:
        """The feed's stale markets changed here: the others pause liquidations there too.
        Not applied here (the feed's own health did); if Redis is away the others keep
        their last word until the next change, which is logged."""
        try:
            await self._publish({"stale": json.dumps(sorted(markets))})
        except Unavailable:
            logger.warning("the stale markets %s could not reach the other replicas", markets)

    async def _publish(self, fields: dict[str, str]) -> None:
        if self._redis is None:
            return
        try:
            await self._redis.xadd(
                self._key, {"origin": self._origin, **fields}, maxlen=MAX_ENTRIES, approximate=True
            )
        except RedisError as error:
            raise Unavailable("the prices could not reach the other trading replicas") from error

    async def follow(self) -> None:
        """Apply what the other replicas publish, until cancelled."""
        if self._redis is None:
            return
        reconnect = Reconnect("prices")
        last: str | None = None
        while True:
            try:
                last = await self._catch_up() if last is None else await self._read(last)
                reconnect.succeeded()
            except UNREACHABLE as error:
                await reconnect.wait(error, asyncio.Event())
            except Exception:  # the loop must outlive whatever went wrong
                logger.exception("following the prices failed; going on")
                await asyncio.sleep(1)

    async def _catch_up(self) -> str:
        """The latest clock and the latest quote of each market; the newest entry's id."""
        entries = await self._redis.xrevrange(self._key, count=CATCH_UP_ENTRIES)
        latest: dict[str, Quote] = {}
        clock: datetime | None = None
        stale: frozenset[str] | None = None
        for _id, fields in entries:  # newest first
            if clock is None and "clock" in fields:
                clock = moment(fields["clock"])
            if stale is None and "stale" in fields:
                stale = _stale_in(fields)
            for quote in _quotes_in(fields):
                latest.setdefault(quote.market, quote)
        if clock is not None:
            await self._move_clock(clock)
        if latest:
            await self._apply(list(latest.values()))
        if stale is not None:
            self._stale_changed(stale)
        return entries[0][0] if entries else "0-0"

    async def _read(self, last: str) -> str:
        reply = await self._redis.xread({self._key: last}, count=100, block=READ_BLOCK_MS)
        for _stream, entries in reply or []:
            for entry_id, fields in entries:
                last = entry_id
                if fields.get("origin") != self._origin:
                    await self._apply_entry(fields)
        return last

    async def _apply_entry(self, fields: dict[str, str]) -> None:
        if "clock" in fields:
            with suppress(ValueError, TypeError):
                await self._move_clock(moment(fields["clock"]))
        quotes = _quotes_in(fields)
        if quotes:
            await self._apply(quotes)
        if "stale" in fields:
            self._stale_changed(_stale_in(fields))

    async def _move_clock(self, to: datetime) -> None:
        if isinstance(self._clock, ManualClock) and to > self._clock.now():
            self._clock.set(to)
            await self._time_moved()


def _stale_in(fields: dict[str, str]) -> frozenset[str]:
    try:
        return frozenset(str(market) for market in json.loads(fields["stale"]))
    except (ValueError, TypeError):
        logger.warning("a malformed stale markets entry was read as none: %r", fields)
        return frozenset()


def _quotes_in(fields: dict[str, str]) -> list[Quote]:
    try:
        return decode_quotes(fields.get("quotes", "[]"))
    except (ValueError, TypeError, ArithmeticError):
        logger.warning("a malformed prices entry was skipped: %r", fields)
        return []


async def feed_while(
    holding: Callable[[], bool],
    feed: PriceFeed,
    sink: QuoteSink,
    resume: Callable[[], None] = lambda: None,
) -> None:
    """Run `feed` into `sink` while `holding()` (this replica holds shard 0), until
    cancelled: the replica that takes shard 0 over runs it next, `resume`d first (from the
    quotes it followed)."""
    while True:
        # The leases change `holding` from their own task: polled, as the consumers do.
        while not holding():  # noqa: ASYNC110
            await asyncio.sleep(FEED_GATE_POLL_SECONDS)
        resume()
        logger.info("the price feed runs here")
        running = asyncio.create_task(feed.run(sink))
        try:
            while holding() and not running.done():  # noqa: ASYNC110
                await asyncio.sleep(FEED_GATE_POLL_SECONDS)
        finally:
            running.cancel()
            with suppress(asyncio.CancelledError):
                await running
        logger.info("the price feed no longer runs here")
