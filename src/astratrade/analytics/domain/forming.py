"""The bars being formed, every interval of every market, as the feed ticks and fills
arrive. What changed since the last flush is handed out in one batch, so many ticks cost
one write, off the feed's hot path.

A flushed bar is a change to merge into the stored one, never a replacement (a restarted
writer knows only the part of a bar it saw): the stored open stays, high and low widen,
the close is the flushed one, and the flushed volume (what was traded since the last
flush) is added."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.analytics.domain.numbers import ZERO

BarKey = tuple[str, Interval, datetime]  # market, interval, open time


@dataclass(frozen=True, slots=True)
class Flushed:
    bars: list[Candle] = field(default_factory=list)  # volume: traded since the last flush
    # Fills for a bar already closed here: only their volume is added to the stored bar
    # (its OHLC, the last mark seen, is used only when no bar was stored).
    late_volume: list[Candle] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.bars or self.late_volume)


class FormingBars:
    def __init__(self, intervals: tuple[Interval, ...] = tuple(Interval)) -> None:
        self._intervals = intervals
        self._bars: dict[tuple[str, Interval], Candle] = {}  # whole, the latest of each
        self._last_mark: dict[str, Decimal] = {}
        self._pending: dict[BarKey, Candle] = {}  # volume: traded since the last flush
        self._late: dict[BarKey, Candle] = {}

    def tick(self, market: str, at: datetime, mark: Decimal) -> None:
        self._last_mark[market] = mark
        for interval in self._intervals:
            bar = self._bars.get((market, interval))
            open_time = interval.open_time(at)
            if bar is not None and bar.open_time > open_time:
                continue  # a stale quote: the bars have moved on
            if bar is None or bar.open_time != open_time:
                self._keep(Candle.opened(market, interval, at, mark))
            elif mark != bar.close or mark > bar.high or mark < bar.low:
                self._keep(bar.ticked(mark))
            # else: the bar is as it was; nothing to write

    def fill(self, market: str, at: datetime, size: Decimal, price: Decimal) -> None:
        """A fill's size joins the bars it happened in. A bar no tick has opened yet opens
        at the last mark seen (bars are of marks; the fill's price only when none is known)."""
        mark = self._last_mark.get(market, price)
        for interval in self._intervals:
            bar = self._bars.get((market, interval))
            open_time = interval.open_time(at)
            if bar is not None and bar.open_time > open_time:  # the fill arrived late
                key = (market, interval, open_time)
                late = self._late.get(key) or Candle.opened(market, interval, at, mark)
                self._late[key] = late.traded(size)
                continue
            if bar is None or bar.open_time != open_time:
                bar = Candle.opened(market, interval, at, mark)
            self._keep(bar.traded(size), traded=abs(size))

    def forming(self, market: str, interval: Interval) -> Candle | None:
        """The bar being formed, whole (its volume since it opened here)."""
        return self._bars.get((market, interval))

    def flush(self) -> Flushed:
        """The changes since the last flush, each bar in its latest state."""
        flushed = Flushed(list(self._pending.values()), list(self._late.values()))
        self._pending, self._late = {}, {}
        return flushed

    def _keep(self, bar: Candle, traded: Decimal = ZERO) -> None:
        key = (bar.market, bar.interval, bar.open_time)
        self._bars[(bar.market, bar.interval)] = bar
        earlier = self._pending.get(key)
        self._pending[key] = replace(bar, volume=(earlier.volume if earlier else ZERO) + traded)
