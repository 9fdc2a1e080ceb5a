"""Candles written as the feed ticks. A batch of marks only updates the bars being formed
in memory (microseconds, on the feed's path); a loop flushes what changed every
`flush_seconds` in one transaction of the single writer, so a one-second feed over four
markets costs one small write a second, not 24 (six intervals a market) a tick."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from functools import partial

from astratrade.analytics.adapters import candles
from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.analytics.domain.forming import FormingBars
from astratrade.analytics.ports import Mark
from astratrade.infrastructure.writer import Writer

logger = logging.getLogger(__name__)


class CandleWriter:
    def __init__(self, writer: Writer, flush_seconds: float) -> None:
        self._writer = writer
        self._flush_seconds = flush_seconds
        self._forming = FormingBars()
        self._unwritten: dict[tuple[object, ...], Candle] = {}  # a failed flush's, retried

    def marks_seen(self, marks: Sequence[Mark]) -> None:
        for mark in marks:
            self._forming.tick(mark.market, mark.at, mark.mark)

    def forming(self, market: str, interval: Interval) -> Candle | None:
        """The bar being formed, as this process has seen it."""
        return self._forming.forming(market, interval)

    async def flush(self) -> None:
        """Write what changed since the last flush (and what a failed one left)."""
        for bar in self._forming.flush():  # a bar's latest state holds its earlier ones
            self._unwritten[(bar.market, bar.interval, bar.open_time)] = bar
        if not self._unwritten:
            return
        bars = list(self._unwritten.values())
        await self._writer.run(partial(candles.write_marks, bars=bars))
        self._unwritten.clear()

    async def keep_flushing(self) -> None:
        """Flush every `flush_seconds` until cancelled."""
        while True:
            await asyncio.sleep(self._flush_seconds)
            try:
                await self.flush()
            except Exception:  # kept for the next flush; the loop goes on
                logger.exception("writing candles failed")
