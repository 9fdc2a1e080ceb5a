"""What the `candles:` channels read of analytics: the stored bar a snapshot starts from.
Analytics' own read where it runs in this process (embedded); else its public candles route
on the analytics service (`GET /api/v1/markets/{market}/candles`), never its tables."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.analytics import views
from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.infrastructure.service_calls import service_client


class CandleReads(Protocol):
    async def stored(self, market: str, interval: Interval, open_time: datetime) -> Candle | None:
        """The stored bar opened at `open_time`, if any."""
        ...


class LocalCandleReads:
    def __init__(self, db: AsyncEngine) -> None:
        self._db = db

    async def stored(self, market: str, interval: Interval, open_time: datetime) -> Candle | None:
        found = await views.candles_between(self._db, market, interval, open_time, open_time, 1)
        return found[0] if found else None


class HttpCandleReads:
    """The analytics service's answer (distributed mode)."""

    def __init__(self, analytics_url: str, service_key: str, timeout: float) -> None:
        self._client = service_client(analytics_url, service_key, timeout)

    async def stored(self, market: str, interval: Interval, open_time: datetime) -> Candle | None:
        at = open_time.isoformat()
        answer = await self._client.get(
            f"/api/v1/markets/{market}/candles",
            params={"interval": interval.value, "from": at, "to": at, "limit": 1},
        )
        answer.raise_for_status()
        found = answer.json()["candles"]
        if not found:
            return None
        bar = found[0]
        return Candle(
            market,
            interval,
            datetime.fromisoformat(bar["open_time"]),
            *(Decimal(bar[name]) for name in ("open", "high", "low", "close")),
        )

    async def close(self) -> None:
        await self._client.aclose()
