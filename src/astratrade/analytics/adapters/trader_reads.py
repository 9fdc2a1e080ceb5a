"""Trader analytics' read model read back: an account's owner and kind, its closed trades,
its days of money and of positions, and the marks at each day's close (the 1d candles)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from astratrade.analytics.adapters.running_totals import TOTALS
from astratrade.analytics.adapters.tables import (
    account_days,
    candles,
    closed_trades,
    position_days,
    trade_calendar,
    trade_totals,
    trader_accounts,
)
from astratrade.analytics.domain.calendar import CalendarDay
from astratrade.analytics.domain.candles import Interval
from astratrade.analytics.domain.equity import MoneyDay, PositionDay
from astratrade.analytics.domain.totals import TradeTotals
from astratrade.analytics.domain.trades import ClosedTrade, Side


async def account(conn: AsyncConnection, account_id: str) -> tuple[str | None, str, date] | None:
    """(owner, kind, first day) of an account analytics has seen; None if none."""
    a = trader_accounts.c
    row = (
        await conn.execute(
            select(a.owner_id, a.kind, a.opened_on).where(a.account_id == account_id)
        )
    ).first()
    return None if row is None else (row.owner_id, row.kind, row.opened_on)


async def trades_of(
    conn: AsyncConnection, account_id: str, since: datetime | None = None, limit: int | None = None
) -> list[ClosedTrade]:
    """The account's closed trades, oldest first (closed at or after `since`); of more than
    `limit`, the latest."""
    t = closed_trades.c
    query = select(closed_trades).where(t.account_id == account_id)
    if since is not None:
        query = query.where(t.closed_at >= since)
    query = query.order_by(t.closed_at.desc(), t.trade_id.desc())
    if limit is not None:
        query = query.limit(limit)
    rows = (await conn.execute(query)).all()
    return [
        ClosedTrade(
            market=r.market,
            side=Side(r.side),
            opened_at=r.opened_at,
            closed_at=r.closed_at,
            realized_pnl=r.realized_pnl,
            fees=r.fees,
            funding=r.funding,
            risk_at_stop=r.risk_at_stop,
        )
        for r in reversed(rows)
    ]


async def money_days(conn: AsyncConnection, account_id: str) -> list[MoneyDay]:
    d = account_days.c
    rows = await conn.execute(
        select(d.day, d.collateral, d.flows).where(d.account_id == account_id).order_by(d.day)
    )
    return [MoneyDay(r.day, r.collateral, r.flows) for r in rows.all()]


async def positions_days(conn: AsyncConnection, account_id: str) -> list[PositionDay]:
    p = position_days.c
    rows = await conn.execute(
        select(p.market, p.day, p.size, p.entry_price)
        .where(p.account_id == account_id)
        .order_by(p.day)
    )
    return [PositionDay(r.market, r.day, r.size, r.entry_price) for r in rows.all()]


async def closing_marks(
    conn: AsyncConnection, markets: set[str], first: date
) -> dict[str, dict[date, Decimal]]:
    """Each market's mark at the close of each day from `first` (its 1d bar's close; the
    bar being formed today holds the latest mark)."""
    if not markets:
        return {}
    c = candles.c
    rows = await conn.execute(
        select(c.market, c.open_time, c.close).where(
            c.market.in_(sorted(markets)),
            c.interval == Interval.DAY.value,
            c.open_time >= datetime.combine(first, time(), UTC),
        )
    )
    marks: dict[str, dict[date, Decimal]] = {}
    for r in rows.all():
        marks.setdefault(r.market, {})[r.open_time.date()] = r.close
    return marks


async def calendar_from(conn: AsyncConnection, account_id: str, first: date) -> list[CalendarDay]:
    c = trade_calendar.c
    rows = await conn.execute(
        select(c.day, c.trades, c.net_pnl)
        .where(c.account_id == account_id, c.day >= first)
        .order_by(c.day)
    )
    return [CalendarDay(r.day, r.trades, r.net_pnl) for r in rows.all()]


async def running_totals(
    conn: AsyncConnection, account_id: str, before: date | None = None
) -> dict[tuple[str, Side], TradeTotals]:
    """Per market and side, the running totals as they stood at the end of the latest day
    a trade closed on (before `before` when given): one row each, by the key's index."""
    t = trade_totals.c
    latest = select(t.market, t.side, func.max(t.day).label("day")).where(
        t.account_id == account_id
    )
    if before is not None:
        latest = latest.where(t.day < before)
    found = latest.group_by(t.market, t.side).subquery()
    rows = await conn.execute(
        select(t.market, t.side, *(t[name] for name in TOTALS))
        .join(
            found,
            (t.market == found.c.market) & (t.side == found.c.side) & (t.day == found.c.day),
        )
        .where(t.account_id == account_id)
    )
    return {(r[0], SIDES[r[1]]): TradeTotals(*r[2:]) for r in rows.all()}


SIDES = {side.value: side for side in Side}
