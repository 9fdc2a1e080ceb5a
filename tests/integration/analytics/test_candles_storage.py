"""Candles on a whole platform (SQLite and PostgreSQL): the tables as the migration makes
them, bars written as trading's marks tick with the volume of its fills, merged into what
was stored before a restart, the volume rebuilt from the audit log to the same rows, and
the route's read of the columns as text the same as the typed read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial

from migrated_tables import differences
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from trading_platform import market_order, new_trader, set_mark

from astratrade.analytics import views
from astratrade.analytics.adapters import candles as candle_rows
from astratrade.analytics.adapters.candle_writer import CandleWriter
from astratrade.analytics.adapters.tables import SCHEMA, candle_volumes
from astratrade.analytics.api.candles import CandleOut, CandlesOut, candles_json
from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.analytics.projections import PROJECTIONS
from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.projections import rebuild
from astratrade.platform import Platform
from astratrade.shared.clock import ManualClock

D = Decimal
MINUTE = datetime(2026, 3, 2, 9, 1, tzinfo=UTC)  # the fixtures' clock starts at 09:00:30


async def test_the_migrated_tables_are_what_the_code_declares(
    migrated_engine: AsyncEngine,
) -> None:
    async with migrated_engine.connect() as conn:
        assert await conn.run_sync(differences, "analytics_") == []
        if conn.dialect.name == "postgresql":
            tables = await conn.scalar(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = :s"), {"s": SCHEMA}
            )
            assert tables == sum(1 for t in metadata.tables.values() if t.schema == SCHEMA)


async def tick(platform: Platform, clock: ManualClock, at: datetime, mark: str) -> None:
    clock.set(at)
    await set_mark(platform, "BTC-USD", mark)


async def minute_bars(platform: Platform) -> list[tuple[object, ...]]:
    bars = await views.candles_between(
        platform.read_db, "BTC-USD", Interval.MINUTE, None, None, 1000
    )
    return [(b.open_time, b.open, b.high, b.low, b.close, b.volume) for b in bars]


async def test_bars_are_written_as_the_marks_tick_with_the_fills_volume(
    platform: Platform, clock: ManualClock
) -> None:
    owner, account = await new_trader(platform, "ana")
    await tick(platform, clock, MINUTE + timedelta(seconds=1), "60000")
    await platform.bus.execute(market_order(owner, account, size="0.1"))
    await tick(platform, clock, MINUTE + timedelta(seconds=20), "60100")
    await platform.bus.execute(market_order(owner, account, size="0.05"))
    await tick(platform, clock, MINUTE + timedelta(seconds=40), "59900")
    await tick(platform, clock, MINUTE + timedelta(seconds=61), "59950")
    await platform.backbone.drain()

    await platform.port(CandleWriter).flush()

    assert await minute_bars(platform) == [
        (MINUTE, D(60000), D(60100), D(59900), D(59900), D("0.15")),
        (MINUTE + timedelta(minutes=1), D(59950), D(59950), D(59950), D(59950), D(0)),
    ]
    hour = await views.candles_between(platform.read_db, "BTC-USD", Interval.HOUR, None, None, 5)
    assert [(b.open, b.high, b.low, b.close, b.volume) for b in hour] == [
        (D(60000), D(60100), D(59900), D(59950), D("0.15"))
    ]

    async with platform.read_db.connect() as conn:
        before = (await conn.execute(select(candle_volumes).order_by("interval"))).all()
    for projection in PROJECTIONS:
        await rebuild(platform.read_db, platform.writer, projection, clock.now())
    async with platform.read_db.connect() as conn:
        assert (await conn.execute(select(candle_volumes).order_by("interval"))).all() == before
    assert len(before) == 6  # one bar of each interval


async def test_a_restarted_writer_merges_into_the_stored_bar(
    platform: Platform, clock: ManualClock
) -> None:
    await tick(platform, clock, MINUTE + timedelta(seconds=1), "60000")
    await tick(platform, clock, MINUTE + timedelta(seconds=2), "60500")
    await platform.port(CandleWriter).flush()

    restarted = CandleWriter(platform.writer, flush_seconds=1)
    clock.set(MINUTE + timedelta(seconds=3))
    restarted.marks_seen([_Mark("BTC-USD", D(60200), clock.now())])
    await restarted.flush()

    assert await minute_bars(platform) == [(MINUTE, D(60000), D(60500), D(60000), D(60200), D(0))]


async def test_the_route_reads_the_bars_as_text_exactly_as_their_values(
    platform: Platform,
) -> None:
    """The candles route reads the columns raw (text on SQLite, NUMERIC and timestamptz on
    PostgreSQL) and writes them as JSON: the same answer as the bars read with their types
    and written by pydantic, odd amounts and times included, the bounds as the typed read's."""
    odd = [D("1E+4"), D("60000.10"), D("0E-8"), D("0.00012300"), D("123456789.123456789")]
    rotated = [odd[n:] + odd[:n] for n in range(4)]  # open, high, low, close: any order
    stored = [
        Candle("BTC-USD", Interval.MINUTE, MINUTE + timedelta(minutes=n), *rotated[n][:4])
        for n in range(4)
    ]
    late = MINUTE + timedelta(minutes=9, microseconds=250)  # an odd time, kept to the µs
    stored.append(Candle("BTC-USD", Interval.MINUTE, late, *odd[:4]))
    await platform.writer.run(partial(candle_rows.write_marks, bars=stored))
    at = MINUTE + timedelta(minutes=1)
    traded = {("BTC-USD", "1m", at): D("0.00500"), ("BTC-USD", "1m", MINUTE): D("2E+1")}
    await platform.writer.run(partial(candle_rows.add_volume, traded=traded))

    for start, end, limit in [(None, None, 1000), (at, None, 2), (None, at, 1000), (at, at, 5)]:
        typed = await views.candles_between(
            platform.read_db, "BTC-USD", Interval.MINUTE, start, end, limit
        )
        texts = await views.candle_texts_between(
            platform.read_db, "BTC-USD", Interval.MINUTE, start, end, limit
        )
        documented = CandlesOut(
            market="BTC-USD", interval=Interval.MINUTE, candles=[CandleOut.of(b) for b in typed]
        )
        assert candles_json("BTC-USD", Interval.MINUTE, texts) == (
            documented.model_dump_json().encode()
        )
    assert [t[5] for t in texts] == ["0.005"]
    everything = await views.candle_texts_between(
        platform.read_db, "BTC-USD", Interval.MINUTE, None, None, 1000
    )
    assert [t[0] for t in everything][-1] == "2026-03-02T09:10:00.000250Z"
    assert everything[0][1:] == ("10000", "60000.1", "0", "0.000123", "20")


class _Mark:
    def __init__(self, market: str, mark: Decimal, at: datetime) -> None:
        self.market, self.mark, self.at = market, mark, at
