"""Trading's tables (prefixed trading_, in the `trading` schema on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.types import ExactDecimal, UtcDateTime

# Its PostgreSQL schema (on SQLite, which has none, the plain table names).
SCHEMA = "trading"

accounts = Table(
    "trading_accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", String(36), index=True),
    Column("kind", String(16), nullable=False),
    Column("currency", String(8), nullable=False),
    Column("collateral", ExactDecimal, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("daily_loss_limit", ExactDecimal),
    # The current day's and week's results (trading.domain.results).
    Column("results_day", Date),
    Column("day_pnl", ExactDecimal, nullable=False, server_default="0"),
    Column("results_week", Date),
    Column("week_pnl", ExactDecimal, nullable=False, server_default="0"),
    Column("week_capital", ExactDecimal, nullable=False, server_default="0"),
    # A tournament account trades only its markets, between opens_at and closes_at.
    Column("markets", JSON),
    Column("opens_at", UtcDateTime),
    Column("closes_at", UtcDateTime),
    # A leader's practice account: each of its fills also publishes LeaderFilled.
    Column("leading", Boolean, nullable=False, server_default=false()),
    # A copy account's copy: its id in copy trading, its equity floor, its state.
    Column("copy_id", String(36)),
    Column("copy_floor", ExactDecimal),
    Column("copy_state", String(12)),
    schema=SCHEMA,
)

leverage = Table(
    "trading_leverage",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("market", String(16), primary_key=True),
    Column("leverage", ExactDecimal, nullable=False),
    schema=SCHEMA,
)

positions = Table(
    "trading_positions",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("market", String(16), primary_key=True),
    Column("size", ExactDecimal, nullable=False),
    Column("entry_price", ExactDecimal, nullable=False),
    Column("realized_pnl", ExactDecimal, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("equity_at_open", ExactDecimal, nullable=False, server_default="0"),
    Column("unprotected_since", UtcDateTime),
    Column("longest_unprotected_us", BigInteger, nullable=False, server_default="0"),
    Column("risk_at_stop", ExactDecimal),
    Column("funding_paid", ExactDecimal, nullable=False, server_default="0"),
    schema=SCHEMA,
)

orders = Table(
    "trading_orders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False),
    Column("market", String(16), nullable=False),
    Column("side", String(4), nullable=False),
    Column("type", String(16), nullable=False),
    Column("size", ExactDecimal, nullable=False),
    Column("price", ExactDecimal),
    Column("trigger_price", ExactDecimal),
    Column("reduce_only", Boolean, nullable=False),
    Column("time_in_force", String(4), nullable=False),
    Column("client_order_id", String(64)),
    Column("status", String(16), nullable=False),
    Column("filled_size", ExactDecimal, nullable=False),
    Column("average_price", ExactDecimal),
    Column("reason", String(200)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # Idempotent retries: one client_order_id per account.
    UniqueConstraint("account_id", "client_order_id"),
    Index("ix_trading_orders_account_status", "account_id", "status"),
    schema=SCHEMA,
)

fills = Table(
    "trading_fills",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("order_id", String(36), index=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("market", String(16), nullable=False),
    Column("side", String(4), nullable=False),
    Column("size", ExactDecimal, nullable=False),
    Column("price", ExactDecimal, nullable=False),
    Column("fee", ExactDecimal, nullable=False),
    Column("liquidity", String(12), nullable=False),
    Column("realized_pnl", ExactDecimal, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    schema=SCHEMA,
)

leverage_limits = Table(
    "trading_leverage_limits",
    metadata,
    Column("owner_id", String(36), primary_key=True),
    Column("max_leverage", ExactDecimal, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    schema=SCHEMA,
)

# Read model: each trader's open-order limit per account, from financial's subscription.
plan_limits = Table(
    "trading_plan_limits",
    metadata,
    Column("owner_id", String(36), primary_key=True),
    Column("plan", String(8), nullable=False),
    Column("open_orders", Integer, nullable=False),
    schema=SCHEMA,
)

# Read model: who may open a live account (gamification's unlock, users' KYC flag).
live_access = Table(
    "trading_live_access",
    metadata,
    Column("owner_id", String(36), primary_key=True),
    Column("unlocked", Boolean, nullable=False),
    Column("kyc", Boolean, nullable=False),
    schema=SCHEMA,
)

funding_payments = Table(
    "trading_funding",
    metadata,
    Column("market", String(16), primary_key=True),
    Column("funding_time", UtcDateTime, primary_key=True),
    # Each shard's replica pays its own holders and records it.
    Column("shard", Integer, primary_key=True, autoincrement=False, server_default="0"),
    Column("rate", ExactDecimal, nullable=False),
    Column("mark", ExactDecimal, nullable=False),
    Column("accounts_paid", Integer, nullable=False),
    schema=SCHEMA,
)

# Read model: each account's trading activity, projected from trading's events.
account_activity = Table(
    "trading_account_activity",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("owner_id", String(36), index=True),
    Column("fills", Integer, nullable=False),
    Column("volume", ExactDecimal, nullable=False),
    Column("fees", ExactDecimal, nullable=False),
    Column("realized_pnl", ExactDecimal, nullable=False),
    Column("funding", ExactDecimal, nullable=False),
    Column("liquidations", Integer, nullable=False),
    Column("last_trade_at", UtcDateTime),
    schema=SCHEMA,
)

# What a live venue reported paying or moving on a live account (funding payments,
# deposits and withdrawals): each recorded once, by its id (x10-funding-<the venue's id>,
# x10-transfer-<the venue's id>).
venue_payments = Table(
    "trading_venue_payments",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("account_id", String(36), nullable=False),
    Column("kind", String(16), nullable=False),  # funding, transfer
    Column("market", String(16)),  # funding's
    Column("amount", ExactDecimal, nullable=False),  # funding: paid; a transfer: came in
    Column("at", UtcDateTime, nullable=False),
    schema=SCHEMA,
)

# A live account's link to its Extended sub-account. The API key and the Stark private key
# are sealed (AES-256-GCM, infrastructure/sealing.py); deleted when the trader disconnects.
venue_links = Table(
    "trading_venue_links",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("venue", String(16), nullable=False),
    Column("vault_id", BigInteger, nullable=False),
    Column("venue_account_id", BigInteger, nullable=False),
    Column("stark_public_key", String(66), nullable=False),
    Column("api_key_sealed", Text, nullable=False),
    Column("stark_private_key_sealed", Text, nullable=False),
    Column("connected_at", UtcDateTime, nullable=False),
    schema=SCHEMA,
)
