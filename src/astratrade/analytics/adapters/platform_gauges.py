"""Platform analytics' gauges on /metrics (Prometheus): today's active traders, active
copies, MRR and each market's open interest, as the admins' report computes them.

Refreshed by a loop every `ASTRATRADE_ANALYTICS_GAUGES_SECONDS` from the read models
rather than at each scrape: prometheus_client collects synchronously, and the report is an
async read of the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from prometheus_client import Gauge

from astratrade.analytics.domain.platform_report import PlatformReport

logger = logging.getLogger(__name__)

ACTIVE_TRADERS = Gauge(
    "astratrade_active_traders",
    "Traders who placed an order in the window ending today (UTC): day, week (7 days), "
    "month (30 days)",
    ["window"],
)
ACTIVE_COPIES = Gauge("astratrade_active_copies", "Copies running (started, not stopping)")
OPEN_INTEREST = Gauge(
    "astratrade_open_interest",
    "Sum of |position size| over the accounts, in the market's base asset",
    ["market"],
)
MRR = Gauge("astratrade_mrr_usd", "Monthly recurring revenue: the paid plans' monthly prices")

ReportOfToday = Callable[[], Awaitable[PlatformReport]]


def show(found: PlatformReport, markets_shown: set[str]) -> None:
    """Set the gauges to the report's last day (a market shown before and holding no open
    interest now reads 0)."""
    day = found.days[-1]
    ACTIVE_TRADERS.labels(window="day").set(day.active.daily)
    ACTIVE_TRADERS.labels(window="week").set(day.active.weekly)
    ACTIVE_TRADERS.labels(window="month").set(day.active.monthly)
    ACTIVE_COPIES.set(day.active_copies)
    # A float only here, for Prometheus, whose samples are floats.
    MRR.set(float(day.mrr))
    held = {m.market: m.open_interest for m in day.markets}
    markets_shown |= set(held)
    for market in markets_shown:
        OPEN_INTEREST.labels(market=market).set(float(held.get(market, 0)))


class GaugeRefresher:
    def __init__(self, report_of_today: ReportOfToday, seconds: float) -> None:
        self._report = report_of_today
        self._seconds = seconds
        self._markets_shown: set[str] = set()

    async def refresh(self) -> None:
        show(await self._report(), self._markets_shown)

    async def keep_refreshing(self) -> None:
        """Refresh every `seconds` until cancelled."""
        while True:
            try:
                await self.refresh()
            except Exception:  # the next refresh may succeed; the loop goes on
                logger.exception("refreshing platform gauges failed")
            await asyncio.sleep(self._seconds)
