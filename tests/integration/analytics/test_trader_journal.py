"""Trader analytics' read model on a whole platform (SQLite and PostgreSQL): the tables as
the migration makes them; trades closed and flipped over two days filed with their fees;
the collateral the events moved equal to trading's; and a rebuild from the audit log giving
the same rows as the live path."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from migrated_tables import differences
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from trading_platform import market_order, new_trader, set_mark

from astratrade.analytics import views
from astratrade.analytics.adapters.candle_writer import CandleWriter
from astratrade.analytics.adapters.tables import (
    SCHEMA,
    account_days,
    closed_trades,
    open_trades,
    position_days,
    trade_calendar,
    trade_totals,
    trader_accounts,
)
from astratrade.analytics.domain.report import Period
from astratrade.analytics.projections import TraderJournal
from astratrade.infrastructure import event_store
from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.projections import rebuild
from astratrade.platform import Platform
from astratrade.shared.clock import ManualClock
from astratrade.trading.domain.orders import Side
from astratrade.trading.views import collateral_by_account

D = Decimal
TABLES = (
    trader_accounts,
    open_trades,
    closed_trades,
    trade_calendar,
    trade_totals,
    account_days,
    position_days,
)


async def test_the_migrated_tables_are_what_the_code_declares(
    migrated_engine: AsyncEngine,
) -> None:
    async with migrated_engine.connect() as conn:
        assert await conn.run_sync(differences, "analytics_") == []
        if conn.dialect.name == "postgresql":
            tables = await conn.scalar(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = :s"), {"s": SCHEMA}
            )
            declared = {t.name for t in metadata.tables.values() if t.schema == SCHEMA}
            assert {t.name for t in TABLES} <= declared
            assert tables == len(declared)


async def every_row(platform: Platform) -> dict[str, list[Any]]:
    async with platform.read_db.connect() as conn:
        return {
            table.name: sorted(
                (tuple(r) for r in (await conn.execute(select(table))).all()), key=repr
            )
            for table in TABLES
        }


async def test_trades_and_days_follow_the_events_and_rebuild_identically(
    platform: Platform, clock: ManualClock
) -> None:
    owner, account = await new_trader(platform, "journal")
    await set_mark(platform, "BTC-USD", "60000")
    await platform.bus.execute(market_order(owner, account, size="0.1"))
    await set_mark(platform, "BTC-USD", "61000")
    await platform.bus.execute(market_order(owner, account, size="0.1", side=Side.SELL))
    clock.set(clock.now() + timedelta(days=1))  # the next day: a short, flipped to a long
    await set_mark(platform, "BTC-USD", "61000")
    await platform.bus.execute(market_order(owner, account, size="0.1", side=Side.SELL))
    await set_mark(platform, "BTC-USD", "60000")
    await platform.bus.execute(market_order(owner, account, size="0.3"))
    await set_mark(platform, "BTC-USD", "60500")
    await platform.backbone.drain()
    await platform.port(CandleWriter).flush()

    async with platform.read_db.connect() as conn:
        fills = [
            e.payload for e in await event_store.history(conn, account) if e.type == "OrderFilled"
        ]
    fees = [D(str(f["fee"])) for f in fills]
    realized = [D(str(f["realized_pnl"])) for f in fills]
    trades = await views.closed_trades(platform.read_db, account, owner, 100)
    assert [(t.side.value, t.realized_pnl) for t in trades] == [
        ("long", realized[1]),
        ("short", realized[3]),
    ]
    assert min(realized[1], realized[3]) > 0
    assert trades[0].fees == fees[0] + fees[1]
    # The flip's fee is shared by size: 0.1 of its 0.3 closed the short.
    assert trades[1].fees == fees[2] + (fees[3] / 3).quantize(D("0.000001"))
    rows = await every_row(platform)
    (opened,) = rows["analytics_open_trades"]
    assert opened[2:5] == (
        "long",
        opened[3],
        fees[3] - (fees[3] / 3).quantize(D("0.000001")),
    )
    (known,) = [r for r in rows["analytics_trader_accounts"] if r[0] == account]
    assert known[1:3] == (owner, "practice")
    assert known[3] == (await collateral_by_account(platform.read_db))[account]

    # The equity curve's last point: collateral plus the open long at the last mark.
    report = await views.account_report(platform.read_db, account, owner, Period.ALL, clock.now())
    assert len(report.report.equity_curve) == 2
    entry = D(str(fills[3]["position_entry_price"]))
    assert report.report.equity_curve[-1].equity == known[3] + D("0.2") * (60500 - entry)
    assert report.report.metrics.trades == 2

    # Lose the read model, rebuild it from the audit log: the same rows.
    await rebuild(platform.read_db, platform.writer, TraderJournal(), clock.now())
    assert await every_row(platform) == rows
