"""Financial's tables (prefixed financial_), on the shared metadata.

Posting amounts are stored as whole micro-units (amount x 10^6, exact since every posting is
rounded to 6 places): sums are then exact integer arithmetic on SQLite and PostgreSQL alike,
and fast enough to reconcile millions of postings in the database."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table

from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.types import UtcDateTime

# Whose each ledger account is (from trading's AccountOpened): the ledger answers its owner.
accounts = Table(
    "financial_accounts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("owner_id", String(36), index=True),
    Column("kind", String(16), nullable=False),
)

entries = Table(
    "financial_entries",
    metadata,
    Column("entry_id", String(36), primary_key=True),  # the id of the fact behind it
    Column("kind", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

postings = Table(
    "financial_postings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", String(36), ForeignKey("financial_entries.entry_id"), nullable=False),
    Column("account", String(36), nullable=False),
    Column("amount_micros", BigInteger, nullable=False),
    Index("ix_financial_postings_account_id", "account", "id"),
)
