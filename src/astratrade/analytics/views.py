"""Analytics' read side: plain values for its routes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.analytics.adapters import candles, platform_reads
from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.analytics.domain.platform_report import PlatformReport, report


async def candles_between(
    db: AsyncEngine,
    market: str,
    interval: Interval,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[Candle]:
    async with db.connect() as conn:
        return await candles.bars_between(conn, market, interval, start, end, limit)


async def platform_report(db: AsyncEngine, start: date, end: date, today: date) -> PlatformReport:
    """The platform's figures for the UTC days from `start` to `end`, both included."""
    async with db.connect() as conn:
        rows = await platform_reads.platform_rows(conn, start, end)
    return report(rows, start, end, today)
