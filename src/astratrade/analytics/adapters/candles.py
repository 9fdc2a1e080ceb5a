"""Candles in storage: the feed's marks and the fills' volume merged into stored bars, and
the bars read back.

Decimals are text on SQLite, so merges (keep the open, widen high and low, add volume) are
done here rather than in SQL: one read of the touched rows and one upsert a batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, Table, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from astratrade.analytics.adapters.tables import candle_volumes, candles
from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.analytics.domain.numbers import ZERO
from astratrade.infrastructure.upsert import upsert

KEYS = ("market", "interval", "open_time")
Key = tuple[str, str, datetime]


def write_marks(conn: Connection, bars: Sequence[Candle]) -> None:
    """Merge flushed bars into the stored ones (`Candle.merged`: the stored open stays)."""
    stored = _stored(conn, candles, [_key(b) for b in bars])
    rows = []
    for bar in bars:
        row = stored.get(_key(bar))
        if row is not None:
            bar = Candle(
                bar.market, bar.interval, bar.open_time, row.open, row.high, row.low, row.close
            ).merged(bar)
        rows.append(
            {
                "market": bar.market,
                "interval": bar.interval.value,
                "open_time": bar.open_time,
                "open": bar.open,
                "high": bar.high,
                "low": bar.low,
                "close": bar.close,
            }
        )
    upsert(conn, candles, rows, KEYS)


def add_volume(conn: Connection, traded: dict[Key, Decimal]) -> None:
    stored = _stored(conn, candle_volumes, list(traded))
    rows = []
    for (market, interval, open_time), size in traded.items():
        row = stored.get((market, interval, open_time))
        volume = size if row is None else row.volume + size
        rows.append(
            {"market": market, "interval": interval, "open_time": open_time, "volume": volume}
        )
    upsert(conn, candle_volumes, rows, KEYS)


def _key(bar: Candle) -> Key:
    return (bar.market, bar.interval.value, bar.open_time)


def _stored(conn: Connection, table: Table, keys: list[Key]) -> dict[Key, Row[Any]]:
    if not keys:
        return {}
    c = table.c
    found = conn.execute(select(table).where(tuple_(c.market, c.interval, c.open_time).in_(keys)))
    return {(r.market, r.interval, r.open_time): r for r in found}


async def bars_between(
    conn: AsyncConnection,
    market: str,
    interval: Interval,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[Candle]:
    """The bars opened in [start, end], oldest first; of more than `limit`, the latest
    `limit` (a chart asks for the recent end). A bar's volume is 0 until a fill in it."""
    c, v = candles.c, candle_volumes.c
    query = (
        select(c.open_time, c.open, c.high, c.low, c.close, v.volume)
        .outerjoin(
            candle_volumes,
            (v.market == c.market) & (v.interval == c.interval) & (v.open_time == c.open_time),
        )
        .where(c.market == market, c.interval == interval.value)
    )
    if start is not None:
        query = query.where(c.open_time >= start)
    if end is not None:
        query = query.where(c.open_time <= end)
    rows = (await conn.execute(query.order_by(c.open_time.desc()).limit(limit))).all()
    # Unpacked by position: a chart reads 1,000 rows at once, and a Row's attributes by
    # name cost several times more.
    return [
        Candle(market, interval, at, o, h, lo, close, volume or ZERO)
        for at, o, h, lo, close, volume in reversed(rows)
    ]
