"""Candles (SPEC 13): OHLC of the mark price per market and interval, with the volume traded
in fills. A bar covers [open_time, open_time + interval), open times aligned on the Unix
epoch in UTC (a day's bar opens at 00:00 UTC, a 4h bar at 00:00, 04:00, ...)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from astratrade.analytics.domain.numbers import ZERO

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Interval(StrEnum):
    MINUTE = "1m"
    FIVE_MINUTES = "5m"
    FIFTEEN_MINUTES = "15m"
    HOUR = "1h"
    FOUR_HOURS = "4h"
    DAY = "1d"

    @property
    def length(self) -> timedelta:
        return _LENGTHS[self]

    def open_time(self, at: datetime) -> datetime:
        """The open time of the bar `at` falls in."""
        elapsed = at - EPOCH
        return at - elapsed % self.length


_LENGTHS = {
    Interval.MINUTE: timedelta(minutes=1),
    Interval.FIVE_MINUTES: timedelta(minutes=5),
    Interval.FIFTEEN_MINUTES: timedelta(minutes=15),
    Interval.HOUR: timedelta(hours=1),
    Interval.FOUR_HOURS: timedelta(hours=4),
    Interval.DAY: timedelta(days=1),
}


@dataclass(frozen=True, slots=True)
class Tick:
    at: datetime
    mark: Decimal


@dataclass(frozen=True, slots=True)
class Candle:
    market: str
    interval: Interval
    open_time: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal = ZERO  # size traded in fills, in the market's base asset

    @classmethod
    def opened(cls, market: str, interval: Interval, at: datetime, mark: Decimal) -> Candle:
        return cls(market, interval, interval.open_time(at), mark, mark, mark, mark)

    def ticked(self, mark: Decimal) -> Candle:
        return replace(self, high=max(self.high, mark), low=min(self.low, mark), close=mark)

    def traded(self, size: Decimal) -> Candle:
        return replace(self, volume=self.volume + abs(size))

    def merged(self, later: Candle) -> Candle:
        """This bar and a later part of the same bar as one: the open of this, the close of
        the later one (how a restarted writer's bar joins what was stored before)."""
        return replace(
            self,
            high=max(self.high, later.high),
            low=min(self.low, later.low),
            close=later.close,
            volume=self.volume + later.volume,
        )


def candles_of(market: str, interval: Interval, ticks: Iterable[Tick]) -> list[Candle]:
    """The bars of ticks in time order (ties in the order given), oldest first."""
    bars: list[Candle] = []
    for tick in ticks:
        if bars and bars[-1].open_time == interval.open_time(tick.at):
            bars[-1] = bars[-1].ticked(tick.mark)
        else:
            bars.append(Candle.opened(market, interval, tick.at, tick.mark))
    return bars


def resampled(bars: Iterable[Candle], interval: Interval) -> list[Candle]:
    """Finer bars, oldest first, as bars of a longer `interval` (a multiple of theirs)."""
    coarse: list[Candle] = []
    for bar in bars:
        open_time = interval.open_time(bar.open_time)
        if coarse and coarse[-1].open_time == open_time:
            coarse[-1] = coarse[-1].merged(bar)
        else:
            coarse.append(replace(bar, interval=interval, open_time=open_time))
    return coarse
