"""Candles over HTTP (public): a market's bars of one interval, oldest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

from astratrade.analytics import views
from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.infrastructure.web.deps import Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import DecimalOut, MomentIn
from astratrade.shared.errors import NotFound, ValidationFailed

router = APIRouter(prefix="/api/v1", tags=["analytics"], route_class=DecimalRoute)
MAX_BARS = 1000  # a request reads at most this many rows
DEFAULT_BARS = 500


async def listed_markets(request: Request) -> frozenset[str]:
    markets: frozenset[str] = request.app.state.analytics_markets
    return markets


Markets = Annotated[frozenset[str], Depends(listed_markets)]


class CandleOut(BaseModel):
    open_time: datetime
    open: DecimalOut
    high: DecimalOut
    low: DecimalOut
    close: DecimalOut
    volume: DecimalOut  # size traded in the bar, in the market's base asset

    @classmethod
    def of(cls, bar: Candle) -> CandleOut:
        return cls(
            open_time=bar.open_time,
            open=bar.open,
            high=bar.high,
            low=bar.low,
            close=bar.close,
            volume=bar.volume,
        )


class CandlesOut(BaseModel):
    market: str
    interval: Interval
    candles: list[CandleOut]


@router.get("/markets/{market}/candles", response_model=CandlesOut)
async def market_candles(
    market: Annotated[str, Path(min_length=1, max_length=32)],
    db: Db,
    markets: Markets,
    interval: Interval = Interval.MINUTE,
    start: Annotated[MomentIn | None, Query(alias="from")] = None,
    end: Annotated[MomentIn | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_BARS)] = DEFAULT_BARS,
) -> CandlesOut:
    """OHLC of the mark price with the volume traded, bars opened from `from` to `to`
    (both included), oldest first; of more than `limit`, the latest."""
    if market not in markets:
        raise NotFound(f"no market {market!r}")
    if start is not None and end is not None and start > end:
        raise ValidationFailed("from", f"from {start.isoformat()} is after to {end.isoformat()}")
    bars = await views.candles_between(db, market, interval, start, end, limit)
    return CandlesOut(market=market, interval=interval, candles=[CandleOut.of(b) for b in bars])
