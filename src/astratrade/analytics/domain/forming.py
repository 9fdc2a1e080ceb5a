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

BarOf = tuple[str, Interval]  # market, interval


class _Bar:
    """A bar being formed, changed in place: a tick runs this for every interval of its
    market, several times a second, so it allocates nothing."""

    __slots__ = ("close", "high", "low", "open", "open_time")

    def __init__(self, open_time: datetime, mark: Decimal) -> None:
        self.open_time = open_time
        self.open = self.high = self.low = self.close = mark

    def tick(self, mark: Decimal) -> bool:
        """Take the mark; False when it changed nothing."""
        if mark == self.close:
            return False  # within [low, high] already
        self.close = mark
        if mark > self.high:
            self.high = mark
        elif mark < self.low:
            self.low = mark
        return True

    def candle(self, of: BarOf) -> Candle:
        market, interval = of
        return Candle(market, interval, self.open_time, self.open, self.high, self.low, self.close)


class FormingBars:
    def __init__(
        self, intervals: tuple[Interval, ...] = tuple(Interval), *, keep_changes: bool = True
    ) -> None:
        """`keep_changes`: note what changed for `flush` (a reader of the bars being formed
        that never flushes, the WebSocket hub, says False: nothing piles up)."""
        self._keep = keep_changes
        self._intervals = tuple(sorted(intervals, key=lambda i: i.length))  # finest first
        self._bars: dict[BarOf, _Bar] = {}
        self._of: dict[str, list[BarOf]] = {}  # each market's keys, made once
        self._finest: dict[str, tuple[datetime, datetime]] = {}  # its finest bar's [open, end)
        self._changed: set[BarOf] = set()
        self._closed: list[Candle] = []  # bars replaced by the next before a flush

    def tick(self, market: str, at: datetime, mark: Decimal) -> None:
        finest = self._finest.get(market)
        if finest is not None and finest[0] <= at < finest[1]:
            # Most ticks fall in the bars already forming (a 1 s feed: 59 of 60 in the
            # minute); bars nest, so every interval's bar is then the same one.
            for of in self._of[market]:
                if self._bars[of].tick(mark) and self._keep:
                    self._changed.add(of)
            return
        if finest is not None and at < finest[0]:
            return  # a stale quote: the bars have moved on
        self._open(market, at, mark)

    def _open(self, market: str, at: datetime, mark: Decimal) -> None:
        keys = self._of.setdefault(market, [(market, i) for i in self._intervals])
        for of in keys:
            open_time = of[1].open_time(at)
            bar = self._bars.get(of)
            if bar is not None and bar.open_time == open_time:
                if bar.tick(mark) and self._keep:
                    self._changed.add(of)
                continue
            if bar is not None and of in self._changed:
                self._closed.append(bar.candle(of))
            self._bars[of] = _Bar(open_time, mark)
            if self._keep:
                self._changed.add(of)
        finest = self._intervals[0]
        opened = finest.open_time(at)
        self._finest[market] = (opened, opened + finest.length)

    def forming(self, market: str, interval: Interval) -> Candle | None:
        bar = self._bars.get((market, interval))
        return None if bar is None else bar.candle((market, interval))

    def flush(self) -> list[Candle]:
        """The bars changed since the last flush, each in its latest state."""
        changed = [*self._closed, *(self._bars[of].candle(of) for of in self._changed)]
        self._closed, self._changed = [], set()
        return changed
