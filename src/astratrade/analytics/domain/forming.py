"""The bars being formed, every interval of every market, as the feed ticks. What changed
since the last flush is handed out in one batch, so many ticks cost one write, off the
feed's hot path.

A flushed bar is a change to merge into the stored one, never a replacement (a restarted
writer knows only the part of a bar it saw): the stored open stays, high and low widen,
the close is the flushed one (`Candle.merged`). Volume does not pass here: it comes from
fills, each counted once by its own read model (docs/analytics.md)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from astratrade.analytics.domain.candles import Candle, Interval

BarKey = tuple[str, Interval, datetime]  # market, interval, open time


class FormingBars:
    def __init__(self, intervals: tuple[Interval, ...] = tuple(Interval)) -> None:
        self._intervals = intervals
        self._bars: dict[tuple[str, Interval], Candle] = {}  # the latest of each
        self._changed: dict[BarKey, Candle] = {}

    def tick(self, market: str, at: datetime, mark: Decimal) -> None:
        for interval in self._intervals:
            bar = self._bars.get((market, interval))
            open_time = interval.open_time(at)
            if bar is not None and bar.open_time > open_time:
                continue  # a stale quote: the bars have moved on
            if bar is None or bar.open_time != open_time:
                self._keep(Candle.opened(market, interval, at, mark))
            elif mark != bar.close or mark > bar.high or mark < bar.low:
                self._keep(bar.ticked(mark))
            # else: the bar is as it was, nothing to write

    def forming(self, market: str, interval: Interval) -> Candle | None:
        return self._bars.get((market, interval))

    def flush(self) -> list[Candle]:
        """The bars changed since the last flush, each in its latest state."""
        changed, self._changed = list(self._changed.values()), {}
        return changed

    def _keep(self, bar: Candle) -> None:
        self._bars[(bar.market, bar.interval)] = bar
        self._changed[(bar.market, bar.interval, bar.open_time)] = bar
