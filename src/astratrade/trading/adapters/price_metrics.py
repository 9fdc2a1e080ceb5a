"""When each market's price last moved in this process, for Prometheus: a feed that stops
(the venue unreachable, the feed's replica gone, the prices' stream not followed) leaves
every order filled at an old price, and nothing else on /metrics would say so."""

from __future__ import annotations

import time

from prometheus_client import Gauge

from astratrade.trading.domain.prices import Quote

PRICE_APPLIED = Gauge(
    "astratrade_price_applied_timestamp_seconds",
    "Unix time (wall clock) this process last applied a quote of the market",
    ["market"],
)


def quotes_applied(quotes: list[Quote]) -> None:
    """A quote listener of the engine. Wall-clock time, not the quote's own: Prometheus
    compares it with its time(), and a manual clock may be anywhere."""
    now = time.time()
    for quote in quotes:
        PRICE_APPLIED.labels(market=quote.market).set(now)
