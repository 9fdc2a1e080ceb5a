"""Analytics' read side: plain values for its routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.analytics.adapters import candles, platform_reads, trader_reads
from astratrade.analytics.domain.candles import Candle, Interval
from astratrade.analytics.domain.equity import daily_closes
from astratrade.analytics.domain.platform_report import PlatformReport, report
from astratrade.analytics.domain.report import Period, TraderReport, period_days, report_of
from astratrade.analytics.domain.totals import TradeTotals
from astratrade.analytics.domain.trades import ClosedTrade
from astratrade.shared.errors import NotFound


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


async def candle_texts_between(
    db: AsyncEngine,
    market: str,
    interval: Interval,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[candles.BarText]:
    """`candles_between` as the candles route writes them (text, read without types)."""
    async with db.connect() as conn:
        return await candles.bar_texts_between(conn, market, interval, start, end, limit)


@dataclass(frozen=True, slots=True)
class AccountReport:
    account_id: str
    kind: str  # practice, live, tournament or copy: each account is reported apart
    period: Period
    report: TraderReport


async def _owned(conn: AsyncConnection, account_id: str, owner_id: str) -> tuple[str, date]:
    """The account's kind and first day; NotFound unless `owner_id` owns it (another
    trader's account is not found, not forbidden)."""
    seen = await trader_reads.account(conn, account_id)
    if seen is None or seen[0] != owner_id:
        raise NotFound(f"no account {account_id!r}")
    return seen[1], seen[2]


async def account_report(
    db: AsyncEngine, account_id: str, owner_id: str, period: Period, now: datetime
) -> AccountReport:
    """The owner's analytics of one account over `period` (docs/analytics.md)."""
    async with db.connect() as conn:
        kind, opened_on = await _owned(conn, account_id, owner_id)
        first, _ = period_days(period, now.date(), opened_on)
        calendar = await trader_reads.calendar_from(conn, account_id, first)
        now_totals = await trader_reads.running_totals(conn, account_id)
        before = await trader_reads.running_totals(conn, account_id, before=first)
        money = await trader_reads.money_days(conn, account_id)
        positions = await trader_reads.positions_days(conn, account_id)
        marks = await trader_reads.closing_marks(conn, {p.market for p in positions}, opened_on)
    closes = daily_closes(money, positions, marks, min(opened_on, now.date()), now.date())
    # The period's totals: the running totals now less those before its first day.
    totals = {k: t - before.get(k, TradeTotals()) for k, t in now_totals.items()}
    return AccountReport(account_id, kind, period, report_of(totals, calendar, closes, period, now))


async def closed_trades(
    db: AsyncEngine, account_id: str, owner_id: str, limit: int
) -> list[ClosedTrade]:
    """The owner's latest `limit` closed trades of the account, oldest first."""
    async with db.connect() as conn:
        await _owned(conn, account_id, owner_id)
        return await trader_reads.trades_of(conn, account_id, limit=limit)


async def platform_report(db: AsyncEngine, start: date, end: date, today: date) -> PlatformReport:
    """The platform's figures for the UTC days from `start` to `end`, both included."""
    async with db.connect() as conn:
        rows = await platform_reads.platform_rows(conn, start, end)
    return report(rows, start, end, today)
