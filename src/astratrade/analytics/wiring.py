"""Analytics' module: candles written as the marks tick (from trading's engine in this
process, or followed from the prices' stream), their volume from trading's fills, the
candles' route; trader analytics' journal of trading's events and its routes; platform
analytics' read models, its admin route and its gauges on /metrics (refreshed by a loop)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from fastapi import APIRouter

from astratrade.analytics import views
from astratrade.analytics.adapters.candle_writer import CandleWriter
from astratrade.analytics.adapters.platform_gauges import GaugeRefresher
from astratrade.analytics.api import candles as candles_api
from astratrade.analytics.api import platform as platform_api
from astratrade.analytics.api import trader as trader_api
from astratrade.analytics.domain.platform_report import PlatformReport
from astratrade.analytics.ports import MarksFollower
from astratrade.analytics.projections import PROJECTIONS
from astratrade.modules import Infrastructure, Loop, Module

ROUTERS: tuple[APIRouter, ...] = (candles_api.router, trader_api.router, platform_api.router)


def wire(
    infra: Infrastructure,
    *,
    markets: Sequence[str],
    follow_marks: MarksFollower | None = None,
) -> Module:
    """`markets`: those trading lists. `follow_marks`: where the marks are read from when
    trading runs in another process (else the composition root hands the writer trading's
    batches: `CandleWriter.marks_seen`)."""
    writer = CandleWriter(infra.writer, infra.settings.analytics_candle_flush_seconds)
    gauges = GaugeRefresher(_report_of_today(infra), infra.settings.analytics_gauges_seconds)
    loops: list[Loop] = [writer.keep_flushing, gauges.keep_refreshing]
    if follow_marks is not None:
        loops.append(lambda: follow_marks(writer.marks_seen))
    return Module(
        "analytics",
        routers=ROUTERS,
        projections=PROJECTIONS,
        background=tuple(loops),
        closers=(writer.flush,),  # the last changes, at stop
        provides={"analytics_markets": frozenset(markets), "candle_writer": writer},
    )


def _report_of_today(infra: Infrastructure) -> Callable[[], Awaitable[PlatformReport]]:
    async def report() -> PlatformReport:
        today = infra.clock.now().date()
        return await views.platform_report(infra.read_db, today, today, today)

    return report
