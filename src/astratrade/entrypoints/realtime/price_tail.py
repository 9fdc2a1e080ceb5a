"""The prices of the realtime service: it follows the stream trading's replicas share
(`trading/adapters/price_stream.py`: every batch of the feed, every admin's price), from
the latest quote of each market at start, and publishes each batch on `prices:<market>`.
It only reads: the replica running the feed writes the stream, and trading fills orders at
the same quotes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from astratrade.infrastructure.reconnect import UNREACHABLE, Reconnect
from astratrade.trading.adapters.price_stream import CATCH_UP_ENTRIES, READ_BLOCK_MS, decode_quotes
from astratrade.trading.domain.prices import Quote

logger = logging.getLogger(__name__)


class PriceTail:
    def __init__(self, redis: Any, key: str, publish: Callable[[list[Quote]], None]) -> None:
        self._redis = redis
        self._key = key
        self._publish = publish

    async def run(self) -> None:
        """Follow the stream until cancelled, through Redis's outages."""
        reconnect, last = Reconnect("prices"), None
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
        """The latest quote of each market; the newest entry's id."""
        entries = await self._redis.xrevrange(self._key, count=CATCH_UP_ENTRIES)
        latest: dict[str, Quote] = {}
        for _id, fields in entries:  # newest first
            for quote in _quotes_in(fields):
                latest.setdefault(quote.market, quote)
        if latest:
            self._publish(list(latest.values()))
        return entries[0][0] if entries else "0-0"

    async def _read(self, last: str) -> str:
        """The entries after `last`; of several (this replica fell behind), the newest quote
        of each market only: prices are whole states, and a replica that is behind catches
        up with one fan-out instead of one for every batch it missed."""
        reply = await self._redis.xread({self._key: last}, count=100, block=READ_BLOCK_MS)
        latest: dict[str, Quote] = {}
        for _stream, entries in reply or []:
            for entry_id, fields in entries:
                last = entry_id
                latest.update((quote.market, quote) for quote in _quotes_in(fields))
        if latest:
            self._publish(list(latest.values()))
        return last

    async def close(self) -> None:
        await self._redis.aclose()


def _quotes_in(fields: dict[str, str]) -> list[Quote]:
    try:
        return decode_quotes(fields.get("quotes", "[]"))
    except (ValueError, TypeError, ArithmeticError):
        logger.warning("a malformed prices entry was skipped: %r", fields)
        return []
