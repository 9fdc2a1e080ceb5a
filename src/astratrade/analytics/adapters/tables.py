"""Analytics' tables (in the `analytics` schema on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Column, String, Table

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
