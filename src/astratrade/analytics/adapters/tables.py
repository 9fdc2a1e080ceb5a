"""Analytics' tables (in the `analytics` schema on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String, Table

from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.types import ExactDecimal, UtcDateTime

SCHEMA = "analytics"

# One bar of marks per market, interval and open time, written as the feed ticks.
candles = Table(
    "analytics_candles",
    metadata,
    Column("market", String(32), primary_key=True),
    Column("interval", String(8), primary_key=True),
    Column("open_time", UtcDateTime, primary_key=True),
    Column("open", ExactDecimal, nullable=False),
    Column("high", ExactDecimal, nullable=False),
    Column("low", ExactDecimal, nullable=False),
    Column("close", ExactDecimal, nullable=False),
    schema=SCHEMA,
)

# Read model: the size traded in each bar, from trading's fills. Apart from the marks so
# that a rebuild from the audit log (which holds fills, not prices) clears only this.
candle_volumes = Table(
    "analytics_candle_volumes",
    metadata,
    Column("market", String(32), primary_key=True),
    Column("interval", String(8), primary_key=True),
    Column("open_time", UtcDateTime, primary_key=True),
    Column("volume", ExactDecimal, nullable=False),
    schema=SCHEMA,
)

# Trader analytics: read models of trading's events (docs/analytics.md "Trader analytics'
# read model"), all rebuilt together from the audit log.

# Each account's owner and kind (practice, live, tournament, copy), its collateral as the
# events moved it so far, and its first day.
trader_accounts = Table(
    "analytics_trader_accounts",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("owner_id", String(64), index=True),
    Column("kind", String(16), nullable=False),
    Column("collateral", ExactDecimal, nullable=False),
    Column("opened_on", Date, nullable=False),
    schema=SCHEMA,
)

# A position being traded: the trade it will close as (side, opening time, fees and funding
# so far), and, between the fill that closes it and trading's PositionClosed, the closing
# trade's side, fees and funding.
open_trades = Table(
    "analytics_open_trades",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("market", String(32), primary_key=True),
    Column("side", String(8)),  # None: flat (only a closing trade is waiting)
    Column("opened_at", UtcDateTime),
    Column("fees", ExactDecimal, nullable=False),
    Column("funding", ExactDecimal, nullable=False),
    Column("closing_side", String(8)),
    Column("closing_fees", ExactDecimal),
    Column("closing_funding", ExactDecimal),
    schema=SCHEMA,
)

# The journal: one row per closed trade, under its PositionClosed's event id.
closed_trades = Table(
    "analytics_closed_trades",
    metadata,
    Column("trade_id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False),
    Column("market", String(32), nullable=False),
    Column("side", String(8), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=False),
    Column("realized_pnl", ExactDecimal, nullable=False),
    Column("fees", ExactDecimal, nullable=False),
    Column("funding", ExactDecimal, nullable=False),
    Column("risk_at_stop", ExactDecimal),
    Index("ix_analytics_closed_trades_account_closed", "account_id", "closed_at"),
    schema=SCHEMA,
)

# An account at the end of each UTC day something moved its money: its collateral then,
# and the flows of the day (deposits, faucet top-ups, withdrawals, transfers, copy
# allocations and returns: > 0 in, < 0 out), never counted as returns.
account_days = Table(
    "analytics_account_days",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("collateral", ExactDecimal, nullable=False),
    Column("flows", ExactDecimal, nullable=False),
    schema=SCHEMA,
)

# A position at the end of each UTC day a fill changed it (size 0: flat): with the day's
# mark (the 1d candle's close) it gives the unrealized part of that day's equity.
position_days = Table(
    "analytics_position_days",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("market", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("size", ExactDecimal, nullable=False),
    Column("entry_price", ExactDecimal, nullable=False),
    schema=SCHEMA,
)

# The daily P&L calendar: per account and UTC day a trade closed on, the trades closed and
# the sum of their net P&L.
trade_calendar = Table(
    "analytics_trade_calendar",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("trades", Integer, nullable=False),
    Column("net_pnl", ExactDecimal, nullable=False),
    schema=SCHEMA,
)

# Running totals of the closed trades per account, market and side (the sums the metrics
# are made of: domain/totals.py), as they stood at the end of each day a trade closed: a
# period's totals are the difference of two rows, whatever the trades' count.
trade_totals = Table(
    "analytics_trade_totals",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("market", String(32), primary_key=True),
    Column("side", String(8), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("trades", Integer, nullable=False),
    Column("wins", Integer, nullable=False),
    Column("losses", Integer, nullable=False),
    Column("break_evens", Integer, nullable=False),
    Column("gross_profit", ExactDecimal, nullable=False),
    Column("gross_loss", ExactDecimal, nullable=False),
    Column("net_pnl", ExactDecimal, nullable=False),
    Column("trades_with_stop", Integer, nullable=False),
    Column("r_sum", ExactDecimal, nullable=False),
    Column("hold_seconds", ExactDecimal, nullable=False),
    Column("fees", ExactDecimal, nullable=False),
    Column("funding", ExactDecimal, nullable=False),
    schema=SCHEMA,
)
