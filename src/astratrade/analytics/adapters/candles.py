"""Candles in storage: the feed's marks and the fills' volume merged into stored bars, and
the bars read back.

Decimals are text on SQLite, so merges (keep the open, widen high and low, add volume) are
done here rather than in SQL: one read of the touched rows and one upsert a batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Row,
    Select,
    Table,
    bindparam,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import NullType

from astratrade.analytics.adapters.tables import candle_volumes, candles
from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.analytics.domain.numbers import ZERO
from astratrade.infrastructure.types import utc_text
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.money import plain_text

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
    query = _latest_bars(raw=False, since=start is not None, until=end is not None)
    rows = (await conn.execute(query, _bound(market, interval, start, end, limit))).all()
    # Unpacked by position: a Row's attributes by name cost several times more.
    return [
        Candle(market, interval, at, o, h, lo, close, volume or ZERO)
        for at, o, h, lo, close, volume in reversed(rows)
    ]


# A bar as the candles route writes it: open time (ISO 8601, "Z"), open, high, low, close
# and volume (plain decimal text).
BarText = tuple[str, str, str, str, str, str]


async def bar_texts_between(
    conn: AsyncConnection,
    market: str,
    interval: Interval,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[BarText]:
    """`bars_between`, as text for JSON: the columns are read as the database keeps them
    (text on SQLite, NUMERIC and timestamptz on PostgreSQL) and written straight to text,
    the exact amounts unchanged, without a Decimal or datetime made per value (most of the
    read's time for a chart's 1,000 bars: bench/candles.py)."""
    query = _latest_bars(raw=True, since=start is not None, until=end is not None)
    rows = (await conn.execute(query, _bound(market, interval, start, end, limit))).all()
    return [bar_text(*row) for row in reversed(rows)]


def bar_text(at: Any, o: Any, h: Any, lo: Any, close: Any, volume: Any) -> BarText:
    """A bar's columns as read raw (SQLite: the texts it keeps; PostgreSQL: the driver's
    Decimals and datetimes), as text. A bar without fills has no volume row: 0."""
    return (
        utc_text(at),
        plain_text(str(o)),
        plain_text(str(h)),
        plain_text(str(lo)),
        plain_text(str(close)),
        "0" if volume is None else plain_text(str(volume)),
    )


def _bound(
    market: str, interval: Interval, start: datetime | None, end: datetime | None, limit: int
) -> dict[str, Any]:
    return {
        "market": market,
        "interval": interval.value,
        "start": start,
        "end": end,
        "limit": limit,
    }


@cache
def _latest_bars(*, raw: bool, since: bool, until: bool) -> Select[Any]:
    """The latest bars' query, newest first, built once per shape rather than a SELECT a
    call (its statement only: the bars are read every call); market, interval, start, end
    and limit are bound per call. `raw`: the columns without their types' processing."""
    c, v = candles.c, candle_volumes.c
    columns: tuple[ColumnElement[Any], ...] = (
        c.open_time,
        c.open,
        c.high,
        c.low,
        c.close,
        v.volume,
    )
    if raw:
        columns = tuple(type_coerce(column, NullType()) for column in columns)
    query = (
        select(*columns)
        .outerjoin(
            candle_volumes,
            (v.market == c.market) & (v.interval == c.interval) & (v.open_time == c.open_time),
        )
        .where(c.market == bindparam("market"), c.interval == bindparam("interval"))
    )
    if since:
        query = query.where(c.open_time >= bindparam("start"))
    if until:
        query = query.where(c.open_time <= bindparam("end"))
    return query.order_by(c.open_time.desc()).limit(bindparam("limit", type_=Integer))
