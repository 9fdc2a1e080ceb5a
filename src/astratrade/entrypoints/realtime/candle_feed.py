"""The `candles:<market>:<interval>` channels: the bar being formed, pushed as the marks
tick, with the bar of now as the snapshot on subscribe.

The hub keeps the bars being formed of every market from the marks it gets (the same
batches as `prices:<market>`: trading's engine in this process, or the prices' stream on the
realtime service), so a push costs no read. A hub that started during a bar saw only its
later part: a snapshot therefore reads the stored bar of now from analytics (`candle_reads`)
and the hub merges what it sees into it for as long as that bar forms (the stored open
stays, high and low widen, the close is the latest: `Candle.merged`). A bar the hub saw open
needs no read. Volume is not pushed: it comes from fills, in the candles route's bars."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.analytics.domain.forming import BarOf, FormingBars
from astratrade.entrypoints.realtime.candle_reads import CandleReads
from astratrade.entrypoints.realtime.hub import Hub
from astratrade.shared.errors import DomainError, NotFound
from astratrade.trading.domain.prices import Quote

KIND = "candles"
# A client watches at most this many candle channels at once: a chart shows one, a screen
# of several a handful; each costs the hub a push per changed mark.
MAX_CANDLE_CHANNELS = 12
INTERVALS = ", ".join(i.value for i in Interval)


class TooManyChannels(DomainError):
    code: ClassVar[str] = "too_many_channels"


def candle_channel(name: str, markets: Iterable[str]) -> tuple[str, Interval]:
    """The market and interval `candles:<market>:<interval>` names; an unknown one is not
    found, named (as any channel the hub does not have)."""
    kind, _, rest = name.partition(":")
    market, _, interval = rest.rpartition(":")
    if kind != KIND or not market:
        raise NotFound(f"no channel {name!r}: candles:<market>:<interval>")
    if market not in markets:
        raise NotFound(f"no market {market!r} for {name!r}")
    try:
        return market, Interval(interval)
    except ValueError:
        raise NotFound(f"no interval {interval!r} for {name!r}: one of {INTERVALS}") from None


def may_watch_more(watching: Iterable[str], name: str) -> None:
    """Refuse a candle channel beyond MAX_CANDLE_CHANNELS (subscribing again is no more)."""
    held = [c for c in watching if c.startswith(f"{KIND}:")]
    if name not in held and len(held) >= MAX_CANDLE_CHANNELS:
        raise TooManyChannels(
            f"at most {MAX_CANDLE_CHANNELS} candle channels at once; unsubscribe from one first"
        )


class CandleFeed:
    def __init__(self, hub: Hub, reads: CandleReads | None, now: Callable[[], datetime]) -> None:
        """`reads`: the stored bars (None: none to read, the hub's own bars only)."""
        self._hub = hub
        self._reads = reads
        self._now = now
        self._bars = FormingBars(keep_changes=False)  # what changed is compared here
        self._stored: dict[BarOf, Candle] = {}  # a bar's part from before the hub saw it
        # The channels of each market subscribed to since the start (at most six a market):
        # a batch looks at these only, so a hub nobody asked for candles pays the bars alone.
        self._asked: dict[str, dict[str, Interval]] = {}
        self._pushed: dict[str, Candle] = {}  # the last bar pushed on each channel

    def quotes(self, quotes: Sequence[Quote]) -> None:
        """A batch of marks, on the feed's path: the bars are changed in place; a bar that
        changed is pushed on its channel when someone watches it."""
        for quote in quotes:
            self._bars.tick(quote.market, quote.at, quote.mark)
        if not self._asked:
            return
        watched = self._hub.watched_now
        for quote in quotes:
            for name, interval in self._asked.get(quote.market, {}).items():
                if watched(name):
                    self._push(name, quote.market, interval)

    def _push(self, name: str, market: str, interval: Interval) -> None:
        bar = self.bar(market, interval)
        if bar is None or bar == self._pushed.get(name):
            return  # a mark equal to the close changes nothing
        self._pushed[name] = bar
        self._hub.publish(name, _as_json(bar), conflate=True)

    async def snapshot(self, market: str, interval: Interval) -> dict[str, Any] | None:
        """The bar of now: the stored part merged with what the hub saw; None before any
        mark of it."""
        self._asked.setdefault(market, {})[f"{KIND}:{market}:{interval.value}"] = interval
        forming = self._bars.forming(market, interval)
        open_time = interval.open_time(self._now()) if forming is None else forming.open_time
        if self._reads is not None:
            stored = await self._reads.stored(market, interval, open_time)
            if stored is not None:
                self._stored[(market, interval)] = stored
        return self._bar_json(market, interval)

    def bar(self, market: str, interval: Interval) -> Candle | None:
        """The bar being formed as the channel shows it."""
        forming = self._bars.forming(market, interval)
        stored = self._stored.get((market, interval))
        if stored is not None and forming is not None and stored.open_time != forming.open_time:
            del self._stored[(market, interval)]  # the hub saw the next bar open itself
            stored = None
        if stored is None or forming is None:
            return stored or forming
        return stored.merged(forming)

    def _bar_json(self, market: str, interval: Interval) -> dict[str, Any] | None:
        bar = self.bar(market, interval)
        return None if bar is None else _as_json(bar)


def _as_json(bar: Candle) -> dict[str, Any]:
    return {
        "market": bar.market,
        "interval": bar.interval.value,
        "open_time": bar.open_time.isoformat(),
        "open": bar.open,
        "high": bar.high,
        "low": bar.low,
        "close": bar.close,
    }
