"""Analytics' read side: plain values for its routes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.analytics.adapters import candles
from astratrade.analytics.domain.candles import Candle, Interval


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
