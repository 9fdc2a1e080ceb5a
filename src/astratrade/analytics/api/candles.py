"""Candles over HTTP (public): a market's bars of one interval, oldest first.

A chart asks for up to 1,000 bars at once, so the answer is written straight to JSON
(`candles_json`) from the columns read as text (`views.candle_texts_between`), in exactly
the form `CandlesOut` documents: building and validating 1,000 pydantic models, or a
Decimal and a datetime per value, would cost more than reading the rows (bench/candles.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel

from astratrade.analytics import views
from astratrade.analytics.adapters.candles import BarText
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
) -> Response:
    """OHLC of the mark price with the volume traded, bars opened from `from` to `to`
    (both included), oldest first; of more than `limit`, the latest."""
    if market not in markets:
        raise NotFound(f"no market {market!r}")
    if start is not None and end is not None and start > end:
        raise ValidationFailed("from", f"from {start.isoformat()} is after to {end.isoformat()}")
    bars = await views.candle_texts_between(db, market, interval, start, end, limit)
    return Response(candles_json(market, interval, bars), media_type="application/json")


# One bar of `CandleOut`, as pydantic writes it: its texts need no escaping (digits, signs,
# points, and the time's "-", ":", "T", "Z").
_BAR_JSON = '{"open_time":"%s","open":"%s","high":"%s","low":"%s","close":"%s","volume":"%s"}'


def candles_json(market: str, interval: Interval, bars: Sequence[BarText]) -> bytes:
    """`CandlesOut` as JSON, as pydantic would write it (tested against it): amounts as
    plain decimal strings, times in UTC with a "Z"."""
    head = json.dumps(
        {"market": market, "interval": interval.value}, separators=(",", ":"), ensure_ascii=False
    )
    candles = ",".join([_BAR_JSON % bar for bar in bars])
    return f'{head[:-1]},"candles":[{candles}]}}'.encode()
