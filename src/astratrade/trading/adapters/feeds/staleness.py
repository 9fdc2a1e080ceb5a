"""When a live feed's prices go quiet: which markets are stale, and who must know.

A market whose last price is older than the limit (or that has had none yet) is stale:
its mark no longer says what a position is worth, so liquidating at it would be a guess.
Trading pauses liquidations in stale markets and `/readyz` names them."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

logger = logging.getLogger(__name__)

STALE_AFTER_SECONDS = 10.0


class Staleness:
    """The last moment each market was priced, on a monotonic clock (seconds)."""

    def __init__(
        self,
        markets: Iterable[str],
        *,
        limit_seconds: float = STALE_AFTER_SECONDS,
        monotonic: Callable[[], float],
    ) -> None:
        if limit_seconds <= 0:
            raise ValueError(f"the staleness limit must be positive, was {limit_seconds}")
        self._limit = limit_seconds
        self._monotonic = monotonic
        self._last: dict[str, float | None] = dict.fromkeys(markets)

    def seen(self, market: str) -> None:
        if market in self._last:
            self._last[market] = self._monotonic()

    def stale(self) -> frozenset[str]:
        now = self._monotonic()
        return frozenset(
            market
            for market, last in self._last.items()
            if last is None or now - last > self._limit
        )


StaleListener = Callable[[frozenset[str]], None]


class FeedHealth:
    """What the running feed last found stale; tells its listeners (the venue pauses
    liquidations there) and answers the readiness check. A feed that does not run in this
    process (another replica holds it) has nothing to say."""

    name = "price_feed"

    def __init__(self, feed: str) -> None:
        self.feed = feed
        self.running = False
        self.stale: frozenset[str] = frozenset()
        self.listeners: list[StaleListener] = []
        # Tells the other trading replicas, which follow this one's prices (price_stream.py).
        self.publish: Callable[[frozenset[str]], Awaitable[None]] | None = None
        self._priced: set[str] = set()  # markets that have had a price since the feed started

    async def judge(self, stale: frozenset[str]) -> None:
        """The feed's latest finding: reported here and, if it changed, to the others."""
        if self.report(stale) and self.publish is not None:
            await self.publish(stale)

    def report(self, stale: frozenset[str]) -> bool:
        """Take a finding; whether it changed anything."""
        if stale == self.stale:
            return False
        became, recovered = sorted(stale - self.stale), sorted(self.stale - stale)
        self.stale = stale
        waiting = [market for market in became if market not in self._priced]
        went_quiet = [market for market in became if market in self._priced]
        self._priced.update(recovered)
        if waiting:
            logger.info(
                "the %s price feed waits for the first prices of %s: liquidations paused there",
                self.feed,
                ", ".join(waiting),
            )
        if went_quiet:
            logger.warning(
                "the %s price feed is stale for %s: liquidations paused there",
                self.feed,
                ", ".join(went_quiet),
            )
        if recovered:
            logger.warning(
                "the %s price feed is fresh again for %s: liquidations resume",
                self.feed,
                ", ".join(recovered),
            )
        for listener in self.listeners:
            listener(stale)
        return True

    def stopped(self) -> None:
        """The feed no longer runs here: whoever runs it next judges its markets (and
        nothing is paused here in the meantime: the prices come from that replica)."""
        self.running = False
        self.stale, self._priced = frozenset(), set()
        for listener in self.listeners:
            listener(self.stale)

    def problem(self) -> str | None:
        """Why this process is not ready, if its feed is stale."""
        if not self.running or not self.stale:
            return None
        return f"error: stale prices for {', '.join(sorted(self.stale))}"
