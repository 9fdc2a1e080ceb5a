"""Platform analytics' read models (SPEC 13, docs/analytics.md "Platform analytics"): one
group of tables per context whose events feed them, so that each projection's rebuild
clears only its own. Days are UTC days."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String, Table

from astratrade.analytics.adapters.tables import SCHEMA
from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.types import ExactDecimal, UtcDateTime

# users' UserRegistered: who signed up when (the cohorts of retention).
signups = Table(
    "analytics_platform_signups",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("signed_up_at", UtcDateTime, nullable=False),
    Column("day", Date, nullable=False),
    Index("ix_analytics_platform_signups_day", "day"),
    schema=SCHEMA,
)

# trading's OrderAccepted: a trader is active on a day they placed an order (one row a day).
activity = Table(
    "analytics_platform_activity",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Index("ix_analytics_platform_activity_day", "day"),
    schema=SCHEMA,
)

# trading's AccountOpened of kind copy: whose orders copy trading places, whose fills are
# copied volume.
copy_accounts = Table(
    "analytics_platform_copy_accounts",
    metadata,
    Column("account_id", String(64), primary_key=True),
    schema=SCHEMA,
)

# trading's OrderFilled, per market and day: notional traded, fees, copy accounts' share,
# and the change of open interest (its level on a day = the changes up to that day).
market_days = Table(
    "analytics_platform_market_days",
    metadata,
    Column("market", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("fills", Integer, nullable=False),
    Column("volume", ExactDecimal, nullable=False),
    Column("fees", ExactDecimal, nullable=False),
    Column("copied_volume", ExactDecimal, nullable=False),
    Column("liquidation_fills", Integer, nullable=False),
    Column("open_interest_change", ExactDecimal, nullable=False),
    schema=SCHEMA,
)

# trading's AccountLiquidated, per day.
liquidation_days = Table(
    "analytics_platform_liquidation_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("liquidations", Integer, nullable=False),
    Column("liquidation_fees", ExactDecimal, nullable=False),
    schema=SCHEMA,
)

# copy trading's CopyStarted and its first of CopyStopping / CopyClosed.
copies = Table(
    "analytics_platform_copies",
    metadata,
    Column("copy_id", String(64), primary_key=True),
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    schema=SCHEMA,
)

# gamification's TournamentJoined: one row an entrant.
tournament_entries = Table(
    "analytics_platform_tournament_entries",
    metadata,
    Column("tournament_id", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("day", Date, nullable=False),
    Index("ix_analytics_platform_tournament_entries_day", "day"),
    schema=SCHEMA,
)

# financial's SubscriptionChanged: each trader's monthly price now, and the MRR's change
# per day (its level on a day = the changes up to that day).
subscription_prices = Table(
    "analytics_platform_subscription_prices",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("monthly_price", ExactDecimal, nullable=False),
    schema=SCHEMA,
)
mrr_days = Table(
    "analytics_platform_mrr_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("mrr_change", ExactDecimal, nullable=False),
    schema=SCHEMA,
)
