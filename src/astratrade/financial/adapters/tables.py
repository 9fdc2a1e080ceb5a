"""Financial's tables (prefixed financial_, in the `financial` schema on PostgreSQL).

Posting amounts are stored as whole micro-units (amount x 10^6, exact since every posting is
rounded to 6 places): sums are then exact integer arithmetic on SQLite and PostgreSQL alike,
and fast enough to reconcile millions of postings in the database."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table

from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.types import ExactDecimal, UtcDateTime

# Its PostgreSQL schema (on SQLite, which has none, the plain table names).
SCHEMA = "financial"

# Whose each ledger account is (from trading's AccountOpened): the ledger answers its owner.
accounts = Table(
    "financial_accounts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("owner_id", String(36), index=True),
    Column("kind", String(16), nullable=False),
    schema=SCHEMA,
)

entries = Table(
    "financial_entries",
    metadata,
    Column("entry_id", String(36), primary_key=True),  # the id of the fact behind it
    Column("kind", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    schema=SCHEMA,
)

postings = Table(
    "financial_postings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", String(36), ForeignKey(entries.c.entry_id), nullable=False),
    Column("account", String(36), nullable=False),
    Column("amount_micros", BigInteger, nullable=False),
    Index("ix_financial_postings_account_id", "account", "id"),
    schema=SCHEMA,
)

# One faucet top-up per account and UTC day: the key refuses a second one, even two at once.
faucet_claims = Table(
    "financial_faucet_claims",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD, UTC
    schema=SCHEMA,
)

# Transfers as the trader sees them (a read model of TransferRequested and trading's
# outcome, which may arrive in either order: the request's fields wait for it).
transfers = Table(
    "financial_transfers",
    metadata,
    Column("transfer_id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("kind", String(16)),
    Column("amount", ExactDecimal),
    Column("requested", ExactDecimal),
    Column("status", String(16), nullable=False),  # pending, completed or refused
    Column("reason", String(200)),
    Column("requested_at", UtcDateTime),
    Column("settled_at", UtcDateTime),
    schema=SCHEMA,
)

# Each trader's subscription (a trader without a row is on Free).
subscriptions = Table(
    "financial_subscriptions",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("plan", String(8), nullable=False),
    Column("period_start", UtcDateTime),
    Column("period_end", UtcDateTime, index=True),  # the clock renews what falls due
    Column("cancel_at_period_end", Boolean, nullable=False),
    Column("credit", ExactDecimal, nullable=False),
    Column("paid_since", UtcDateTime),
    Column("ended_at", UtcDateTime),
    Column("version", Integer, nullable=False),
    schema=SCHEMA,
)
